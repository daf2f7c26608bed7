"""Serving a mock app: one uvicorn server in a background thread, over http or https.

``PlainAndTlsServer`` is the "plain-http-on-tls-port" family of defects: one port that answers TLS
and plain http alike, as a server with protocol detection on its listener would.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time

import uvicorn

from .routing import Router
from .tls import TlsFiles

__all__ = ["START_TIMEOUT_S", "PlainAndTlsServer", "ServerThread"]

START_TIMEOUT_S = 10.0
# The first byte of a TLS record carrying a handshake (RFC 8446 §5.1): a ClientHello starts with it.
_TLS_HANDSHAKE = b"\x16"


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (0: a free port), ready to hand to a server."""
    # Binding here (not in uvicorn) gives the real port of port=0 before the apps are built,
    # and SO_REUSEADDR lets a stopped IS come back on the same port at once.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this: without it uvicorn's separate header and body writes
    # meet the client's delayed ACK and every response takes 40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class ServerThread:
    """One uvicorn server that can be stopped and started again on the same port."""

    def __init__(self, name: str, host: str, port: int, tls: TlsFiles | None = None) -> None:
        self.name = name
        self.host = host
        self.tls = tls
        self._sock: socket.socket | None = listen(host, port)
        self.port: int = self._sock.getsockname()[1]
        self.app: Router | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        if self.app is None:
            raise RuntimeError(f"{self.name}: no app to serve")
        if self._sock is None:
            self._sock = listen(self.host, self.port)
        config = uvicorn.Config(
            self.app,
            log_config=None,  # leave the host process's logging configuration alone
            log_level="warning",
            access_log=False,
            lifespan="off",
            # httptools when it is installed, else h11: httptools takes about half the event loop's time
            # per request (python bench/mock_tokens.py --with a folder holding it).
            http="auto",
            proxy_headers=False,  # X-Forwarded-* must not change anything (RFC 9700 §4.13)
            server_header=False,
            timeout_graceful_shutdown=1,
            ssl_certfile=str(self.tls.cert) if self.tls else None,
            ssl_keyfile=str(self.tls.key) if self.tls else None,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [self._sock]},
                                  name=f"mock-{self.name}", daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.request_stop()
                self.join()
                raise RuntimeError(f"mock {self.name} server did not start on {self.host}:{self.port}")
            time.sleep(0.005)

    def request_stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None
        if self._sock is not None:
            self._sock.close()  # uvicorn closes it too; closing twice is harmless
            self._sock = None

    def stop(self) -> None:
        self.request_stop()
        self.join()




class PlainAndTlsServer:
    """One public port that hands a connection opening with a TLS handshake to an https server and any
    other to a plain-http server of the same app, both on loopback ports of their own."""

    def __init__(self, name: str, host: str, port: int, tls: TlsFiles, plain_app: Router | None = None) -> None:
        """``plain_app``: what plain http gets instead of the app itself (a refusal, for a benign variant)."""
        self.name = name
        self.host = host
        self._front_sock: socket.socket | None = listen(host, port)
        self.port: int = self._front_sock.getsockname()[1]
        self._tls = ServerThread(f"{name}-tls", "127.0.0.1", 0, tls)
        self._plain = ServerThread(f"{name}-plain", "127.0.0.1", 0)
        self._plain_app = plain_app
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def app(self) -> Router | None:
        return self._tls.app

    @app.setter
    def app(self, app: Router | None) -> None:
        self._tls.app = app
        self._plain.app = self._plain_app or app

    @property
    def running(self) -> bool:
        return self._tls.running and self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._tls.start()
        self._plain.start()
        if self._front_sock is None:  # stopped before: take the same port again
            self._front_sock = listen(self.host, self.port)
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._loop = loop
        self._thread = threading.Thread(target=self._serve, args=(loop, ready, self._front_sock),
                                        name=f"mock-{self.name}-front", daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT_S) or not self._thread.is_alive():
            self.stop()
            raise RuntimeError(f"mock {self.name} front did not start on port {self.port}")

    def _serve(self, loop: asyncio.AbstractEventLoop, ready: threading.Event, sock: socket.socket) -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(asyncio.start_server(self._relay, sock=sock))
        except OSError:
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            # Connections still open (a client's keep-alive) are cut here, while the loop can still
            # run their clean-up, not later when a closed loop would have to.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(server.wait_closed())
            loop.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await asyncio.wait_for(reader.read(1), START_TIMEOUT_S)
            if not first:
                return
            backend = self._tls if first == _TLS_HANDSHAKE else self._plain
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", backend.port)
            try:
                up_writer.write(first)
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            finally:
                up_writer.close()
        except (OSError, TimeoutError):
            pass
        finally:
            writer.close()

    def request_stop(self) -> None:
        self._tls.request_stop()
        self._plain.request_stop()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def join(self) -> None:
        self._tls.join()
        self._plain.join()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = self._loop = None
        if self._front_sock is not None:
            self._front_sock.close()
            self._front_sock = None

    def stop(self) -> None:
        self.request_stop()
        self.join()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    with contextlib.suppress(OSError):
        if sink.can_write_eof():
            sink.write_eof()
