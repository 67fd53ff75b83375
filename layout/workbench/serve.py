"""`layout serve`: the workbench's server (uvicorn), on loopback unless `--host` is given, and then only with a
random access token."""

from __future__ import annotations

import secrets
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from layout.errors import COMMAND_LINE, InputError, Problem
from layout.language import tr
from layout.workbench.app import LOOPBACK, Bench, create_app
from layout.workbench.workspace import Workspace

DEFAULT_PORT = 8765
TEMPLATE = """# A scenario for the workbench: it starts from the shipped default (31 provinces); change a rule and watch the map.
extends: default
limits:
  max_clusters: 3
"""


def workspace_for(file: Path) -> Path:
    """Where a file's runs are kept by default: beside it, `<name>.runs/`."""
    return file.parent / f"{file.stem}.runs"


def serve(
    file: Path,
    *,
    port: int = DEFAULT_PORT,
    host: str | None = None,
    open_browser: bool = False,
    workspace: Path | None = None,
    lang: str | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the workbench for `file` until interrupted (Ctrl-C). `host`: listen there instead of 127.0.0.1 (then
    every request needs the access token printed at start). `say` is called with the lines to print."""
    import uvicorn

    if not 0 < port < 65536:
        raise InputError(Problem(COMMAND_LINE, None, "--port", "a port number from 1 to 65535", str(port)))
    file = Path(file)
    if file.exists() and not file.is_file():
        raise InputError(Problem(str(file), None, "", "a constraint file (YAML)", "a folder"))
    space = Workspace(workspace or workspace_for(file), file)
    space.claim()
    bench = Bench(file, space, lang, TEMPLATE)
    listen = host or "127.0.0.1"
    local = listen in LOOPBACK or listen == "::1"
    token = None if local else secrets.token_urlsafe(24)
    hosts = {f"{h}:{port}" for h in LOOPBACK} if local else None
    shown = socket.gethostname() if listen in ("0.0.0.0", "::") else listen  # an address another machine can use
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/" + (f"?token={token}" if token else "")
    say(tr("workbench: {url}", url=url))
    say(tr("file: {file}; runs kept in {folder}/", file=file, folder=space.folder))
    if token:
        say(tr("listening beyond this machine: every request needs the token in the address above"))
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            """Ctrl-C or SIGTERM: end the open pages' event streams first (the server waits for its connections)."""
            bench.stop_streams()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        create_app(bench, hosts, token), host=listen, port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    try:
        Server(config).run()
    finally:
        bench.runner.close()  # no solve outlives the server
