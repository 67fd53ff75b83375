"""The workbench's web application (Starlette on uvicorn: a maintained, small ASGI stack; the page needs only plain
routes, a file watcher and a stream of server-sent events, none of FastAPI's schema machinery).

Routes (all under the guard below):
    GET  /                      the page (`layout.workbench.page`)
    GET  /static/<name>         its script and style (files of this package: nothing from the network)
    GET  /api/state             the file's text on disk and its SHA-256, the runs, the solve under way
    POST /api/edit              {text}: validate and solve the editor's text (cancelling a solve under way)
    POST /api/save              {text, base}: write FILE atomically, byte for byte; 409 if FILE changed on disk
                                since `base` (its SHA-256 when the page last read or wrote it), unless {force}
    GET  /api/events            server-sent events: started, valid, step, warning, progress, finished, cancelled,
                                disk (FILE changed on disk: its text and SHA-256)
    GET  /api/diff?a=N&b=M      runs N and M side by side (`layout.workbench.diff.run_diff`)
    GET  /runs/<n>/<file>       a file of run n's results folder (map.html, report.html, ...) or its scenario.yaml
    GET  /runs/<b>/versus/<a>/map.html   run b's map with a layer of its changes against run a

The guard: a request whose Host is not the server's own (DNS rebinding) or whose Origin is another site's is refused
(403); with an access token (`--host`), a request without it (query `token=` once, then a cookie) is refused. Only
FILE and the workspace are read or written; the constraint text is data, parsed by the YAML reader, never code.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import tempfile
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from layout.language import marked, translate, using
from layout.results.folder import folder_language
from layout.workbench.diff import run_diff, versus_map
from layout.workbench.page import page_html
from layout.workbench.runner import Runner
from layout.workbench.workspace import RESULT, SCENARIO, Workspace

STATIC = Path(__file__).with_name("static")
STATIC_FILES = {"workbench.js": "text/javascript", "workbench.css": "text/css"}
TOKEN_COOKIE = "layout_workbench_token"
MAX_TEXT = 4 * 1024 * 1024  # bytes of constraint text an edit or a save may carry
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Guard:
    """ASGI middleware: only the server's own Host (`hosts`, host:port; None: any, for a server listening beyond
    loopback, whose every request needs the token), no Origin but the Host's own, and the token when there is one."""

    def __init__(self, app: ASGIApp, hosts: set[str] | None, token: str | None):
        self.app, self.hosts, self.token = app, hosts, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        origin = headers.get("origin")
        if self.hosts is not None and host not in self.hosts:
            await PlainTextResponse("refused: this server answers only to its own address", 403)(scope, receive, send)
            return
        if origin is not None and origin != f"http://{host}":
            await PlainTextResponse("refused: a request from another site", 403)(scope, receive, send)
            return
        if self.token is not None:
            request = Request(scope)
            given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE) or ""
            if not hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode()):
                await PlainTextResponse("refused: the access token printed at start is needed", 403)(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)


