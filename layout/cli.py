"""The `layout` command: a thin layer over layout/api.py (each command is one call a notebook can make there; here
only its arguments are parsed, its result printed and its errors turned into exit codes).

Exit codes: 0 solved; 5 solved and written, but a target is not met (`layout solve`: the summary's first line
names it, then what holds it back); 2 bad input (file, line, key, expected, found); 3 infeasible; 4 a solver limit
stopped the solve without a feasible layout; 1 the solver failed (e.g. HiGHS's status 'error'), which is
neither the user's mistake nor a proof of infeasibility, and `pareto` and `alternatives` when not one point or
alternative was solved (their tables say why). A user's mistake never produces a traceback.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from layout.errors import InputError, LayoutError, Problem
from layout.language import marked, tr, translate, using
from layout.results.staging import os_problem
from layout.words import escaped, excluded_words, listing

if TYPE_CHECKING:
    from rich.status import Status

    from layout.api import Batch
    from layout.model.solve import SolverProgress

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Lay out China's strategic emerging industries across regions (HiGHS/CBC via PuLP).",
)


def printable(text: str, form: str = "\\x{:02x}") -> str:
    """Text for the terminal: each control character but the newline shown as `form` (\\x1b), never sent raw (an
    ESC or CSI sequence in a name or key would drive the terminal). Markup, if any, is the caller's."""
    return escaped(text, keep="\n", form=form)


class _Console(Console):
    """A rich console that prints every string through `printable` (tables, messages, progress lines alike)."""

    def render_str(self, text: str, **kwargs):
        return super().render_str(printable(text), **kwargs)


def _write(text: str, json_text: bool = False) -> None:
    """Plain text (or JSON, whose strings get \\u009b-style escapes) to stdout, through `printable`."""
    sys.stdout.write(printable(text, "\\u{:04x}" if json_text else "\\x{:02x}"))


out_console = _Console(highlight=False, soft_wrap=False, emoji=False)
err_console = _Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

TARGETS_MISSED = 5  # exit code of `layout solve` when the layout is written but a target is not met

FILE_HELP = "Constraint file (YAML); default: the embedded models/default.yaml."

# Options the batch commands (sweep, pareto) share: each declared once; its default stays in the command's signature.
DaskScheduler = Annotated[
    str | None, typer.Option("--dask-scheduler", help="Address of an existing dask.distributed scheduler.")
]
DaskLocal = Annotated[int | None, typer.Option("--dask-local", help="Start a dask LocalCluster with N workers.")]
Workers = Annotated[
    int | None, typer.Option("--workers", help="Local worker processes (default: the number of cores).")
]
PointSolver = Annotated[
    str | None, typer.Option("--solver", help="highs, cbc or scip; default: the file's solver.name.")
]
PointTimeLimit = Annotated[float | None, typer.Option("--time-limit", help="Seconds per point.")]
PointGap = Annotated[float | None, typer.Option(help="Relative MIP gap per point.")]
NoProgressBar = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
# every command that writes or prints for people (layout.language)
Lang = Annotated[
    Literal["en", "zh"] | None,
    typer.Option(
        "--lang",
        help="zh (中文) or en: names, sentences, pages and this summary. Default: the constraint file's `language:`, "
        "else the folder's, else the locale's (zh_CN… gives zh).",
    ),
]


# the kind of error, by exit code, in its first words ("error (bad input): FILE:LINE: KEY: expected …; found …")
ERROR_TITLES = {2: marked("bad input"), 3: marked("infeasible"), 4: marked("solver limit")}
FAILED = marked("failed")
# codes of metrics.json shown in words with `translate` (a solver status, an industry's kind): marked where they
# are defined (layout.model.solve.STATUS_WORDS, layout.views.report.KIND_NAMES); the files keep the codes


def data_lines(missing: list[str], notes: list[str]) -> list[str]:
    """The lines on a scenario's data: a note (a value inherited from the province, a budget split by GDP) as a note,
    a value missing as missing data (metrics.json `missing_data`, `data_notes`)."""
    noted = set(notes)
    return [tr("data note: {note}", note=t) if t in noted else tr("missing data: {gap}", gap=t) for t in missing]


def _fail(e: LayoutError) -> None:
    """Print an error the user can act on and exit with its code."""
    _print_error(e)
    raise typer.Exit(e.exit_code)


