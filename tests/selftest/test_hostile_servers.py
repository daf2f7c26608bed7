"""Against a hostile server the suite stays bounded and honest: the standards features, run against
each behaviour of ``hostile_server``, end in time, crash nowhere, leak no secret, and earn no PASS the
behaviour cannot earn.

Each behaviour runs behind sound metadata (the suite gets past discovery and meets the behaviour at the
token endpoint, the key set, introspection, revocation and the protected resource); a few also run
hostile everywhere, discovery included. A PASS may then rest only on the metadata document itself:
never on an answer of a hostile path, the token endpoint above all, but for what answering at all
earns (``EARNED``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote_plus, urlsplit

import pytest

from oauth_conformance.http import TIMEOUTS_BEFORE_CUT_OFF
from tests.selftest.hostile_server import BEHAVIOURS, Behaviour, HostileServer, hostile_server
from tests.selftest.suite_runner import SuiteRun, run_suite

# Low, so that each timeout costs half a second and a whole-exchange deadline one and a half (the few
# the run waits before the host is cut off make most of a timing-out case's time); still some hundred
# times what a loopback answer of the metadata takes. Trickles pause a quarter of it between bytes, so
# that only the deadline can end them.
TIMEOUT_S = "0.5"
TRICKLE_S = 0.125
# Generous: a run that is bounded ends in well under this; one that is not hangs far past it.
RUN_LIMIT_S = 150
FAST = ("-p", "no:hypothesispytest", "tests/conformance", "--ignore=tests/conformance/test_creatio.py")
# pytest's long rendering of some 80 ERRORs costs a run four times its CPU; one line each keeps the file
# within its time. The echo run keeps the default rendering, and Allure: where the server sends back
# what it was sent, every channel that could keep a secret is there, and checked.
ONE_LINE = ("--tb=line", "-p", "no:allure_pytest_bdd")
FULL_RENDERING: frozenset[Behaviour] = frozenset({"echo"})

CLIENTS = {
    "OAUTH_CLIENT": ("conformance-client", "hostile-secret-1-Zq8"),
    "OAUTH_CLIENT2": ("conformance-client-2", "hostile-secret-2-Kp3"),
    "OAUTH_DISABLED_CLIENT": ("conformance-disabled", "hostile-secret-3-Wm5"),
    "OAUTH_SPECIAL_CLIENT": ("conformance special:client", "hostile+secret%4 with spaces"),
}
# What each behaviour must show somewhere in the run's messages or evidence: proof that the run met
# the behaviour and the defence it calls for, not merely some other failure.
SHOWS: dict[Behaviour, str] = {
    "gzip-bomb": "bytes once decoded",
    "deflate-bomb": "bytes once decoded",
    "stacked-encodings": "3 stacked content codings",
    "corrupt-gzip": "DecodingError",
    "trickled-headers": "while connecting, sending or waiting for the response headers",
    "trickled-body": "while reading the body",
    "never-answers": "cut off for the rest of the run",
    "empty-reply": "RemoteProtocolError",
    "closes-mid-headers": "RemoteProtocolError",
    "garbage-status": "RemoteProtocolError",
    "header-flood": "RemoteProtocolError",
    "interim-flood": "DeadlineExceededError",
    "infinite-chunked": "bytes on the wire",
    "content-length-short": "RemoteProtocolError",
    "bad-chunks": "RemoteProtocolError",
}
# Behaviours that hold a connection until a timeout or the deadline ends it: the host is cut off.
TIMES_OUT = frozenset({"trickled-headers", "trickled-body", "never-answers", "interim-flood"})
# The PASSes a hostile path can earn, and why.
EARNED = {
    "RFC8414-2-endpoints-live": "every advertised endpoint answers (\"no 404, 405, 410, 5xx or silence\"): a "
    "behaviour that answers 200, whatever its body, has live endpoints",
}
# PASSes no behaviour earns, that a check still gives: each is a finding for that check, named here so
# that every other unearned PASS still fails this test.
UNEARNED_BACKLOG: dict[str, str] = {}
Mode = Literal["behind-metadata", "everywhere"]
CASES: list[tuple[Behaviour, Mode]] = [(b, "behind-metadata") for b in BEHAVIOURS] + [
    (b, "everywhere") for b in ("gzip-bomb", "never-answers", "trickled-headers", "deep-json", "echo")
]


def _env(base: str) -> dict[str, str]:
    env = {
        "OAUTH_TARGET": "oauth",
        "OAUTH_ISSUER": base,
        "OAUTH_TOKEN_URL": f"{base}/connect/token",
        "OAUTH_RESOURCE_URL": f"{base}/api/resource",
        "OAUTH_DENIED_RESOURCE_URL": f"{base}/api/denied",
        "OAUTH_PUBLIC_CLIENT_ID": "conformance-public",
        "OAUTH_TIMEOUT": TIMEOUT_S,
    }
    for prefix, (client_id, secret) in CLIENTS.items():
        env[f"{prefix}_ID"], env[f"{prefix}_SECRET"] = client_id, secret
    return env


def _secret_forms() -> set[str]:
    """Every form in which a configured secret travels: as it is, form-urlencoded, in a Basic value."""
    forms = set()
    for client_id, secret in CLIENTS.values():
        forms |= {secret, quote_plus(secret)}
        for pair in (f"{client_id}:{secret}", f"{quote_plus(client_id)}:{quote_plus(secret)}"):
            forms.add(base64.b64encode(pair.encode()).decode())
    return forms


@pytest.fixture(params=CASES, ids=[b if m == "behind-metadata" else f"{b}-{m}" for b, m in CASES])
def hostile(request: pytest.FixtureRequest) -> Iterator[tuple[Behaviour, HostileServer, HostileServer]]:
    behaviour, mode = request.param
    with hostile_server(behaviour, interval=TRICKLE_S, metadata=mode == "behind-metadata") as (server, sink):
        yield behaviour, server, sink


def _evidence(run: SuiteRun) -> list[dict[str, Any]]:
    path = run.reports / "evidence.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


def _token_request(exchange: dict[str, Any]) -> bool:
    return bool(urlsplit(exchange["url"]).path == "/connect/token")


def _metadata_request(exchange: dict[str, Any]) -> bool:
    return bool(exchange["method"] == "GET" and urlsplit(exchange["url"]).path.startswith("/.well-known/"))


def _assert_cut_off_after_consecutive_timeouts(exchanges: list[dict[str, Any]]) -> None:
    """Each of these behaviours holds every exchange until a timeout or the deadline: the host is cut off
    once TIMEOUTS_BEFORE_CUT_OFF of them came in a row (an answer at another path, the metadata, starts
    the count again), and no exchange waits after that."""
    streak = waited = 0
    cut_off = False
    for exchange in exchanges:
        error = exchange["error"] or ""
        if error.startswith("not sent"):
            assert streak >= TIMEOUTS_BEFORE_CUT_OFF, (exchange["id"], error)
            assert "cut off for the rest of the run" in error, error
            cut_off = True
            continue
        assert not cut_off, f"{exchange['id']} was sent after the host was cut off"
        timed_out = "Timeout" in error or "DeadlineExceededError" in error
        streak = streak + 1 if timed_out else 0
        waited += timed_out
    assert cut_off, "the host was never cut off"
    # A few, not one per exchange (some 70 before the cut-off existed).
    assert waited <= 2 * TIMEOUTS_BEFORE_CUT_OFF, waited


def test_the_suite_stays_bounded_and_earns_nothing_against_a_hostile_server(
    tmp_path: Path, hostile: tuple[Behaviour, HostileServer, HostileServer]
) -> None:
    behaviour, server, sink = hostile
    rendering = () if behaviour in FULL_RENDERING else ONE_LINE
    run = run_suite(tmp_path, *FAST, *rendering, "--no-waivers", env_file=_env(server.url), timeout=RUN_LIMIT_S)
    console = run.stdout + run.stderr

    # Ended, of itself, as a run with ERRORs or FAILs ends; no crash anywhere.
    assert run.returncode == 1, console[-3000:]
    for crash in ("INTERNALERROR", "Traceback (most recent call last)", "RecursionError", "MemoryError"):
        assert crash not in console, f"{behaviour}: {crash} in the console\n{console[-3000:]}"

    requirements = run.conformance["requirements"]
    evidence = {e["id"]: e for e in _evidence(run)}
    assert evidence, f"{behaviour}: no exchange recorded"
    for requirement in requirements:
        if requirement["verdict"] != "PASS" or requirement["id"] in EARNED or requirement["id"] in UNEARNED_BACKLOG:
            continue
        rests_on = [evidence[i] for i in requirement["evidence"] if i in evidence]
        what = (behaviour, requirement["id"], requirement["message"])
        assert rests_on, what
        assert not any(_token_request(e) for e in rests_on), what
        assert all(_metadata_request(e) for e in rests_on), what

    if behaviour in SHOWS:
        said = " ".join([r["message"] for r in requirements] + [e.get("error") or "" for e in evidence.values()])
        assert SHOWS[behaviour] in said, f"{behaviour}: nothing says {SHOWS[behaviour]!r}"
    if behaviour in TIMES_OUT:
        _assert_cut_off_after_consecutive_timeouts(list(evidence.values()))
        # One root cause: what was not sent after the cut-off is blocked by the host, not an ERROR each.
        assert "stopped answering; it blocks" in run.stdout
        errors = [r for r in requirements if r["verdict"] == "ERROR"]
        assert errors and all("cut off" not in r["message"] for r in errors), [r["message"] for r in errors]
    else:
        # Whatever the body, the exchange is in the evidence with what the server answered.
        assert any(e["status"] is not None or e["error"] for e in evidence.values())

    # Nothing followed the server elsewhere, and no secret reached a file or the console.
    assert sink.requests == [], f"{behaviour}: {len(sink.requests)} requests reached another host"
    forms = _secret_forms()
    leaks = {form for form in forms if form in console}
    for file in run.reports.rglob("*"):
        if file.is_file():
            text = file.read_text(encoding="utf-8", errors="replace")
            leaks |= {f"{form} in {file.relative_to(run.reports)}" for form in forms if form in text}
    assert not leaks, f"{behaviour}: {sorted(leaks)}"
