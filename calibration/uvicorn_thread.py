"""One uvicorn server in a background thread, on a socket bound before it starts."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

__all__ = ["UvicornThread"]

_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 10.0


class UvicornThread:
    """Serve an ASGI app on ``host``:``port`` (0: a free port) until ``stop()``."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        # Binding here rather than in uvicorn gives the real port of port=0 before serving starts.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Without it uvicorn's separate header and body writes meet the client's delayed ACK (~40 ms each).
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self._sock.bind((host, port))
            self._sock.listen(128)
        except OSError:
            self._sock.close()
            raise
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,  # leave the host process's logging configuration alone
            log_level="warning",
            access_log=False,
            lifespan="off",  # Django's ASGI handler does not implement the lifespan protocol
            proxy_headers=False,  # X-Forwarded-* must not change the issuer DOT derives from the request
            server_header=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        # Not a daemon: stop() joins it, and an unjoined server should keep a broken caller visibly alive.
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name=f"uvicorn-{self.port}"
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.005)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=_STOP_TIMEOUT_S)
        self._sock.close()  # uvicorn closes it too; closing twice is harmless