def _print_error(e: LayoutError) -> None:
    """Print an error the user can act on, in the current language: a problem reads `file:line: key: expected …;
    found …` in English, `file:line: key: 应为…；实为…` in Chinese; its location keeps its form in both, for editors and
    scripts (`--lang en` gives a script the English form)."""
    title = translate(ERROR_TITLES.get(e.exit_code, FAILED))
    said = tr("error ({title}):", title=title)
    err_console.print(f"[bold red]{escape(said)}[/]" + ("" if said.endswith("：") else " "), end="")
    err_console.print(str(e), markup=False)


class Terminated(KeyboardInterrupt):
    """SIGTERM as an exception: it unwinds like Ctrl-C, so solver children, temporary files and staged folders are
    cleaned up on the way out. `received`: SIGTERM came during the command (a library that turns any signal's
    exception into a KeyboardInterrupt, as watchfiles does, loses the class)."""

    received = False


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the block runs (in the main thread), SIGTERM raises Terminated instead of ending the process at once
    (unless SIGTERM is ignored: then it stays so)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        yield
        return

    def terminate(_signum, _frame):
        Terminated.received = True
        raise Terminated()

    Terminated.received = False
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


NOTHING_WRITTEN = marked("nothing was written")
POINTS_KEPT = marked("finished points are kept; rerun to resume")
LAYOUTS_KEPT = marked("finished layouts are kept; rerun to resume")


def _guard(fn, interrupted: str = NOTHING_WRITTEN, lang: str | None = None, file: Path | None = None):
    """Run a command body in `lang` (None: the locale's): LayoutError → message + exit code; an OS error (full disk,
    read-only folder, ...) → exit 2 naming the path; Ctrl-C → exit 130 and SIGTERM → exit 143, cleaned up, no
    traceback. `interrupted`: what is left after Ctrl-C, a message marked for translation; `file`: the command's
    constraint file, whose stated language an error found before it was read speaks."""
    try:
        with using(lang), _sigterm_raises():
            return fn()
    except LayoutError as e:
        from layout.api import file_language

        # --lang, else the language the file chose where the error arose, else the one it states
        with using(lang or e.language or file_language(file)):
            _fail(e)
    except OSError as e:
        with using(lang):
            _fail(
                InputError(
                    os_problem(
                        e,
                        e.filename if e.filename is not None else "output",
                        "",
                        "a path this program can read and write",
                    )
                )
            )
    except KeyboardInterrupt as e:
        term = isinstance(e, Terminated) or Terminated.received
        with using(lang):
            said = (
                tr("terminated: {left}", left=translate(interrupted))
                if term
                else tr("interrupted: {left}", left=translate(interrupted))
            )
        err_console.print(said, markup=False)
        raise typer.Exit(143 if term else 130) from None


def _env_seconds(name: str, default: float) -> float:
    """Seconds from the environment variable `name` (a number >= 0), else `default`; anything else is exit 2."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise InputError(Problem("environment", None, name, "a number of seconds >= 0", repr(text)))
    return value


class SolveDisplay:
    """What `layout solve` shows on stderr while it runs: the pipeline's step lines (`step`) and, once a solve has run
    `after` seconds, the solver's progress (`solver`: `SolverProgress.words`, from the solver's own callback). On a
    terminal that is one status line updated in place; otherwise (a captured log) one printed line every `every`
    seconds. $LAYOUT_PROGRESS_AFTER and $LAYOUT_PROGRESS_EVERY (seconds) override the defaults AFTER and EVERY."""

    AFTER, EVERY = 3.0, 5.0

    def __init__(self, console: Console):
        self.console = console
        self.after = _env_seconds("LAYOUT_PROGRESS_AFTER", self.AFTER)
        self.every = _env_seconds("LAYOUT_PROGRESS_EVERY", self.EVERY)
        self.status: Status | None = None
        self.printed = -math.inf  # the solve's elapsed seconds at the last printed line

    def step(self, line: str) -> None:
        """A step of the pipeline ('solving with highs (...)'): ends the solver's status line."""
        self.close()
        self.console.print(f"[dim]… {line}[/]")

    def solver(self, p: SolverProgress) -> None:
        """The solver's figures (about every second while it runs)."""
        if p.elapsed < self.after:
            return
        if self.console.is_terminal:
            # not a bare Text: the spinner then sets it in a grid column, which wraps on a narrow terminal (a Text
            # beside the spinner would be cut at the terminal's width)
            line = Padding(Text(printable(p.words())), 0)
            if self.status is None:
                self.status = self.console.status(line)
                self.status.start()
            else:
                self.status.update(line)
        elif p.elapsed - self.printed >= self.every:
            self.printed = p.elapsed
            self.console.print(f"… {p.words()}", markup=False)

    def close(self) -> None:
        """Remove the status line; the next solve starts its lines afresh."""
        if self.status is not None:
            self.status.stop()
            self.status = None
        self.printed = -math.inf

    def __enter__(self) -> SolveDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@app.command()
