"""The mock's token endpoint under load, and its start, beside a baseline commit and ``openssl speed``:
python bench/mock_tokens.py [--baseline REV] [--seconds S] [--rounds N] [--starts N] [--with FOLDER].

Three figures, each for this tree and for the baseline, measured in one run:

- ``openssl speed -seconds 3 rsa2048``: RSA-2048 signatures per second on one core, the yardstick (every
  token is one such signature).
- Tokens per second at 16 concurrent connections: the standalone mock (``python -m oauth_conformance.mock``)
  in a process of its own, loaded by ``wrk`` (one thread, 16 keep-alive connections) with client
  credentials requests (a form body, client_secret_basic) for 16 connections' worth of tokens. ``wrk`` and
  not an asyncio client: a compiled event loop costs a few microseconds a request, where an httpx2 client
  would spend about as much CPU per request as the mock itself and take it from the mock's two cores.
  Rounds alternate between the trees (the median is printed), so that load from elsewhere on the machine
  falls on both alike. Every answer must be a 200; a round with any other status fails the benchmark.
  Beside the rate, the CPU time the mock process (all its threads, from /proc) and wrk each spent per
  token, and that of the mock's busiest thread (its event loop): they move far less than the rate when
  other work shares the machine. The "ceiling" is what two otherwise idle cores could serve at best: two
  cores' time over the mock's and wrk's CPU per token, and no more than one core's time over the busiest
  thread's (kernel time spent on neither process's account is left out, so it is a little high).
- Mock start to first token: ``start_mock(MockOptions())`` until the first token answer, in a fresh
  process each time (as every xdist worker and child run starts its mock) with httpx2 imported and warm
  before the clock starts; the median of several. This tree's runs share a key file as the mock
  processes of one run do (run_keys.py); its first start, which generates the keys, is printed apart.

``--with FOLDER`` puts packages installed there (``pip install --target FOLDER httptools``) on both trees'
path: uvicorn serves with httptools instead of h11 when it can import it.

``wrk`` comes from Debian (``apt-get install -y wrk``). The seeded client's secret goes to ``wrk`` in a
script file in a private temporary folder, never on a command line or the console.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import httpx2
from _baseline import Baseline, baseline, current

CONNECTIONS = 16
KEY_FILE_ENV = "OAUTH_CONFORMANCE_MOCK_KEY_FILE"  # as oauth_conformance.mock.run_keys names it
_START_TIMEOUT_S = 60

# One start of the mock until its first token, timed inside a fresh interpreter of the tree under test.
_START_PROBE = textwrap.dedent("""
    import time
    import httpx2
    from oauth_conformance.mock import MockOptions, start_mock
    with httpx2.Client(trust_env=False) as warm:  # the transport's imports, as in any suite process
        pass
    started = time.perf_counter()
    mock = start_mock(MockOptions())
    client = mock.seed.oauth_clients[0]
    with httpx2.Client(trust_env=False, verify=False) as http:
        answer = http.post(mock.identity_url + "/connect/token", data={"grant_type": "client_credentials"},
                           auth=(client.client_id, client.client_secret))
    elapsed = time.perf_counter() - started
    mock.stop()
    print(answer.status_code, elapsed)
