"""Child pytest runs forked from a preloaded server: a process per run, without an interpreter start per run.

A run of ``python -m pytest`` spends about a second starting the interpreter and importing pytest, its
plugins and the suite's package before it collects anything. The server (``ForkServer``) is a separate
process that imports those once (``PRELOAD``) and then forks one child per run, so each run starts from
the state a fresh interpreter has right after those imports, and nothing a run does (a module-level
change, a monkeypatch, a thread, an environment variable) reaches the next one: each run is its own
process, forked from a server that never runs anything itself.

What a forked run sees, as ``python -m pytest`` from ``subprocess.run`` would:

- its own environment (the server's is the same: a server serves one environment, so that what a
  module read at import time is what it would have read in the run) and its working directory, which
  is also ``sys.path[0]``, as ``-m`` sets it;
- ``sys.argv`` and ``__main__`` as ``-m pytest`` sets them (``runpy`` runs pytest's ``__main__``);
- stdout and stderr captured (into files, so that a grandchild holding them open never blocks the
  run's end), stdin empty;
- its exit code as the interpreter would give it (``SystemExit``, an uncaught exception, a signal), after
  the interpreter's own shutdown: non-daemon threads joined, ``atexit`` handlers run, stdio flushed;
- a timeout that kills it and whatever it started (each run is a process group of its own; anything of
  the group still alive when the run ends is killed too, so no process outlives its run).

Not preloaded: the checkout's steps, scenarios and conftest, and the package's ``suite`` step modules:
pytest rewrites the assertions of test modules and of its plugins' packages as it imports them, which it
cannot do for a module imported before it started. The preloaded packages are not rewritten either (an
``assert`` in them fails with a plain message); pytest's warning that it could not rewrite them is
silenced for them alone, since a run of its own would have imported them under pytest.

The server is single-threaded whenever it forks (it checks); a supervisor forked per run waits for the
run, kills it at its deadline, and answers the caller. What differs from an interpreter of its own: the
string hash seed (the server's, the same in every run), and the time at which the preloaded modules were
imported. ``random`` is reseeded in every child (by ``random`` itself), and so is every module-level
``random.Random`` of a preloaded module (each was seeded from the OS at import, as it would be in a run).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import io
import json
import locale
import os
import random
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PRELOAD", "ForkServer", "Forked", "fork_server", "shutdown_servers"]

ROOT = Path(__file__).resolve().parents[1]
# What every child run imports anyway: pytest and the plugins it loads, the libraries the suite uses, and
# the suite's package but its step modules. Nothing of the checkout outside src/ (see the module's doc).
PRELOAD: tuple[str, ...] = (
    "pytest", "_pytest._argcomplete", "_pytest.faulthandler", "_pytest.helpconfig", "_pytest.junitxml",
    "_pytest.legacypath", "_pytest.pastebin", "_pytest.pytester", "_pytest.setuponly", "_pytest.setupplan",
    "_pytest.skipping", "_pytest.terminal", "_pytest.threadexception", "_pytest.tracemalloc", "_pytest.unittest",
    "_pytest.unraisableexception", "_pytest.warnings",
    "pytest_bdd", "pytest_bdd.hooks", "pytest_bdd.plugin", "xdist", "xdist.looponfail", "xdist.newhooks",
    "xdist.plugin", "anyio", "anyio._backends._asyncio", "anyio.pytest_plugin", "anyio.streams.memory",
    "anyio.streams.stapled", "anyio.streams.tls", "httpcore2", "httpx2", "h11", "truststore", "starlette",
    "uvicorn", "uvicorn.lifespan.off", "uvicorn.lifespan.on", "uvicorn.loops.auto", "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.auto", "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.websockets.auto",
    "cryptography", "hypothesis", "hypothesis.stateful", "encodings.idna", "_strptime",
    "oauth_conformance", "oauth_conformance.plugin", "oauth_conformance.mock", "oauth_conformance.search",
    "oauth_conformance.cli",
)
# Modules that must come fresh into each run: the checkout's, and the package's steps and scenarios.
_NEVER_PRELOADED = ("steps", "tests", "conftest", "oauth_conformance.suite.")
# How long a caller waits past a run's own timeout for the supervisor's answer before giving up on it.
_ANSWER_GRACE_S = 30.0
_READY = b"ready\n"


@dataclass(frozen=True)
class Forked:
    """A finished child run: what ``subprocess.run(..., capture_output=True, text=True)`` returns of it."""

    returncode: int
    stdout: str
    stderr: str
    # The CPU time the run and the processes it waited for spent (user + system), as wait4 counts it.
    cpu_seconds: float = 0.0


# --- the caller's side -------------------------------------------------------------------------------


class ForkServer:
    """One preloaded server process serving one environment; safe to call from several threads."""

    def __init__(self, env: Mapping[str, str], preload: Sequence[str] = PRELOAD) -> None:
        self.env = dict(env)
        self._folder = tempfile.TemporaryDirectory(prefix="forkrun-")
        self.address = str(Path(self._folder.name) / "server.sock")
        # The server's stdin is its lifeline: when this process ends, the pipe closes and the server goes.
        # Its stderr goes to a file nobody has to read unless it fails (a pipe left unread could fill up).
        errors = Path(self._folder.name) / "server.stderr"
        with errors.open("wb") as sink:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "import sys; from tools.forkrun import serve; serve(sys.argv[1], sys.argv[2:])",
                 self.address, *preload],
                cwd=ROOT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sink,
            )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if line != _READY:
            self._process.kill()
            self._process.wait()
            raise RuntimeError(f"the fork server did not start: {line.decode(errors='replace')}"
                               f"{errors.read_text(errors='replace')[-3000:]}")

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def run(self, args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float) -> Forked:
        """``python -m pytest *args`` in ``cwd`` with ``env``; raises ``subprocess.TimeoutExpired`` (after
        killing the run) as ``subprocess.run`` does."""
        with tempfile.TemporaryDirectory(prefix="forkrun-out-") as scratch:
            out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
            request = {"args": list(args), "cwd": str(cwd), "env": dict(env), "timeout": timeout,
                       "stdout": str(out), "stderr": str(err)}
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.connect(self.address)
                conn.sendall(json.dumps(request).encode() + b"\n")
                conn.settimeout(timeout + _ANSWER_GRACE_S)
                answer = json.loads(_read_line(conn) or b'{"returncode": null}')
            stdout, stderr = _text(out), _text(err)
        if answer.get("timed_out"):
            raise subprocess.TimeoutExpired(["python", "-m", "pytest", *args], timeout, stdout, stderr)
        if answer.get("returncode") is None:
            raise OSError("the fork server gave no answer for the run")
        return Forked(int(answer["returncode"]), stdout, stderr, float(answer.get("cpu_seconds", 0.0)))

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._folder.cleanup()


_SERVERS: dict[frozenset[tuple[str, str]], ForkServer] = {}
_LOCK = threading.Lock()


def fork_server(env: Mapping[str, str]) -> ForkServer:
    """The server of this environment, started on first use and kept until this process ends."""
    key = frozenset(env.items())
    with _LOCK:
        server = _SERVERS.get(key)
        if server is None or not server.alive:
            if not _SERVERS:
                atexit.register(shutdown_servers)
            server = _SERVERS[key] = ForkServer(env)
        return server


def shutdown_servers() -> None:
    with _LOCK:
        for server in _SERVERS.values():
            server.close()
        _SERVERS.clear()


def _read_line(conn: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while not chunks or not chunks[-1].endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _text(path: Path) -> str:
    """The bytes a run wrote, read as ``subprocess.run(text=True)`` reads them (its encoding, its newlines)."""
    data = path.read_bytes() if path.exists() else b""
    encoding = "utf-8" if sys.flags.utf8_mode else locale.getencoding()
    return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")


# --- the server's side -------------------------------------------------------------------------------


def serve(address: str, preload: Sequence[str]) -> None:
    """The server's main loop (``ForkServer`` starts it): preload, then fork a supervisor per connection."""
    for name in preload:
        importlib.import_module(name)
    leaked = [m for m in sys.modules if m.startswith(_NEVER_PRELOADED) or m in _NEVER_PRELOADED]
    if leaked:
        raise RuntimeError(f"preloading imported modules each run must import itself: {sorted(leaked)}")
    _check_single_threaded()
    supervisors: set[int] = set()

    def stop(*_: object) -> None:
        for pid in supervisors:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    # A Ctrl-C at the terminal reaches the whole foreground group: the caller decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    sys.stdout.buffer.write(_READY)
    sys.stdout.flush()
    lifeline = sys.stdin.fileno()
    while True:
        readable, _, _ = select.select([listener, lifeline], [], [], 1.0)
        while supervisors and (reaped := os.waitpid(-1, os.WNOHANG))[0]:
            supervisors.discard(reaped[0])
        if lifeline in readable and not os.read(lifeline, 1):
            stop()
        if listener in readable:
            conn, _ = listener.accept()
            _check_single_threaded()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                listener.close()
                _supervise(conn)  # never returns
            conn.close()
            supervisors.add(pid)


