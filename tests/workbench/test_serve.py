"""`layout serve` in a real browser (Debian chromium via Playwright; every request but the loopback server's is
aborted): an edit redraws the map and lists what moved and why; a syntax error shows at its line while the last map
stays; a save on disk is followed; two quick edits leave one finished run and no solver behind; the page's save
writes the file byte for byte and never overwrites a change made on disk meanwhile; foreign Host and Origin headers
are refused; beyond loopback every request needs the access token.

One server serves the module (a subprocess on a free port, the shipped default extended with max_clusters 3, about
two seconds a solve); each test waits for the runs it causes, counting from the runs already there.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import ARGS  # noqa: F401  (the browser fixture's arguments; imported for the record)

ROOT = Path(__file__).resolve().parents[2]
TEXT = "# the workbench's test scenario\nextends: default\nlimits:\n  max_clusters: 3\n"
WAIT = 120.0  # seconds at most for anything the server does (a solve takes about two here)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `layout serve` subprocess: its URL, file, workspace and output."""

    def __init__(self, folder: Path, *more: str, text: str = TEXT):
        self.folder = folder
        self.file = folder / "scenario.yaml"
        self.file.write_text(text, encoding="utf-8")
        self.workspace = folder / "scenario.runs"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (folder / "server.log").open("w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "layout", "serve", str(self.file), "--port", str(self.port), *more],
            cwd=folder,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_for(lambda: self.answers(), "the server to answer")

    def answers(self) -> bool:
        try:
            return self.request("/api/state")[0] in (200, 403)
        except OSError:
            return False

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(
            self.url + path, data=body, headers={"Content-Type": "application/json", **(headers or {})}
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def state(self) -> dict:
        status, text = self.request("/api/state")
        assert status == 200, text
        return json.loads(text)

    def runs(self) -> list[dict]:
        return self.state()["runs"]

    def wait_for(self, ready, what: str) -> None:
        end = time.monotonic() + WAIT
        while time.monotonic() < end:
            if self.process.poll() is not None:
                self.log.seek(0)
                pytest.fail(f"the server stopped while waiting for {what}: {self.log.read()}")
            if ready():
                return
            time.sleep(0.2)
        self.log.seek(0)
        pytest.fail(f"waited {WAIT} s for {what}; server output: {self.log.read()}")

    def solve_children(self) -> list[int]:
        """Processes the server's forkserver started (the solves) that are still alive."""

        def children(pid: int) -> list[int]:
            out = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == pid and fields[0] != "Z":
                    out.append(int(stat.parent.name))
            return out

        found = []
        for child in children(self.process.pid):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"forkserver" in cmdline:
                found += children(child)
        return found

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("serve"))
    yield s
    s.stop()


@pytest.fixture
def page(browser, server):
    # every request but the server's goes to a proxy that is not there (and is recorded); the server's requests are
    # not intercepted: an intercepted event stream would be held until it ends, which it never does
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    outside: list[str] = []
    context.on(
        "request", lambda r: None if r.url.startswith((server.url + "/", "about:", "data:")) else outside.append(r.url)
    )
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.goto(server.url + "/")
    p.wait_for_selector("body[data-ready='1']")
    yield p
    assert not errors, errors
    assert not outside, outside  # the page and its map ask nothing of the network
    context.close()


def map_run(p) -> str | None:
    return p.get_attribute("#map", "data-run")


def fills(p, run: str) -> list[str]:
    """The fill of every region drawn on run `run`'s map in the page (Leaflet's SVG paths), once that map is loaded."""
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        frames = [f for f in p.frames if f.url.endswith(f"/runs/{run}/map.html")]
        if frames:
            frame = frames[0]
            frame.wait_for_load_state()
            frame.wait_for_selector("path.leaflet-interactive")
            return frame.eval_on_selector_all("path.leaflet-interactive", "ps => ps.map(p => p.getAttribute('fill'))")
        p.wait_for_timeout(200)  # (lets Playwright take in the frame's navigation; time.sleep would not)
    pytest.fail(f"run {run}'s map never loaded: {[f.url for f in p.frames]}")


def set_text(p, text: str) -> None:
    """Replace the editor's text as a person would (select all, type), firing its input events."""
    p.fill("#editor", text)


def test_an_edit_redraws_the_map_and_says_what_moved_and_why(server, page):
    server.wait_for(lambda: any(r["solved"] for r in server.runs()), "the first solve")
    page.wait_for_function("document.getElementById('map').dataset.run")
    first = map_run(page)
    before = fills(page, first)
    set_text(page, TEXT.replace("max_clusters: 3", "max_clusters: 2"))
    page.wait_for_function(f"document.getElementById('map').dataset.run !== '{first}'", timeout=WAIT * 1000)
    after = fills(page, map_run(page))
    assert before != after  # the fills changed: another layout
    page.wait_for_selector("#diff-body ul.moved li")
    warnings = page.locator("#warnings li").all_inner_texts()  # the rule warnings of the file, as validate gives them
    assert len(warnings) == 2 and all(w.startswith("warning: ") for w in warnings), warnings
    assert any("groups.BBG" in w for w in warnings) and any("groups.YREB" in w for w in warnings), warnings
    moved = page.locator("#diff-body ul.moved li").all_inner_texts()
    assert moved and all("→" in m for m in moved), moved
    edit = page.locator("#diff-body ul.edit").inner_text()
    assert "limits.max_clusters: 3 → 2" in edit and "focus" in edit, edit
    assert re.search(r"takes part in its maximum of 2 clusters|is held back in", edit), edit
    # the map of the differences: the new layout with a layer of what each region kept, gained and lost
    page.click("#versus")
    versus = f"/runs/{map_run(page)}/versus/{first}/map.html"
    frame = None
    for _ in range(600):
        frame = next((f for f in page.frames if f.url.endswith(versus)), None)
        if frame is not None:
            break
        page.wait_for_timeout(200)
    assert frame is not None, [f.url for f in page.frames]
    frame.wait_for_selector("path.leaflet-interactive")
    header = frame.inner_text("body")
    assert re.search(rf"\d+ changes against run {first}: \d+ designations kept, \d+ added, \d+ removed", header), header
    run = server.runs()[-1]
    assert run["solved"] and (server.workspace / "runs" / f"{run['number']:03d}" / "scenario.yaml").read_text(
        encoding="utf-8"
    ) == TEXT.replace("max_clusters: 3", "max_clusters: 2")


def test_a_syntax_error_shows_at_its_line_and_the_map_stays(server, page):
    server.wait_for(lambda: any(r["solved"] for r in server.runs()), "a solved run")
    page.wait_for_function("document.getElementById('map').dataset.run")
    shown = map_run(page)
    count = len(server.runs())
    set_text(page, TEXT.replace("  max_clusters: 3", "  max_clusters: 3: 4"))
    page.wait_for_selector("#errors li.error", timeout=WAIT * 1000)
    errors = page.locator("#errors li").all_inner_texts()
    assert any(e.startswith("line 4:") and "valid YAML" in e for e in errors), errors
    assert page.locator("#gutter .line.error").all_inner_texts() == ["4"]
    assert map_run(page) == shown  # the last good layout stays on screen
    assert len(server.runs()) == count + 1 and server.runs()[-1]["status"] == "bad input"


def test_a_save_on_disk_is_followed(server, page):
    server.wait_for(lambda: server.state()["running"] is None, "the server to be idle")
    count = len(server.runs())
    new = TEXT.replace("max_clusters: 3", "max_clusters: 4") + "# saved in another editor\n"
    server.file.write_text(new, encoding="utf-8")
    page.wait_for_function("document.getElementById('editor').value.includes('saved in another editor')")
    server.wait_for(lambda: any(r["origin"] == "disk" for r in server.runs()[count:]), "the run of the saved file")
    (run,) = [r for r in server.runs()[count:] if r["origin"] == "disk"]
    assert run["solved"]
    page.wait_for_function(f"document.getElementById('map').dataset.run === '{run['number']}'")


def test_two_quick_edits_leave_one_finished_run_and_no_solver_behind(server, page):
    server.wait_for(lambda: server.state()["running"] is None, "the server to be idle")
    count = len(server.runs())
    first = TEXT.replace("max_clusters: 3", "max_clusters: 2")
    second = TEXT.replace("max_clusters: 3", "max_clusters: 5")
    assert server.request("/api/edit", {"text": first})[0] == 200
    server.wait_for(lambda: server.solve_children(), "the first edit's solve to start")
    assert server.request("/api/edit", {"text": second})[0] == 200
    server.wait_for(lambda: server.state()["running"] is None and len(server.runs()) > count, "the second edit's run")
    time.sleep(1.0)  # anything still to come would have come
    runs = server.runs()
    assert len(runs) == count + 1
    number = runs[-1]["number"]
    assert (server.workspace / "runs" / f"{number:03d}" / "scenario.yaml").read_text(encoding="utf-8") == second
    assert server.solve_children() == []  # the cancelled solve was killed, the finished one reaped
    assert not list((server.workspace / "runs").glob(".pending-*"))


def test_the_page_saves_byte_for_byte_and_never_overwrites_a_change_on_disk(server, page):
    server.wait_for(lambda: server.state()["running"] is None, "the server to be idle")
    mine = TEXT.replace("max_clusters: 3", "max_clusters: 3  # 中文注释") + "name: 保存测试\n"
    set_text(page, mine)
    page.click("#save")
    page.wait_for_function("document.getElementById('dirty').textContent === ''")
    assert server.file.read_bytes() == mine.encode("utf-8")
    assert not list(server.folder.glob(".scenario.yaml.*"))  # the temporary file was renamed into place

    set_text(page, mine + "# an unsaved edit\n")
    theirs = TEXT + "# written elsewhere\n"
    server.file.write_text(theirs, encoding="utf-8")
    page.wait_for_selector("#banner:not([hidden])")
    assert "unsaved edits" in page.inner_text("#banner")
    assert page.input_value("#editor") == mine + "# an unsaved edit\n"  # the page's edits are kept
    page.click("#banner button:nth-of-type(2)")  # keep my edits
    page.click("#save")  # the page now knows the disk's version: saving replaces it knowingly
    page.wait_for_function("document.getElementById('dirty').textContent === ''")
    assert server.file.read_bytes() == (mine + "# an unsaved edit\n").encode("utf-8")

    # a save based on an old version is refused with the file's text
    status, body = server.request("/api/save", {"text": "extends: default\n", "base": "0" * 64})
    assert status == 409 and json.loads(body)["text"] == mine + "# an unsaved edit\n"


def test_foreign_host_and_origin_are_refused(server):
    server.wait_for(lambda: server.state()["running"] is None, "the server to be idle")
    time.sleep(1.0)  # an edit the previous test's page still had in its 0.4 s debounce arrives now, not below
    server.wait_for(lambda: server.state()["running"] is None, "the server to be idle")
    count = len(server.runs())
    assert server.request("/api/state", headers={"Origin": "http://evil.example"})[0] == 403
    assert server.request("/api/state", headers={"Host": f"evil.example:{server.port}"})[0] == 403
    status, _ = server.request("/api/edit", {"text": TEXT}, headers={"Origin": "http://evil.example"})
    assert status == 403
    assert server.request("/api/state", headers={"Origin": server.url})[0] == 200
    assert server.request("/runs/1/../../scenario.yaml")[0] == 404
    time.sleep(0.5)
    assert len(server.runs()) == count and server.state()["running"] is None  # the refused edit started nothing


def test_a_lone_surrogate_in_an_edit_or_a_save_is_refused_and_leaves_nothing(server):
    """Found: JSON's "\\ud800" in an edit's or a save's text was a server error (500) and left a `.pending-*` run folder
    behind. It is text no file can hold: refused (400), nothing started or written."""
    server.wait_for(lambda: server.runs() and server.state()["running"] is None, "the file's first run to end")
    count, before = len(server.runs()), server.file.read_bytes()
    for path, data in (
        ("/api/edit", {"text": "name: x\nlimits: \ud800\n"}),
        ("/api/save", {"text": "x\ud800", "base": None}),
    ):
        status, said = server.request(path, data)
        assert status == 400, (path, status, said)
        assert said == "expected text of Unicode characters; found a lone surrogate at line 2" or path == "/api/save"
    time.sleep(0.5)
    assert len(server.runs()) == count and server.state()["running"] is None
    assert not list((server.workspace / "runs").glob(".pending*")) and server.file.read_bytes() == before


def test_an_edit_names_no_file_outside_the_files_folder(server, tmp_path):
    """Found: an edit's text could name any file the server's user may read (`indicators: /etc/passwd`, an `extends:`
    elsewhere), and parts of it came back in the run's message (`found columns ['root:x:0:0:…']`): through the server,
    only FILE's folder is read (docs/workbench.md, Security)."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: my secret scenario\n", encoding="utf-8")
    edits = {
        "regions.indicators": "extends: default\nregions: {source: files, boundaries: /etc/hostname, "
        "indicators: /etc/passwd, code_field: code, name_field: name}\n",
        "extends": f"extends: {secret}\n",
    }
    for key, text in edits.items():
        server.wait_for(lambda: server.runs() and server.state()["running"] is None, "the server to be idle")
        count = len(server.runs())
        assert server.request("/api/edit", {"text": text})[0] == 200
        server.wait_for(lambda count=count: len(server.runs()) > count, "the edit's run")
        run = server.runs()[-1]
        assert run["status"] == "bad input", run
        assert f"{key}: expected a file in {server.folder} (the workbench reads no file outside" in run["message"], run
        assert "root:" not in json.dumps(run) and "my secret" not in json.dumps(run)


def test_a_save_on_disk_is_solved_with_no_page_open(server):
    server.wait_for(lambda: server.state()["running"] is None, "the server to be idle")
    count = len(server.runs())
    server.file.write_text(TEXT + "# saved with no page open\n", encoding="utf-8")
    server.wait_for(lambda: len(server.runs()) > count, "the run of the file saved on disk")
    run = server.runs()[-1]
    assert run["origin"] == "disk" and run["solved"]


def test_a_second_server_on_the_workspace_is_refused(server):
    other = subprocess.run(
        [sys.executable, "-m", "layout", "serve", str(server.file), "--port", str(free_port())],
        cwd=server.folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert other.returncode == 2, other.stdout + other.stderr
    assert "--workspace: expected a workspace no other `layout serve` is using" in other.stderr
    assert server.state()["running"] is None or server.process.poll() is None  # the first server is untouched


def test_ctrl_c_stops_the_server_with_a_page_listening(tmp_path):
    s = Server(tmp_path)
    stream = urllib.request.urlopen(s.url + "/api/events", timeout=60)  # an open page's event stream
    try:
        s.wait_for(lambda: s.runs() and s.state()["running"] is None, "the first run")
        os.killpg(s.process.pid, signal.SIGINT)
        s.process.wait(20)  # not held open by the stream
    finally:
        stream.close()
        if s.process.poll() is None:
            os.killpg(s.process.pid, signal.SIGKILL)
    assert s.process.returncode in (0, 130), s.process.returncode
    s.log.seek(0)
    assert "Traceback" not in s.log.read()


def test_beyond_loopback_every_request_needs_the_token(tmp_path):
    s = Server(tmp_path, "--host", "0.0.0.0")
    try:
        s.wait_for(lambda: "token=" in (s.folder / "server.log").read_text(encoding="utf-8"), "the token line")
        token = re.search(r"token=([\w-]+)", (s.folder / "server.log").read_text(encoding="utf-8")).group(1)
        assert s.request("/api/state")[0] == 403
        assert s.request("/api/state?token=wrong")[0] == 403
        assert s.request(f"/api/state?token={token}")[0] == 200
        assert s.request("/api/state?token=%C3%A9")[0] == 403  # not ASCII: refused, not a server error
    finally:
        s.stop()
