"""One threaded werkzeug WSGI server in a background thread, on a port bound before the app exists.

The Flask calibration server needs its own address to build its issuer, so the socket is bound first
and the app handed over when serving starts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

__all__ = ["WsgiThread"]

_STOP_TIMEOUT_S = 10.0


class _Handler(WSGIRequestHandler):
    # Without it the handler's separate header and body writes meet the client's delayed ACK (~40 ms each).
    disable_nagle_algorithm = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log, as for the DOT server: the suite's evidence log records every exchange."""


def _not_started(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"the calibration server is not started yet\n"]


class WsgiThread:
    """Serve a WSGI app on ``host``:``port`` (0: a free port) from ``start(app)`` until ``stop()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server: BaseWSGIServer = make_server(host, port, _not_started, threaded=True, request_handler=_Handler)
        self.host = host
        self.port: int = self._server.server_port
        # Not a daemon: stop() joins it, and an unjoined server should keep a broken caller visibly alive.
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"werkzeug-{self.port}")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, app: Any) -> None:
        # BaseWSGIServer hands every request to its ``app`` attribute; set before the first accept.
        self._server.app = app
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()  # returns once serve_forever has left its loop
            self._thread.join(timeout=_STOP_TIMEOUT_S)
        self._server.server_close()