def _check_single_threaded() -> None:
    if threading.active_count() != 1:
        raise RuntimeError(f"the fork server must fork single-threaded: {threading.enumerate()}")


def _supervise(conn: socket.socket) -> None:
    """Forked per run: start the run, wait for it or its deadline, answer the caller."""
    code = 1
    run = 0
    try:
        signal.signal(signal.SIGTERM, lambda *_: _end(run, 1))
        request = json.loads(_read_line(conn))
        run = os.fork()
        if run == 0:
            conn.close()
            _child(request)  # never returns
        # Both sides make the run a group of its own, so that the group exists whichever runs first.
        with contextlib.suppress(OSError):
            os.setpgid(run, run)
        returncode, timed_out, cpu = _wait(run, conn, float(request["timeout"]))
        run = 0
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"returncode": returncode, "timed_out": timed_out,
                                     "cpu_seconds": cpu}).encode() + b"\n")
        code = 0
    finally:
        _end(run, code)


def _end(run: int, code: int) -> None:
    if run:
        _kill_group(run)
    os._exit(code)


def _wait(pid: int, conn: socket.socket, timeout: float) -> tuple[int | None, bool, float]:
    """The run's exit code, or None when it was killed at its deadline (then True) or because the caller
    hung up (it was interrupted); and the CPU seconds it spent."""
    deadline = time.monotonic() + timeout
    exited = os.pidfd_open(pid)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                _kill_group(pid)
                return None, True, _cpu(os.wait4(pid, 0)[2])
            readable, _, _ = select.select([exited, conn.fileno()], [], [], left)
            if exited in readable:
                # The run's group outlives it by what it left running: killed while the run, not yet
                # reaped, still holds the group's number.
                _kill_group(pid)
                _, status, usage = os.wait4(pid, 0)
                return os.waitstatus_to_exitcode(status), False, _cpu(usage)
            if conn.fileno() in readable and not conn.recv(1, socket.MSG_PEEK):
                _kill_group(pid)
                return None, False, _cpu(os.wait4(pid, 0)[2])
    finally:
        os.close(exited)