def solve(
    file: Path | None = typer.Argument(None, help=FILE_HELP),
    out: Path = typer.Option(Path("results"), "--out", "-o", help="Results folder (written only when complete)."),
    solver: str | None = typer.Option(
        None, help="highs (default), cbc or scip (the extra 'scip'); default: the file's solver.name."
    ),
    time_limit: float | None = typer.Option(
        None,
        "--time-limit",
        help="Seconds; default: the file's solver.time_limit (at prefecture or county resolution 900 unless a file of "
        "yours sets it).",
    ),
    gap: float | None = typer.Option(None, help="Relative MIP gap to stop at; default: the file's solver.gap."),
    export_lp: bool = typer.Option(False, "--export-lp", help="Also write DIR/model.lp (readable names)."),
    export_mps: bool = typer.Option(False, "--export-mps", help="Also write DIR/model.mps."),
    force: bool = typer.Option(
        False, "--force", help="Replace an earlier result in DIR (and an earlier diagnosis in --diagnose-to's folder)."
    ),
    diagnose_to: Path | None = typer.Option(
        None,
        "--diagnose-to",
        help="If infeasible, write the diagnosis to this folder (diagnosis.txt); checked like DIR before solving.",
    ),
    quiet: bool = typer.Option(
        False,
        "--quiet",
        "-q",
        help="Print only the headline (scenario, solver status, objective, gap, time, model size), one line, and "
        "the lines not to miss: a stop at a limit, targets not met. No tables, no progress lines.",
    ),
    start: Path | None = typer.Option(
        None,
        "--start",
        help="A results folder of a nearby scenario (e.g. the last run before your edit): HiGHS and SCIP start from "
        "its layout, which can save most of the solve at prefecture and county level.",
    ),
    lang: Lang = None,
    crs: Literal["gcj02", "wgs84"] = typer.Option(
        "gcj02",
        "--crs",
        help="Coordinates of layout.geojson and layout.gpkg (and the maps): gcj02, the shipped boundaries as read, or "
        "wgs84, converted (needs the wgs84 extra: pip install 'cluster-layout[wgs84]'). Your own boundary files are "
        "written as read.",
    ),
) -> None:
    """Solve a scenario; write assignment.csv, baseline.csv, capacity_wide.csv, layout.geojson, layout.gpkg,
    metrics.json, explanation.json, map.html, report.html."""
    from layout.api import solve as solve_scenario

    def body():
        with SolveDisplay(err_console) as display:  # the solver's progress from `after` seconds into a solve
            result = solve_scenario(
                file,
                out=out,
                force=force,
                export_lp=export_lp,
                export_mps=export_mps,
                diagnose_to=diagnose_to,
                progress=None if quiet else display.step,
                on_progress=None if quiet else display.solver,
                warn=None if quiet else _warning,
                solver=solver,
                time_limit=time_limit,
                gap=gap,
                lang=lang,
                crs=crs,
                start=start,
            )
        _solved(result, out, quiet)
        if result.targets_missed is not None:
            raise typer.Exit(TARGETS_MISSED)

    _guard(body, lang=lang, file=file)


def _warning(text: str) -> None:
    """A rule that makes a target unreachable or an allowance futile, on stderr (`layout solve`, `layout watch`)."""
    err_console.print(tr("warning: {text}", text=text), markup=False, soft_wrap=True)


def _solved(result, out: Path, quiet: bool) -> None:
    """What `layout solve` (and `layout watch` after each save) prints for a solved scenario written to `out`: the
    summary (`print_summary`) in the result's language (--lang, else the file's `language:`)."""
    with using(result.language):
        print_summary(result.metrics_json, out, time_limit=result.run.solver.get("time_limit"), quiet=quiet)


