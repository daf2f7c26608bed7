"""A forked child run (tools/forkrun.py) is a process of its own, as ``python -m pytest`` started anew:
its own environment and working folder, nothing left of an earlier run, its exit code, its output, and a
timeout that kills it with whatever it started. Each test runs real child pytests on a small test file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.selftest.suite_runner import ROOT, clean_environ, run_suite
from tools.forkrun import Forked, ForkServer

ENV = clean_environ() | {"FORKRUN_SERVER_ONLY": "set when the server started"}


@pytest.fixture(scope="module")
def server() -> Iterator[ForkServer]:
    started = ForkServer(ENV)
    yield started
    started.close()


def _run(server: ForkServer, folder: Path, body: str, *args: str, env: dict[str, str] | None = None,
         timeout: float = 120) -> Forked:
    (folder / "test_it.py").write_text(textwrap.dedent(body), encoding="utf-8")
    # Outside the checkout nothing turns off allure-pytest, whose option clashes with allure-pytest-bdd's.
    args = ("-p", "no:cacheprovider", "-p", "no:allure_pytest", "-q", *args, "test_it.py")
    return server.run(args, folder, env or ENV, timeout)


def test_a_run_sees_its_own_environment_and_folder(server: ForkServer, tmp_path: Path) -> None:
    env = clean_environ() | {"FORKRUN_ASKED": "by this run"}
    run = _run(server, tmp_path, """
        import json, os, sys
        def test_where():
            with open("seen.json", "w") as f:
                json.dump({"env": dict(os.environ), "cwd": os.getcwd(), "path0": sys.path[0],
                           "argv0": sys.argv[0], "main": sys.modules["__main__"].__spec__.name}, f)
    """, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    seen = json.loads((tmp_path / "seen.json").read_text())
    # Exactly what the run passed: neither the server's own variable nor anything pytest did not set.
    assert {k: v for k, v in seen["env"].items() if not k.startswith("PYTEST_")} == env
    assert seen["cwd"] == seen["path0"] == str(tmp_path)
    assert seen["argv0"].endswith(os.path.join("pytest", "__main__.py")) and seen["main"] == "pytest.__main__"


def test_nothing_a_run_changes_reaches_the_next(server: ForkServer, tmp_path: Path) -> None:
    """A preloaded module's state, the environment and the random generators start afresh in each run."""
    body = """
        import json, os, random
        import oauth_conformance.settings as settings
        from hypothesis.internal.conjecture import engine
        def test_change():
            seen = {"leaked": getattr(settings, "LEFT_BY_A_RUN", None), "env": os.environ.get("LEFT_BY_A_RUN"),
                    "random": random.random(), "hypothesis": engine._random.random()}
            settings.LEFT_BY_A_RUN = os.environ["LEFT_BY_A_RUN"] = "first"
            with open("seen.json", "w") as f:
                json.dump(seen, f)
    """
    seen = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        run = _run(server, folder, body)
        assert run.returncode == 0, run.stdout + run.stderr
        seen.append(json.loads((folder / "seen.json").read_text()))
    assert seen[1]["leaked"] is None and seen[1]["env"] is None
    assert seen[0]["random"] != seen[1]["random"] and seen[0]["hypothesis"] != seen[1]["hypothesis"]


@pytest.mark.parametrize(("body", "code"), [
    ("def test_ok():\n    pass\n", 0),
    ("def test_broken():\n    assert 1 == 2\n", 1),
    ("import os\ndef test_gone():\n    os._exit(7)\n", 7),
    ("import os, signal\ndef test_killed():\n    os.kill(os.getpid(), signal.SIGKILL)\n", -9),
    ("import sys\nsys.exit(3)\n", 3),  # an exit at collection: pytest's internal error
    ("def helper():\n    pass\n", 5),  # no tests collected
])
def test_the_exit_code_is_the_process_s(server: ForkServer, tmp_path: Path, body: str, code: int) -> None:
    assert _run(server, tmp_path, body).returncode == code


def test_output_is_captured_and_assertions_are_rewritten(server: ForkServer, tmp_path: Path) -> None:
    run = _run(server, tmp_path, """
        import subprocess, sys
        def test_speaks():
            print("to stdout")
            print("to stderr", file=sys.stderr)
            subprocess.run([sys.executable, "-c", "print('from a grandchild')"], check=True)
            left, right = 1, 2
            assert left == right
    """, "-s")
    assert run.returncode == 1
    assert "to stdout" in run.stdout and "from a grandchild" in run.stdout and "to stderr" in run.stderr
    # The test module came fresh under pytest's import hook, so its assertion explains itself.
    assert "assert 1 == 2" in run.stdout
    assert "cannot be rewritten" not in run.stdout + run.stderr


def test_the_interpreter_s_shutdown_runs(server: ForkServer, tmp_path: Path) -> None:
    """A thread left running is waited for and atexit handlers run, as at a process's end."""
    run = _run(server, tmp_path, """
        import atexit, threading, time
        def test_leaves_work():
            atexit.register(lambda: open("atexit", "w").write("ran"))
            threading.Thread(target=lambda: (time.sleep(0.5), open("thread", "w").write("done"))).start()
    """)
    assert run.returncode == 0
    assert (tmp_path / "atexit").read_text() == "ran" and (tmp_path / "thread").read_text() == "done"


def test_a_file_left_open_keeps_what_was_written(server: ForkServer, tmp_path: Path) -> None:
    """The interpreter's shutdown flushes a file nobody closed; a forked run's end does too."""
    run = _run(server, tmp_path, """
        LEFT_OPEN = open("unclosed.txt", "w")
        def test_writes():
            LEFT_OPEN.write("buffered data")
    """)
    assert run.returncode == 0
    assert (tmp_path / "unclosed.txt").read_text() == "buffered data"


def test_a_timeout_kills_the_run_and_what_it_started(server: ForkServer, tmp_path: Path) -> None:
    with pytest.raises(subprocess.TimeoutExpired) as expired:
        _run(server, tmp_path, """
            import subprocess, sys, time
            def test_hangs():
                sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
                open("sleeper.pid", "w").write(str(sleeper.pid))
                print("started", flush=True)
                time.sleep(600)
        """, "-s", timeout=5)
    assert "started" in str(expired.value.output)
    pid = int((tmp_path / "sleeper.pid").read_text())
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_run_suite_forks_and_runs_a_new_interpreter_alike(tmp_path: Path) -> None:
    """The suite's own run, forked (the default) and as a new interpreter: the same verdicts and code."""
    args = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance/test_discovery.py",
            "--mock-defects=discovery-advertises-none-alg")
    for name in ("forked", "fresh"):
        (tmp_path / name).mkdir()
    forked = run_suite(tmp_path / "forked", *args)
    fresh = run_suite(tmp_path / "fresh", *args, process="interpreter")
    assert forked.returncode == fresh.returncode == 1
    assert forked.verdicts() == fresh.verdicts()
    assert sys.executable and ROOT.is_dir()
