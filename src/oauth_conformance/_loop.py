"""An event loop in a thread of its own, for the HTTP client's exchanges.

Why asynchronous under a synchronous client: httpx2 bounds each phase of an exchange by its timeout
(connect, each read, each write), so a server trickling header bytes one a second never trips any of
them, and a synchronous client has no public way to abandon a read in progress. An asyncio task can
be cancelled wherever it waits, connecting, sending, reading headers or body, and httpcore2 closes the
connection when it is; ``asyncio.timeout`` around the whole exchange is then a real deadline. One loop
serves the client for its lifetime.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """Runs coroutines on a private event loop; ``run`` blocks the calling thread until one is done."""

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result()
        except BaseException:
            # Interrupted while waiting (Ctrl-C, a test timeout): the exchange must not go on alone.
            future.cancel()
            raise

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()