def print_summary(metrics: dict, out: Path, *, time_limit: float | None = None, quiet: bool = False) -> None:
    """The compact summary: solver facts, baseline vs optimised (the metrics of `layout.results.metrics.METRICS`), data gaps.
    `time_limit`: the seconds the solve ran with (said when it stopped the solver). `quiet`: only the headline, on
    one line, and the lines not to miss (a stop at a limit, targets not met). In the current language (codes, file
    names and the sentences metrics.json holds as they are)."""
    from layout.results.folder import missed_words, stopped_words, targets_missed_of
    from layout.results.metrics import METRIC, METRICS, VERDICTS
    from layout.words import fixed

    s, size = metrics["solver"], metrics["model"]
    stopped = stopped_words(s, time_limit)
    missed = targets_missed_of(metrics)
    for year, record in missed:  # the first line: a target not met is never silent
        out_console.print(f"[bold yellow]{escape(missed_words(record, year))}[/]", soft_wrap=True)
    facts = {
        "scenario": f"[bold]{escape(metrics['scenario']['name'])}[/]",
        "solver": s["name"],
        "objective": f"{s['objective']:.4f}",
        "seconds": f"{metrics['timings_seconds']['total']:.1f}",
        "rows": size["rows"],
        "columns": size["columns"],
        "binaries": size["binaries"],
    }
    out_console.print(
        tr(
            "{scenario} — {solver}: {status}, objective {objective}, {seconds} s; {rows} rows × {columns} columns, "
            "{binaries} binaries",
            status=f"[bold yellow]{escape(stopped)}[/]",
            **facts,
        )
        if stopped
        else tr(
            "{scenario} — {solver}: {status}, objective {objective}, gap {gap}, {seconds} s; {rows} rows × {columns} "
            "columns, {binaries} binaries",
            status=escape(translate(s["status"])),
            gap=tr("n/a") if s["gap"] is None else f"{100 * s['gap']:.2f} %",
            **facts,
        ),
        soft_wrap=True,  # one line, piped or not: a script reads it whole
    )
    earlier = [  # the periods before the last (whose solver is the headline's)
        (year, words)
        for year, p in list(metrics.get("periods", {}).items())[:-1]
        if (words := stopped_words(p["solver"], time_limit))
    ]
    for year, words in earlier:
        out_console.print(tr("period {year}: {words}", year=year, words=words), markup=False, soft_wrap=quiet or None)
    if stopped or earlier:
        out_console.print(
            tr(
                "a layout stopped at a limit is feasible, not proved optimal: allow more time with --time-limit SECONDS "
                "(or the file's solver.time_limit)"
            ),
            markup=False,
            soft_wrap=quiet or None,
        )
    for year, record in missed:
        out_console.print(
            tr("held back by (in {year}):", year=year) if year else tr("held back by:"), markup=False, soft_wrap=True
        )
        for line in record["held_back_by"]:
            out_console.print(f"  {line}", markup=False, soft_wrap=True)
    o = metrics["optimised"]
    changes = metrics.get("changes")  # least-change re-planning: the layout against the reference layout
    if quiet:
        if changes:
            out_console.print(tr("changes {text}", text=changes["text"]), markup=False, soft_wrap=True)
        return
    b = metrics["baseline"]
    d = metrics.get("declared")
    t = Table(
        title=tr("declared plans, baseline (uncoordinated local plans) vs optimised layout")
        if d
        else tr("baseline (uncoordinated local plans) vs optimised layout")
    )
    t.add_column(tr("metric"), justify="left")
    for col in ([tr("declared*")] if d else []) + [tr("baseline"), tr("optimised")]:
        t.add_column(col, justify="right")
    t.add_column(tr("vs baseline"), justify="left")
    for m in METRICS:
        values = ([d.get(m.key) if m.declared else None] if d else []) + [b.get(m.key), o.get(m.key)]
        verdict = m.verdict(b.get(m.key), o.get(m.key))
        t.add_row(m.shown(), *(fixed(v, m.digits) for v in values), translate(VERDICTS[verdict]) if verdict else "")
    out_console.print(t)
    if d:
        out_console.print(
            tr(
                "* {coverage}; declared plans state no capacities, so only duplications and similarity apply",
                coverage=d["coverage"],
            ),
            markup=False,
        )
    hosts = Table(title=tr("optimised layout by industry"))
    for k, col in enumerate((tr("code"), tr("industry"), tr("kind"), tr("capacity/target"), tr("hosts"), tr("dups"))):
        hosts.add_column(col, no_wrap=k != 1)
    for ind in metrics["industries"]:
        v = o["industries"][ind["code"]]
        hosts.add_row(
            escape(ind["code"]),
            escape(ind["name"]),
            escape(translate(ind["kind"])),
            f"{v['capacity']:g} / {v['target']:g}",
            str(v["regions"]),
            str(v["duplications"]),
        )
    out_console.print(hosts)
    if "periods" in metrics:
        ph = Table(title=tr("phasing: one solve per plan period, designations persist"))
        for col in (
            tr("period"),
            tr("status"),
            tr("industries"),
            *(METRIC[k].shown() for k in ("clusters", "duplications", "regions_hosting")),
        ):
            ph.add_column(col)
        for year, p in metrics["periods"].items():
            po = p["optimised"]
            ph.add_row(
                year,
                escape(translate(p["solver"]["status"])),
                str(len(p["industries"])),
                str(po["clusters"]),
                str(po["duplications"]),
                str(po["regions_hosting"]),
            )
        out_console.print(ph)
    semicolon = tr("; ")
    if changes:
        out_console.print(tr("changes {text}:", text=changes["text"]), markup=False, soft_wrap=True)
        if changes.get("objective_constant"):
            out_console.print(
                "  "
                + tr(
                    "(the objective above leaves out the constant {constant}, removed weight × the reference's "
                    "designations: add it for the weighted changes in full)",
                    constant=f"{changes['objective_constant']:g}",
                ),
                markup=False,
                soft_wrap=True,
            )
        for c in changes["by_region"]:
            parts = []
            if c["kept"]:
                parts.append(tr("keeps {codes}", codes=listing(c["kept"], None)))
            if c["added"]:
                parts.append(tr("adds {codes}", codes=listing(c["added"], None)))
            if c["removed"]:
                parts.append(tr("gives up {codes}", codes=listing(c["removed"], None)))
            out_console.print(
                "  " + tr("{name} ({code}): {text}", name=c["name"], code=c["code"], text=semicolon.join(parts)),
                markup=False,
                soft_wrap=True,
            )
    for note in metrics.get("policy_levers", []):
        out_console.print(tr("policy lever: {note}", note=note), markup=False)
    nothing = metrics["regions_eligible_for_nothing"]
    if nothing:
        out_console.print(
            tr(
                "eligible for no industry under the scenario's rules: {regions}",
                regions=listing([tr("{name} ({code})", name=r["name"], code=r["code"]) for r in nothing], None),
            ),
            markup=False,
            soft_wrap=True,  # a code is never split over two lines
        )
        shared: dict[str, list[str]] = {}  # why, and what it may host (limits.ineligible_regions): once per reason
        for r in nothing:
            reason = excluded_words(r.get("why"), r.get("may_host"))
            if reason:
                shared.setdefault(reason, []).append(tr("{name} ({code})", name=r["name"], code=r["code"]))
        for reason, regions in shared.items():
            out_console.print(
                "  " + tr("{regions}: {text}", regions=listing(regions, 3), text=reason), markup=False, soft_wrap=True
            )
    for line in data_lines(metrics["missing_data"], metrics.get("data_notes", [])):
        out_console.print(line, markup=False)
    out_console.print(tr("written to {folder}/", folder=out), markup=False)


