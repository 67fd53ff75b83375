"""Benchmark: the workbench's edit-to-map time at province level (`layout serve`, issue "The planner's workbench").

    python bench/workbench_bench.py [--edits 20] [--out bench/workbench_bench.txt]

Starts `layout serve` on a scenario extending the shipped default (31 provinces), opens the page in Debian's
chromium (Playwright, headless), waits for the first layout, then makes `--edits` edits in the page's editor, each
changing `limits.max_clusters` (3 → 2 → 4 → 3 …) or an objective weight, one after the other. For each edit it
measures

  page: from the keystroke to the new map loaded in the page (includes the page's 0.4 s debounce);
  server: from the edit's arrival at the server to its results folder written (run.json `seconds`);

and the phases of the server's solve from its step lines (load and checks, build, solve, explanation, writing).
Prints median and worst of each, the model's size, the machine and its load; `--out` also writes it to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "# workbench benchmark\nextends: default\nlimits:\n  max_clusters: {k}\nobjective:\n  homogeneity: {h}\n"
EDITS = [(2, 1.0), (4, 1.0), (3, 1.0), (3, 2.0), (2, 2.0), (3, 0.5), (4, 0.5), (3, 1.0)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return f"{cpu}, {os.cpu_count()} cores, {int(memory) // 1024 // 1024} GB; Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="workbench-bench-"))
    file = folder / "scenario.yaml"
    file.write_text(BASE.format(k=3, h=1.0), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "layout", "serve", str(file), "--port", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    lines = [f"machine: {machine()}", f"load average at start: {os.getloadavg()}"]
    page_times: list[float] = []
    server_times: list[float] = []
    phases: dict[str, list[float]] = {}
    size = ""
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            events: list[tuple[float, dict]] = []
            page.expose_function("benchEvent", lambda e: events.append((time.perf_counter(), json.loads(e))))
            for _ in range(300):
                try:
                    page.goto(url)
                    break
                except Exception:  # noqa: BLE001 - the server is still starting
                    time.sleep(0.2)
            page.evaluate("() => { new EventSource('/api/events').onmessage = (m) => window.benchEvent(m.data); }")
            page.wait_for_function("document.getElementById('map').dataset.run", timeout=180_000)
            for n in range(args.edits):
                k, h = EDITS[n % len(EDITS)]
                shown = page.get_attribute("#map", "data-run")
                events.clear()
                t0 = time.perf_counter()
                page.fill("#editor", BASE.format(k=k, h=h))
                page.wait_for_function(
                    f"document.getElementById('map').dataset.run !== '{shown}'", timeout=600_000, polling=20
                )
                run = page.get_attribute("#map", "data-run")
                frame = page.frame_locator("#map")
                frame.locator("path.leaflet-interactive").first.wait_for(timeout=600_000)
                t1 = time.perf_counter()
                page_times.append(t1 - t0)
                record = json.loads((folder / "scenario.runs" / "runs" / f"{int(run):03d}" / "run.json").read_text())
                server_times.append(record["seconds"])
                steps = [(t, e["line"]) for t, e in events if e.get("type") == "step"]
                start = next((t for t, e in events if e.get("type") == "started"), t0)
                end = next((t for t, e in events if e.get("type") == "finished"), t1)
                marks = [(start, "start"), *steps, (end, "end")]
                for (ta, la), (tb, _) in zip(marks, marks[1:]):
                    phases.setdefault(la.split(" (")[0], []).append(tb - ta)
                    if la.startswith("solving with"):
                        size = la
                print(
                    f"edit {n + 1}: max_clusters {k}, homogeneity {h}: page {t1 - t0:.2f} s, server {record['seconds']:.2f} s"
                )
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(30)
    lines += [
        f"load average at end: {os.getloadavg()}",
        f"model: {size}",
        f"edits: {len(page_times)} (one at a time)",
        f"page, keystroke to new map loaded (incl. 0.4 s debounce): median {statistics.median(page_times):.2f} s, "
        f"worst {max(page_times):.2f} s",
        f"server, edit received to results folder written: median {statistics.median(server_times):.2f} s, "
        f"worst {max(server_times):.2f} s",
        "phases of the server's solve (median / worst, s):",
        *(f"  {k:<60} {statistics.median(v):6.2f} / {max(v):6.2f}" for k, v in phases.items()),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
