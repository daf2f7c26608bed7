"""A loopback TCP proxy that makes a server look far away: every chunk a client sends reaches the server
``delay_s`` after it arrived, in order per connection; the server's answers go back at once.

So each request/response round trip gains about ``delay_s`` (the request waits once; a request written
in several chunks waits once too, since each chunk waits from its own arrival), while exchanges on
different connections overlap as they would against a remote target. The proxy runs its own event loop
in a thread, so a benchmark can start it beside an in-process mock and point a child run at it.

``with LatencyProxy(0.1) as proxy: tunnel = proxy.tunnel()`` listens at once (``tunnel.url``), so that
the URL can be announced before the server behind it has started; ``tunnel.point_at(url)`` then names
that server. A connection that arrives before is closed unanswered.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

__all__ = ["LatencyProxy", "Tunnel"]

T = TypeVar("T")
_CHUNK = 65536
_LOOPBACK = "127.0.0.1"


@dataclass
class Tunnel:
    """One listening port of the proxy and the server it forwards to."""

    url: str
    upstream: tuple[str, int] | None = None
    connections: int = field(default=0)

    def point_at(self, url: str) -> None:
        """Forward to the server at ``url`` (http://host:port; the path, if any, is the client's business)."""
        parts = urlsplit(url)
        if parts.hostname is None or parts.port is None:
            raise ValueError(f"need http://host:port, not {url!r}")
        self.upstream = (parts.hostname, parts.port)


class LatencyProxy:
    """The proxy's event loop and its tunnels; a context manager."""

    def __init__(self, delay_s: float) -> None:
        if delay_s < 0:
            raise ValueError(f"delay_s must not be negative, not {delay_s}")
        self.delay_s = delay_s
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="latency-proxy", daemon=True)
        self._servers: list[asyncio.Server] = []

    def __enter__(self) -> LatencyProxy:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        self._run(self._close_servers())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def tunnel(self) -> Tunnel:
        """A new listening port on loopback, forwarding nowhere until ``point_at``."""
        return self._run(self._listen())

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    async def _listen(self) -> Tunnel:
        tunnel = Tunnel(url="")

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._serve(tunnel, reader, writer)

        server = await asyncio.start_server(serve, _LOOPBACK, 0)
        self._servers.append(server)
        tunnel.url = f"http://{_LOOPBACK}:{server.sockets[0].getsockname()[1]}"
        return tunnel

    async def _close_servers(self) -> None:
        for server in self._servers:
            server.close()
        # Connections still open end here, not with the loop; until none is left, since one accepted just
        # before the listeners closed gets its task only on a later turn of the loop.
        while pending := asyncio.all_tasks() - {asyncio.current_task()}:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    async def _serve(self, tunnel: Tunnel, client_reader: asyncio.StreamReader,
                     client_writer: asyncio.StreamWriter) -> None:
        tunnel.connections += 1
        try:
            if tunnel.upstream is None:
                return
            try:
                server_reader, server_writer = await asyncio.open_connection(*tunnel.upstream)
            except OSError:
                return
            upward = asyncio.create_task(self._delayed(client_reader, server_writer))
            try:
                # The server's side decides when the connection is over: it may answer and close before the
                # client's last chunk (or its end of stream) has been forwarded.
                await _copy(server_reader, client_writer)
            finally:
                upward.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await upward
                server_writer.close()
        finally:
            client_writer.close()

    async def _delayed(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forward each chunk (and the end of stream) ``delay_s`` after it arrived, in arrival order."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def send() -> None:
            while True:
                due, chunk = await queue.get()
                if (wait := due - loop.time()) > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(chunk)
                await writer.drain()

        sender = asyncio.create_task(send())
        try:
            while True:
                try:
                    chunk = await reader.read(_CHUNK)
                except ConnectionError:
                    chunk = b""
                queue.put_nowait((loop.time() + self.delay_s, chunk))
                if not chunk:
                    break
            await sender
        finally:
            sender.cancel()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(_CHUNK):
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        return