@app.command("map")
def map_(
    result_dir: Path = typer.Argument(
        ...,
        help="Results folder written by `layout solve`, or a sweep folder (`layout sweep`: writes DIR/robustness.html).",
    ),
    layers: list[str] | None = typer.Option(
        None,
        "--layers",
        help="Layers to draw (industry codes, portfolio, periods, changes, inter-provincial, provincial, characteristic, duplications, clusters-2019); repeat or comma-separate. Default: all. The declared-plans map appears whenever DIR/declared.csv exists.",
    ),
    tiles: str | None = typer.Option(
        None,
        "--tiles",
        help="Online base map: a name (OpenStreetMap, CartoDB positron) or a URL template with {z}/{x}/{y} (Tianditu "
        "with your key, an institute's tile server; needs --attribution); the page then needs the network.",
    ),
    attribution: str | None = typer.Option(
        None, "--attribution", help="The attribution a --tiles URL template's terms require, shown on the map."
    ),
    png: Path | None = typer.Option(None, "--png", help="Also write a static figure (PNG) for reports and papers."),
    force: bool = typer.Option(
        False, "--force", help="Let --png replace an existing file (never a data file of a results folder)."
    ),
    lang: Lang = None,
) -> None:
    """Redraw DIR/map.html (declared plans where the folder has them, baseline and optimised side by side, offline)
    from a results folder; for a sweep
    folder (robustness.csv and sweep.csv), write DIR/robustness.html: how often each region is designated."""
    from layout.api import write_map

    def wrote(path: Path) -> None:
        out_console.print(tr("wrote {path}", path=path), markup=False)

    _guard(
        lambda: write_map(
            result_dir,
            layers=layers,
            tiles=tiles,
            attribution=attribution,
            png=png,
            force=force,
            written=wrote,
            lang=lang,
        ),
        lang=lang,
    )