class Bench:
    """The server's state: FILE, the workspace, the runner, the pages listening for events."""

    def __init__(self, file: Path, workspace: Workspace, lang: str | None, template: str):
        self.file, self.workspace, self.lang, self.template = Path(file), workspace, lang, template
        self.listeners: set[asyncio.Queue] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.lock = threading.Lock()  # FILE's check-and-write, and the versus maps being drawn
        self.closing = asyncio.Event()  # set at shutdown: the event streams end, so the server can stop
        self.disk_sha = self.read_disk()[1]
        self.runner = Runner(workspace, self.file, lang, self.emit)

    def read_disk(self) -> tuple[str, str | None]:
        """FILE's text and SHA-256 (the template and None when FILE does not exist yet)."""
        try:
            data = self.file.read_bytes()
        except FileNotFoundError:
            return self.template, None
        return data.decode("utf-8", "replace"), sha256(data)

    def catch_up(self) -> None:
        """At start: solve FILE's text unless the last run solved exactly it (a first start, or a file edited while
        no server ran)."""
        last = self.workspace.last()
        text, _ = self.read_disk()
        if not last or self.workspace.text(last) != text:
            self.runner.submit(text, "disk")

    def stop_streams(self) -> None:
        """End every page's event stream (at shutdown; from a signal handler or any thread)."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.closing.set)

    def emit(self, event: dict[str, Any]) -> None:
        """Send an event to every page listening (from any thread)."""
        loop = self.loop
        if loop is None:
            return
        for queue in list(self.listeners):
            loop.call_soon_threadsafe(queue.put_nowait, event)

    def save(self, text: str, base: str | None, force: bool) -> dict[str, Any]:
        """Write FILE atomically (a temporary file beside the real file — a symbolic link is followed, never
        replaced — then renamed over it): byte for byte `text` in UTF-8, unless FILE changed on disk since `base` (its
        SHA-256 when the page last read or wrote it) and not `force`: then {conflict, text, sha} of the disk's."""
        with self.lock:  # the check and the write together; the watcher reads disk_sha under it too
            disk, sha = self.read_disk()
            if sha != base and not force:
                return {"conflict": True, "text": disk, "sha": sha}
            data = text.encode("utf-8")
            real = Path(os.path.realpath(self.file))
            fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                mode = real.stat().st_mode & 0o777 if real.exists() else 0o666 & ~_umask()
                os.chmod(tmp, mode)
                self.disk_sha = sha256(data)  # before the rename: the watcher then knows it for our own
                os.replace(tmp, real)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            return {"sha": self.disk_sha}

    def disk_changed(self) -> None:
        """FILE changed on disk: unless it is our own save, solve its text (as an edit from disk) and tell the pages
        (`disk`: its text, SHA-256 and the edit's number)."""
        with self.lock:
            text, sha = self.read_disk()
            if sha is None or sha == self.disk_sha:
                return
            self.disk_sha = sha
        edit = self.runner.submit(text, "disk")
        self.emit({"type": "disk", "text": text, "sha": sha, "edit": edit})

    async def watch(self) -> None:
        """Follow FILE on disk (watchfiles; a symbolic link's target): a change not made by `save` is solved."""
        from watchfiles import awatch

        target = Path(os.path.realpath(self.file))
        async for _ in awatch(target.parent, watch_filter=lambda _c, p: os.path.realpath(p) == str(target)):
            await asyncio.to_thread(self.disk_changed)


