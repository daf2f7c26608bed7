"""The command line both calibration servers share: start one, print the suite's ``.env`` block, serve.

``python -m calibration.dot_server`` and ``python -m calibration.authlib_server`` differ only in the
server they start.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import FrameType

from tools.childrun import env_file_text

__all__ = ["RunningServer", "serve"]

# A server started on a port (0: a free one), yielding the suite's settings while it runs.
RunningServer = Callable[[int], AbstractContextManager[dict[str, str]]]


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, not {value}")
    return value


def serve(prog: str, server_name: str, running: RunningServer, argv: list[str] | None = None) -> int:
    """Run ``running`` on 127.0.0.1 until Ctrl-C or SIGTERM; the env block alone goes to stdout."""
    parser = argparse.ArgumentParser(
        prog=prog, description=f"Run {server_name} on 127.0.0.1 and print the suite's oauth-target .env block."
    )
    parser.add_argument("--port", type=_port, default=0, help="port to listen on (default: a free one)")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)
    started = time.monotonic()
    with running(args.port) as env:
        # stdout carries the env block only, so `> .env` captures a usable file; notes go to stderr.
        sys.stdout.write(env_file_text(env))
        sys.stdout.flush()
        sys.stderr.write(
            f"# {server_name} calibration server ready in {time.monotonic() - started:.2f}s; "
            "Ctrl-C or SIGTERM stops it\n"
        )
        sys.stderr.flush()
        stop.wait()
    return 0