@app.command()
def explain(
    result_dir: Path = typer.Argument(..., help="Results folder written by `layout solve`."), lang: Lang = None
) -> None:
    """Why this layout: binding constraints, shadow prices, industries held back, near misses."""
    from layout.api import explain_text

    _guard(lambda: _write(explain_text(result_dir, lang=lang)), lang=lang)


@app.command()
def compare(
    dir_a: Path = typer.Argument(..., help="First results folder."),
    dir_b: Path = typer.Argument(..., help="Second results folder."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    lang: Lang = None,
) -> None:
    """Metrics side by side and the region–industry assignments that changed."""
    from layout import api

    def body():
        if as_json:
            _write(json.dumps(api.compare(dir_a, dir_b), indent=2, ensure_ascii=False) + "\n", json_text=True)
        else:
            _write(api.compare_text(dir_a, dir_b, lang=lang))

    _guard(body, lang=lang)


@app.command()
def report(
    result_dir: Path = typer.Argument(..., help="Results folder written by `layout solve`."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Report file; default DIR/report.html."),
    force: bool = typer.Option(
        False, "--force", help="Let --out replace an existing file (never a data file of a results folder)."
    ),
    lang: Lang = None,
) -> None:
    """Rewrite the self-contained HTML report of a results folder."""
    from layout.api import write_report

    _guard(
        lambda: out_console.print(
            tr("wrote {path}", path=write_report(result_dir, out, force=force, lang=lang)), markup=False
        ),
        lang=lang,
    )


@app.command()
def sweep(
    file: Path = typer.Argument(..., help="Constraint file with a `sweep:` section."),
    out: Path = typer.Option(
        Path("sweep"), "--out", "-o", help="Sweep folder: sweep.csv, robustness.csv, points/<id>/."
    ),
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    dask_local: DaskLocal = None,
    solver: PointSolver = None,
    time_limit: PointTimeLimit = None,
    gap: PointGap = None,
    force: bool = typer.Option(False, "--force", help="Re-solve finished points whose inputs changed."),
    no_diagnose: bool = typer.Option(False, "--no-diagnose", help="Skip the infeasibility diagnosis of failed points."),
    quiet: NoProgressBar = False,
    lang: Lang = None,
) -> None:
    """Solve every point of the file's sweep (grid or seeded samples); a failed point is recorded, a rerun resumes."""
    from layout import api

    def body():
        run = _batch_run(workers, dask_scheduler, dask_local, quiet, solver, time_limit, gap, force, lang)
        table = api.sweep(file, out, diagnose=not no_diagnose, **run)
        out_console.print(api.sweep_summary(table), markup=False)

    _guard(body, POINTS_KEPT, lang=lang, file=file)


def _batch_run(
    workers: int | None,
    dask_scheduler: str | None,
    dask_local: int | None,
    quiet: bool,
    solver: str | None,
    time_limit: float | None,
    gap: float | None,
    force: bool,
    lang: str | None = None,
) -> Batch:
    """The keywords `layout.api.sweep` and `layout.api.pareto` share (`layout.api.Batch`): where the points run, the
    progress bar, the solver settings and whether finished points are re-solved."""
    return {
        "workers": workers,
        "dask_scheduler": dask_scheduler,
        "dask_local": dask_local,
        "progress": not quiet,
        "solver": solver,
        "time_limit": time_limit,
        "gap": gap,
        "force": force,
        "lang": lang,
    }


@app.command()
def pareto(
    file: Path | None = typer.Argument(None, help=FILE_HELP),
    between: tuple[str, str] = typer.Option(
        ("homogeneity", "advantage"),
        "--between",
        help="homogeneity and advantage (comparative advantage), or homogeneity and overcapacity.",
    ),
    points: int = typer.Option(7, "--points", help="Points on the front."),
    out: Path = typer.Option(
        Path("pareto"), "--out", "-o", help="Folder: pareto.csv, pareto.png, pareto.html, points/."
    ),
    force: bool = typer.Option(False, "--force", help="Re-solve finished points."),
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    dask_local: DaskLocal = None,
    solver: PointSolver = None,
    time_limit: PointTimeLimit = None,
    gap: PointGap = None,
    quiet: NoProgressBar = False,
    lang: Lang = None,
) -> None:
    """The epsilon-constraint front between homogeneity and comparative advantage (or overcapacity)."""
    from layout.api import pareto as pareto_front

    def body():
        run = _batch_run(workers, dask_scheduler, dask_local, quiet, solver, time_limit, gap, force, lang)
        table = pareto_front(file, out, between=between, points=points, **run)
        out_console.print(table.to_string(index=False), markup=False)
        if table.attrs.get("note"):  # the front's shape, or that the criteria do not conflict (a single point)
            out_console.print(table.attrs["note"], markup=False, soft_wrap=True)
        front = table[table["point"] != "default"]
        if not front["status"].isin(["optimal", "feasible"]).any():  # nothing to draw: not a success
            out_console.print(
                tr("written to {folder}/ (each point's status and message in pareto.csv)", folder=out), markup=False
            )
            raise typer.Exit(1)
        out_console.print(
            tr("written to {folder}/ (pareto.csv, pareto.png, pareto.html, pareto.json, points/)", folder=out),
            markup=False,
        )

    _guard(body, POINTS_KEPT, lang=lang, file=file)


@app.command()
def alternatives(
    file: Path | None = typer.Argument(None, help=FILE_HELP),
    slack: float = typer.Option(
        0.05, "--slack", help="Objective at most the optimum's + slack × |optimum's| (0.05: within 5 %)."
    ),
    count: int = typer.Option(8, "--count", help="Alternatives to find (1 to 999)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random weights of the alternatives after the first."),
    out: Path = typer.Option(
        Path("alternatives"),
        "--out",
        "-o",
        help="Folder: alternatives.csv, alternatives_metrics.csv, alternatives.html, alternatives_map.html, optimum/, "
        "alternatives/a01/ ….",
    ),
    force: bool = typer.Option(False, "--force", help="Recompute a folder of other alternatives."),
    workers: Workers = None,
    dask_scheduler: DaskScheduler = None,
    dask_local: DaskLocal = None,
    solver: PointSolver = None,
    time_limit: PointTimeLimit = None,
    gap: PointGap = None,
    quiet: NoProgressBar = False,
    lang: Lang = None,
) -> None:
    """Near-optimal alternatives: layouts within the slack of the optimum that differ from it the most (MGA)."""
    from layout import api

    def body():
        run = _batch_run(workers, dask_scheduler, dask_local, quiet, solver, time_limit, gap, force, lang)
        table = api.alternatives(file, out, slack=slack, count=count, seed=seed, **run)
        for line in table.attrs["summary"]:
            out_console.print(line, markup=False, soft_wrap=True)
        found = table.attrs["metrics"]
        found = found[found["layout"] != "optimum"]
        if not found["status"].isin(["optimal", "feasible"]).any():  # no alternative: not a success
            raise typer.Exit(1)

    _guard(body, LAYOUTS_KEPT, lang=lang, file=file)


@app.command()
def validate(file: Path = typer.Argument(..., help="Constraint file (YAML)."), lang: Lang = None) -> None:
    """Check a constraint file and its regions without solving; report every problem at once."""
    from layout.api import validate as validate_file

    def body():
        warnings: list[str] = []  # rules that make a target unreachable or an allowance futile (exit 0)
        inst = validate_file(file, warn=warnings.append, lang=lang)
        with using(inst.language):  # --lang, else the file's `language:`
            _valid(file, inst, warnings)

    _guard(body, lang=lang, file=file)


def _valid(file: Path, inst, warnings: list[str]) -> None:
    """What `layout validate` prints for a valid file: one line of sizes, then its warnings and data gaps, each on
    one line however long (a script reads them whole)."""
    out_console.print(
        tr(
            "{file}: valid — {regions} regions, {industries} industries, {groups} inter-provincial groups, "
            "{pairs} neighbour pairs",
            file=file,
            regions=len(inst.regions),
            industries=len(inst.industries),
            groups=len(inst.groups),
            pairs=len(inst.neighbours),
        ),
        markup=False,
        soft_wrap=True,  # one line however long the path: a script reads it whole
    )
    for w in warnings:
        out_console.print(tr("warning: {text}", text=w), markup=False, soft_wrap=True)
    for line in data_lines(inst.missing, inst.data_notes):
        out_console.print(line, markup=False, soft_wrap=True)


@app.command()
def serve(
    file: Path = typer.Argument(
        None, help="Constraint file to edit (default ./scenario.yaml; created from a text extending the default)."
    ),
    port: int = typer.Option(8765, "--port", help="Port on 127.0.0.1."),
    host: str = typer.Option(
        None, "--host", help="Listen on this address instead of loopback (every request then needs the token printed)."
    ),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in the browser."),
    workspace: Path = typer.Option(None, "--workspace", help="Folder of the runs (default: FILE's name + .runs)."),
    lang: Lang = None,
) -> None:
    """The planner's workbench: edit the constraint file in the browser, see the layout change and why (Ctrl-C
    stops it)."""
    from layout.api import serve as run

    def say(line: str) -> None:
        out_console.print(line, markup=False, soft_wrap=True)

    _guard(
        lambda: run(file, port=port, host=host, open_browser=open_browser, workspace=workspace, lang=lang, say=say),
        interrupted=marked("the workbench stopped; every finished run is kept in its workspace"),
        lang=lang,
        file=file,
    )


@app.command()
def watch(
    file: Path = typer.Argument(..., help="Constraint file (YAML) to solve again on every save."),
    out: Path = typer.Option(
        Path("results"),
        "--out",
        "-o",
        help="Results folder, replaced by each save that solves (a save that does not leaves it as it is).",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Print only the headline of each summary and what changed; no progress lines."
    ),
    lang: Lang = None,
) -> None:
    """Solve a constraint file into DIR, then again on every save: the summary, what changed since the last good
    layout, and DIR/map.html reloading itself in an open browser (Ctrl-C stops)."""
    from layout import api

    def say(line: str) -> None:
        out_console.print(line, markup=False, soft_wrap=True)

    def body() -> None:
        with SolveDisplay(err_console) as display:  # the solver's progress from `after` seconds into a solve

            def solved(result) -> None:
                display.close()
                _solved(result, out, quiet)

            def failed(error: LayoutError) -> None:
                display.close()
                with using(lang or error.language):  # as `layout solve` says it, and the watch goes on
                    _print_error(error)

            api.watch(
                file,
                out,
                lang=lang,
                solved=solved,
                failed=failed,
                say=say,
                progress=None if quiet else display.step,
                on_progress=None if quiet else display.solver,
                warn=None if quiet else _warning,
            )

    _guard(body, interrupted=marked("the results folder keeps the last layout written"), lang=lang, file=file)


@app.command()
def schema() -> None:
    """Print the JSON Schema of constraint files (for editor completion)."""
    from layout.api import schema as json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    """The `layout` program (console entry point and `python -m layout`): the command line is recorded as the command
    that writes the results folders (manifest.json `command`), then run."""
    from layout.results.folder import record_command

    record_command(sys.argv[1:])
    warnings.showwarning = _show_warning
    app()


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001 - warnings' hook
    """Print a library's warning (matplotlib's of a glyph missing for a character of a name, ...) as Python would, its
    control characters escaped like every other line (`printable`): a name's ESC or BEL never reaches the terminal."""
    text = warnings.formatwarning(message, category, filename, lineno, line)
    with contextlib.suppress(OSError, ValueError):  # no stderr left to write to: as Python's own hook
        (file or sys.stderr).write(printable(text))