def _umask() -> int:
    """The process's file-creation mask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def create_app(bench: Bench, hosts: set[str] | None, token: str | None) -> ASGIApp:
    """The workbench's ASGI application for `bench`, answering to `hosts` (host:port), with `token` if given."""

    async def index(request: Request) -> Response:
        response = HTMLResponse(page_html(bench.file, bench.lang))
        if token is not None and request.query_params.get("token"):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return PlainTextResponse("not found", 404)
        return FileResponse(STATIC / name, media_type=STATIC_FILES[name])

    async def state(request: Request) -> Response:
        text, sha = bench.read_disk()
        runs = [r.__dict__ | {"solved": r.solved} for r in bench.workspace.records()]
        return JSONResponse(
            {"file": str(bench.file), "text": text, "sha": sha, "runs": runs, "running": bench.runner.running()}
        )

    async def body(request: Request) -> dict[str, Any] | Response:
        raw = await request.body()
        if len(raw) > MAX_TEXT:
            return PlainTextResponse("too large", 413)
        try:
            data = json.loads(raw)
        except ValueError:
            return PlainTextResponse("expected a JSON object", 400)
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return PlainTextResponse("expected a JSON object with `text`", 400)
        try:
            data["text"].encode("utf-8")
        except UnicodeEncodeError as e:  # JSON's "\ud800": no file can hold it, nor can the page have typed it
            line = data["text"].count("\n", 0, e.start) + 1
            return PlainTextResponse(f"expected text of Unicode characters; found a lone surrogate at line {line}", 400)
        return data

    async def edit(request: Request) -> Response:
        data = await body(request)
        if isinstance(data, Response):
            return data
        origin = "disk" if data.get("origin") == "disk" else "page"
        number = await asyncio.to_thread(bench.runner.submit, data["text"], origin)
        return JSONResponse({"edit": number})

    async def save(request: Request) -> Response:
        data = await body(request)
        if isinstance(data, Response):
            return data
        done = await asyncio.to_thread(bench.save, data["text"], data.get("base"), bool(data.get("force")))
        return JSONResponse(done, 409 if done.get("conflict") else 200)

    async def events(request: Request) -> Response:
        queue: asyncio.Queue = asyncio.Queue()
        bench.listeners.add(queue)

        async def stream() -> AsyncIterator[str]:
            try:
                yield ": connected\n\n"
                quiet = 0  # seconds without an event: a comment line every 15 keeps proxies from closing it
                while not bench.closing.is_set():
                    try:
                        event = await asyncio.wait_for(queue.get(), 1)
                    except TimeoutError:
                        quiet += 1
                        if quiet % 15 == 0:
                            yield ": keep-alive\n\n"
                        continue
                    yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n"
            finally:
                bench.listeners.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    def solved_pair(a: int, b: int) -> tuple[Path, Path] | None:
        """Runs a and b's results folders, or None unless both solved."""
        fa, fb = bench.workspace.result(a), bench.workspace.result(b)
        return None if fa is None or fb is None else (fa, fb)

    async def diff(request: Request) -> Response:
        try:
            a, b = int(request.query_params["a"]), int(request.query_params["b"])
        except (KeyError, ValueError):
            return PlainTextResponse("expected ?a=N&b=M", 400)
        pair = solved_pair(a, b)
        if pair is None:
            return PlainTextResponse("both runs must have solved", 404)
        fa, fb = pair
        ws = bench.workspace

        def build() -> dict:
            with using(bench.lang or folder_language(fb)):
                return run_diff(bench.file, (fa, ws.text(a) or ""), (fb, ws.text(b) or ""))

        return JSONResponse(await asyncio.to_thread(build))

    async def versus(request: Request) -> Response:
        a, b = request.path_params["a"], request.path_params["b"]
        pair = solved_pair(a, b)
        if pair is None:
            return PlainTextResponse("both runs must have solved", 404)
        fa, fb = pair

        def build() -> Path:
            with using(bench.lang or folder_language(fb)):
                label = translate(marked("run {n}"), n=a)
                with bench.lock:  # one drawing at a time: a second request waits and finds it drawn
                    return versus_map(fa, fb, bench.workspace.folder_of(b) / f"versus-{a:03d}", label)

        return FileResponse(await asyncio.to_thread(build), headers={"Cache-Control": "no-store"})

    async def run_file(request: Request) -> Response:
        number, name = request.path_params["number"], request.path_params["name"]
        folder = bench.workspace.folder_of(number)
        path = folder / SCENARIO if name == SCENARIO else folder / RESULT / name
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return PlainTextResponse("not found", 404)
        if not real.is_file() or folder.resolve() not in real.parents:
            return PlainTextResponse("not found", 404)
        return FileResponse(real, headers={"Cache-Control": "no-store"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        bench.loop = asyncio.get_running_loop()
        bench.closing = asyncio.Event()
        catching_up = asyncio.create_task(asyncio.to_thread(bench.catch_up))  # the server listens meanwhile
        watcher = asyncio.create_task(bench.watch())
        try:
            yield
        finally:
            bench.closing.set()
            watcher.cancel()
            catching_up.cancel()
            bench.runner.close()

    routes = [
        Route("/", index),
        Route("/static/{name}", static),
        Route("/api/state", state),
        Route("/api/edit", edit, methods=["POST"]),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/events", events),
        Route("/api/diff", diff),
        Route("/runs/{b:int}/versus/{a:int}/map.html", versus),
        Route("/runs/{number:int}/{name:str}", run_file),
    ]
    return Guard(Starlette(routes=routes, lifespan=lifespan), hosts, token)