def _cpu(usage: Any) -> float:
    return float(usage.ru_utime + usage.ru_stime)


def _kill_group(pid: int) -> None:
    """Kill the run (not yet reaped, so its number is still its own) and every process of its group."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def _child(request: dict[str, Any]) -> None:
    """The run itself: become ``python -m pytest *args`` in a fresh interpreter's state, and exit as it would."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    os.close(null)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = os.getcwd()
    _reseed()
    # The server's own module is no part of a run: a run that imports it gets it fresh.
    for name in [m for m in sys.modules if m == "tools" or m.startswith("tools.")]:
        del sys.modules[name]
    os._exit(_as_main(["-m", *request["args"]]))


def _reseed() -> None:
    """Seed every module-level ``random.Random`` from the OS anew, as its import in a fresh process did."""
    for module in list(sys.modules.values()):
        for value in list(getattr(module, "__dict__", {}).values()):
            if type(value) is random.Random:
                value.seed()


def _as_main(argv: list[str]) -> int:
    """Run pytest as ``python -m pytest`` does, and shut down as the interpreter would: the exit code."""
    import _pytest.assertion.rewrite as rewrite

    preloaded = set(sys.modules)
    warn = rewrite.AssertionRewritingHook._warn_already_imported

    def _warn_unless_preloaded(self: rewrite.AssertionRewritingHook, name: str) -> None:
        if name not in preloaded:
            warn(self, name)

    rewrite.AssertionRewritingHook._warn_already_imported = _warn_unless_preloaded  # type: ignore[method-assign]
    sys.argv = argv
    sys.modules["__main__"] = types.ModuleType("__main__")
    code = 0
    try:
        runpy._run_module_as_main("pytest")  # type: ignore[attr-defined]
    except SystemExit as stop:
        code = _exit_code(stop)
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        code = -signal.SIGINT
    except BaseException:  # what the interpreter does with anything uncaught
        sys.excepthook(*sys.exc_info())
        code = 1
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    _flush_open_files()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = 120
    if code < 0:
        # The interpreter ends by the signal that interrupted it, so that its parent sees that signal.
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


def _flush_open_files() -> None:
    """What the interpreter's shutdown does for a file nobody closed, before ``os._exit`` skips it: the
    buffered data of every open file reaches it (a run's module-level ``open(...)`` written to and left
    open keeps its last writes, as under ``python -m pytest``)."""
    gc.collect()
    for thing in gc.get_objects():
        if isinstance(thing, io.IOBase) and thing not in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                if not thing.closed and thing.writable():
                    thing.flush()


def _exit_code(stop: SystemExit) -> int:
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code & 0xFF
    print(stop.code, file=sys.stderr)  # noqa: T201 - what the interpreter prints of a non-int exit
    return 1