""")


def openssl_signs_per_second() -> float:
    completed = subprocess.run(["openssl", "speed", "-seconds", "3", "rsa2048"], capture_output=True, text=True,
                               check=True)
    # "rsa 2048 bits 0.000350s 0.000021s   2853.2  47925.3": sign time, verify time, sign/s, verify/s
    match = re.search(r"^rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)", completed.stdout, re.MULTILINE)
    if match is None:
        raise SystemExit("openssl speed printed no rsa 2048 line")
    return float(match[1])


class StandaloneMock:
    """``python -m oauth_conformance.mock`` of one tree, with the seeded client the load uses."""

    def __init__(self, tree: Baseline, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "oauth_conformance.mock"], cwd=tree.root, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        printed: dict[str, str] = {}
        assert self.process.stdout is not None
        # The mock prints its settings, secrets included, then "Serving"; they are read here and kept here.
        for line in self.process.stdout:
            if line.startswith("Serving"):
                break
            name, equals, value = line.strip().partition("=")
            if equals:
                printed[name] = value
        if "OAUTH_ISSUER" not in printed:
            self.stop()
            raise SystemExit(f"the standalone mock of {tree.label} did not start (exit {self.process.returncode})")
        self.token_url = printed["OAUTH_ISSUER"] + "/connect/token"
        pair = f"{printed['OAUTH_CLIENT_ID']}:{printed['OAUTH_CLIENT_SECRET']}".encode()
        self.authorization = "Basic " + base64.b64encode(pair).decode("ascii")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wrk_script(folder: Path, authorization: str) -> Path:
    script = folder / "token.lua"
    descriptor = os.open(script, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(textwrap.dedent(f"""\
            wrk.method = "POST"
            wrk.body = "grant_type=client_credentials"
            wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
            wrk.headers["Authorization"] = "{authorization}"
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("answers=%d other=%d connect=%d read=%d write=%d timeout=%d\\n",
                summary.requests, e.status, e.connect, e.read, e.write, e.timeout))
            end
        """))
    return script


@dataclass(frozen=True)
class Load:
    """One load round: the rate, the CPU the mock (all its threads, and its busiest one) and wrk each spent
    per token, and what two otherwise idle cores could serve at best."""

    rate: float
    mock_us: float
    busiest_us: float
    wrk_us: float

    @property
    def ceiling(self) -> float:
        # Two cores' time for the mock and wrk together, and no thread faster than one core.
        return min(2e6 / (self.mock_us + self.wrk_us), 1e6 / self.busiest_us)


def _cpu_seconds(pid: int) -> dict[str, float]:
    """User and system CPU of each thread of a process so far, by thread id (Linux's /proc)."""
    seconds = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        seconds[task.name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tokens_per_second(mock: StandaloneMock, folder: Path, seconds: int) -> Load:
    with httpx2.Client(trust_env=False) as http:  # one answer checked in full before the load
        answer = http.post(mock.token_url, data={"grant_type": "client_credentials"},
                           headers={"Authorization": mock.authorization})
    if answer.status_code != 200 or "access_token" not in answer.json():
        raise SystemExit(f"the mock answered the token request with {answer.status_code}")
    script = _wrk_script(folder, mock.authorization)
    try:
        command = ["wrk", "-t1", f"-c{CONNECTIONS}", "-s", str(script), mock.token_url]
        subprocess.run([*command[:1], "-d1s", *command[1:]], capture_output=True, check=True)  # warm-up
        mock_before, wrk_before = _cpu_seconds(mock.process.pid), _children_cpu_seconds()
        completed = subprocess.run([*command[:1], f"-d{seconds}s", *command[1:]], capture_output=True, text=True,
                                   check=True)
        mock_after, wrk_cpu = _cpu_seconds(mock.process.pid), _children_cpu_seconds() - wrk_before
    finally:
        script.unlink()
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", completed.stdout, re.MULTILINE)
    counts = re.search(r"^answers=(\d+) other=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+)",
                       completed.stdout, re.MULTILINE)
    if rate is None or counts is None or not int(counts[1]):
        raise SystemExit("wrk printed no rate")
    if any(int(count) for count in counts.groups()[1:]):
        raise SystemExit(f"answers other than 200 or socket errors under load: {counts[0]}")
    answers = int(counts[1])
    threads = [spent - mock_before.get(tid, 0.0) for tid, spent in mock_after.items()]
    return Load(float(rate[1]), sum(threads) / answers * 1e6, max(threads) / answers * 1e6, wrk_cpu / answers * 1e6)


def start_to_first_token(tree: Baseline, env: dict[str, str]) -> float:
    completed = subprocess.run([sys.executable, "-c", _START_PROBE], cwd=tree.root, env=env, capture_output=True,
                               text=True, timeout=_START_TIMEOUT_S, check=False)
    fields = completed.stdout.split()
    if completed.returncode != 0 or len(fields) != 2 or fields[0] != "200":
        raise SystemExit(f"the start probe of {tree.label} failed (exit {completed.returncode})")
    return float(fields[1])


def _ratio(new: float, old: float) -> str:
    return f"{new / old:.2f}x" if old else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="2f111b6", help="the commit to compare with (default 2f111b6)")
    parser.add_argument("--seconds", type=int, default=5, help="length of one load round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds per tree (default 3)")
    parser.add_argument("--starts", type=int, default=7, help="timed starts per tree (default 7)")
    parser.add_argument("--with", dest="extra", type=Path, help="a folder of packages to add to both trees' path")
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("openssl") is None:
        raise SystemExit("needs wrk and openssl: apt-get install -y wrk openssl")
    with baseline(args.baseline) as base, tempfile.TemporaryDirectory(prefix="bench-mock-tokens-") as scratch:
        folder = Path(scratch)  # mode 0700: the key file and wrk's script hold secrets
        this = current()
        # The baseline knows no key file; this tree's processes share one, as the processes of a run do.
        envs = {base.label: {k: v for k, v in base.env.items() if k != KEY_FILE_ENV},
                this.label: {**this.env, KEY_FILE_ENV: str(folder / "mock-keys.json")}}
        if args.extra is not None:
            for env in envs.values():
                env["PYTHONPATH"] = os.pathsep.join(filter(None, (env.get("PYTHONPATH"), str(args.extra.resolve()))))
        trees = (base, this)
        signs = openssl_signs_per_second()
        rounds: dict[str, list[Load]] = {tree.label: [] for tree in trees}
        for _ in range(args.rounds):
            for tree in trees:
                mock = StandaloneMock(tree, envs[tree.label])
                try:
                    rounds[tree.label].append(tokens_per_second(mock, folder, args.seconds))
                finally:
                    mock.stop()
        signs_after = openssl_signs_per_second()
        (folder / "mock-keys.json").unlink(missing_ok=True)
        first_start = start_to_first_token(this, envs[this.label])  # generates this tree's keys
        starts: dict[str, list[float]] = {tree.label: [] for tree in trees}
        for _ in range(args.starts):
            for tree in trees:
                starts[tree.label].append(start_to_first_token(tree, envs[tree.label]))

    one_core = statistics.median([signs, signs_after])
    old, new = (statistics.median(load.rate for load in rounds[tree.label]) for tree in trees)
    old_mock, new_mock = (statistics.median(load.mock_us for load in rounds[tree.label]) for tree in trees)
    old_busiest, new_busiest = (statistics.median(load.busiest_us for load in rounds[tree.label]) for tree in trees)
    old_wrk, new_wrk = (statistics.median(load.wrk_us for load in rounds[tree.label]) for tree in trees)
    old_ceiling, new_ceiling = (statistics.median(load.ceiling for load in rounds[tree.label]) for tree in trees)
    old_start, new_start = (statistics.median(starts[tree.label]) for tree in trees)
    print(f"openssl speed rsa2048, one core: {signs:.0f} signs/s before the load, {signs_after:.0f} after"
          + (f"; packages added from {args.extra}" if args.extra else ""))
    print(f"{'':44}{base.label:>18}{this.label:>14}{'ratio':>9}")
    print(f"{'tokens/s, 16 connections (median of ' + str(args.rounds) + ')':44}{old:>18.0f}{new:>14.0f}"
          f"{_ratio(new, old):>9}")
    print(f"{'  as a multiple of openssl, one core':44}{old / one_core:>18.2f}{new / one_core:>14.2f}")
    print(f"{'  mock CPU per token, us (all its threads)':44}{old_mock:>18.0f}{new_mock:>14.0f}"
          f"{_ratio(new_mock, old_mock):>9}")
    print(f"{'  of which its busiest thread':44}{old_busiest:>18.0f}{new_busiest:>14.0f}")
    print(f"{'  wrk CPU per token, us':44}{old_wrk:>18.0f}{new_wrk:>14.0f}")
    print(f"{'  ceiling on two idle cores, tokens/s':44}{old_ceiling:>18.0f}{new_ceiling:>14.0f}"
          f"{_ratio(new_ceiling, old_ceiling):>9}")
    print(f"{'    as a multiple of openssl, one core':44}{old_ceiling / one_core:>18.2f}"
          f"{new_ceiling / one_core:>14.2f}")
    print(f"{'start to first token, ms (median of ' + str(args.starts) + ')':44}{old_start * 1000:>18.0f}"
          f"{new_start * 1000:>14.0f}{_ratio(new_start, old_start):>9}")
    print(f"{'  first start of the run (keys generated)':44}{'':>18}{first_start * 1000:>14.0f}")
    for tree in trees:
        print(f"tokens/s of every round, {tree.label}: {', '.join(f'{r.rate:.0f}' for r in rounds[tree.label])}")


if __name__ == "__main__":
    main()
