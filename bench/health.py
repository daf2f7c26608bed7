"""Wall time of ``oauth-conformance health`` against the bundled mock, beside a bare token request in the
same run: python bench/health.py [runs].

Three figures per run: the command as a monitor runs it (a new process: interpreter, imports, the
checks), the checks alone in this process (``watch``), and one client-credentials token request with
httpx2 and nothing else, the least any health check costs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx2

from oauth_conformance.health import watch
from oauth_conformance.mock import MockOptions, start_mock
from oauth_conformance.settings import SETTINGS, load_settings


def _clean_environ() -> dict[str, str]:
    """This process's environment without suite settings: the command reads only the env file."""
    names = {setting.env for setting in SETTINGS}
    return {name: value for name, value in os.environ.items() if name not in names}


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _figures(name: str, timings: list[float]) -> str:
    return (f"{name:<34} median {statistics.median(timings) * 1000:7.1f} ms, min {min(timings) * 1000:7.1f} ms, "
            f"max {max(timings) * 1000:7.1f} ms")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with start_mock(MockOptions()) as mock, tempfile.TemporaryDirectory() as folder:
        env = mock.env()
        env_file = Path(folder) / "creatio.env"
        # As the standalone mock prints it: NAME=value lines.
        env_file.write_text("".join(f"{name}={value}\n" for name, value in env.items()), encoding="utf-8")
        command = [sys.executable, "-m", "oauth_conformance", "health", "--env-file", str(env_file)]
        settings = load_settings({"OAUTH_REPORTS_DIR": folder}, environ={}, env_file=env_file)
        discovery = httpx2.get(f"{env['CREATIO_IDENTITY_URL']}/.well-known/openid-configuration").json()
        token_url = discovery["token_endpoint"]
        form = {"grant_type": "client_credentials", "client_id": env["CREATIO_CLIENT_ID"],
                "client_secret": env["CREATIO_CLIENT_SECRET"]}
        environ = _clean_environ()
        command_times, watch_times, token_times = [], [], []
        statuses = set()
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(command, cwd=folder, env=environ, capture_output=True, text=True, check=False)
            command_times.append(time.perf_counter() - started)
            statuses.add(done.returncode)
            watch_times.append(_timed(lambda: watch(settings)))
            with httpx2.Client() as client:
                token_times.append(_timed(lambda: client.post(token_url, data=form).raise_for_status()))
        print(f"{runs} runs against the mock (creatio profile, 8.3, on-site); exit statuses {sorted(statuses)}")
        print(_figures("oauth-conformance health (process)", command_times))
        print(_figures("watch() in process (3 checks)", watch_times))
        print(_figures("bare token request (baseline)", token_times))


if __name__ == "__main__":
    main()
