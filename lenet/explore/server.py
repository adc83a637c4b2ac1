"""Start the explorer: load the network, bind 127.0.0.1, print the URL, open a browser, warm up.

The server answers at once; the warm-up (every layer's values on the discovery split, and the match seeds'
networks) runs in a thread and the first page shows how far it got. uvicorn serves the Starlette app.
"""

from __future__ import annotations

import socket
import sys
import threading
import webbrowser

from ..errors import InvalidConfig

__all__ = ["HOST", "serve", "listen", "free_port"]

HOST = "127.0.0.1"  # never another interface: the explorer has no accounts, only a per-session token


def listen(port: int) -> socket.socket:
    """A socket bound to 127.0.0.1:``port`` (0: any free one), kept for the server (no other process can
    take the port between the check and the start), else an error saying what to do."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError as err:
        sock.close()
        raise InvalidConfig(
            f"--port {port}: cannot listen on {HOST}:{port} ({err.strerror}); choose another port, or "
            "--port 0 for any free one."
        ) from None
    return sock


def free_port(port: int) -> int:
    """``port`` if it can be bound on 127.0.0.1 now (0: any free one): the port number."""
    with listen(port) as sock:
        return sock.getsockname()[1]


def serve(session, *, port: int, open_browser: bool, claims_json: str | None = None, out=sys.stderr) -> None:
    """Serve ``session`` on 127.0.0.1:``port`` until interrupted."""
    import uvicorn

    from .app import create_app

    sock = listen(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    app = create_app(session, claims_json=claims_json)
    print(f"lenet explore: {session.network} at {url} (Ctrl-C stops it)", file=out, flush=True)
    threading.Thread(
        target=session.warm_up,
        kwargs={"progress": lambda line: print(line, file=out, flush=True)},
        daemon=True,
    ).start()
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
