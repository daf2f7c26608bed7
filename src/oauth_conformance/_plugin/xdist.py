"""Subplugin: one run spread over pytest-xdist workers, judged and reported as one.

The workers run the scenarios; the controller, the process the user started, judges the run and writes
every report, exactly as a run of one process does. So that nothing needs translating on the way:

- every worker shares the run's name prefix (each scenario still names its objects with its worker's
  part), so none takes another's integrations for an earlier run's leftovers;
- every worker masks with the run's key, so one secret is shown the same in every report;
- worker *i* of *n* numbers its exchanges i+1, i+1+n, ... (a worker that replaces a crashed one, from
  i × 1,000,000): an evidence ID names one exchange in the whole run, in findings, Allure attachments and
  evidence.jsonl alike;
- the workers count the technical users they create in one ledger file, so that the run as a whole
  creates at most CREATIO_MAX_TECH_USERS, whichever worker asks.

Each test's teardown report carries what its worker learnt since the last one (findings, exchanges,
leftovers, and the secrets it registered, for the controller's final scrub of the reports); the worker's
last words (``workeroutput``) carry the rest: what it collected and what it found on the target. A test
whose worker crashed is an ERROR of each requirement it names.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from oauth_conformance._plugin import settings, target, verdicts
from oauth_conformance.cleanup import Leftover
from oauth_conformance.http import Exchange
from oauth_conformance.redaction import REDACTOR, run_key, use_run_key
from oauth_conformance.verdicts import Finding

__all__ = [
    "configure",
    "configure_early",
    "configure_node",
    "crashed",
    "is_controller",
    "is_worker",
    "node_down",
    "received",
    "send_test",
    "worker_count",
    "worker_finished",
]

_KEY = "oauth_conformance"
# Evidence numbers of a replacement worker start at its index times this.
_REPLACEMENT_BLOCK = 1_000_000


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def is_controller(config: pytest.Config) -> bool:
    """The process that spreads the run over workers (-n N, N > 0)."""
    return not is_worker(config) and getattr(config.option, "dist", "no") != "no"


def worker_count(config: pytest.Config) -> int:
    """How many workers the run has, seen from a worker (1 in a run of one process)."""
    return _worker_index(config)[1] if is_worker(config) else 1


def _worker_index(config: pytest.Config) -> tuple[int, int]:
    info = config.workerinput  # type: ignore[attr-defined]
    return int(str(info["workerid"]).removeprefix("gw")), int(info["workercount"])


def configure_node(node: Any) -> None:
    """Controller: what a worker must share with the run, handed to it as it starts."""
    node.workerinput[f"{_KEY}.run_prefix"] = settings.settings_of(node.config).run_prefix
    node.workerinput[f"{_KEY}.run_key"] = run_key().hex()
    node.workerinput[f"{_KEY}.tech_user_ledger"] = str(_ledger(node.config))


_LEDGER = pytest.StashKey[Path]()


def _ledger(config: pytest.Config) -> Path:
    """The run's technical-user ledger: made once, removed when the run ends."""
    if _LEDGER not in config.stash:
        folder = Path(tempfile.mkdtemp(prefix="oauth-conformance-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        config.stash[_LEDGER] = folder / "technical-users"
    return config.stash[_LEDGER]


def configure_early(config: pytest.Config) -> None:
    """Worker, before any secret is read: mask with the run's key."""
    if is_worker(config):
        use_run_key(bytes.fromhex(config.workerinput[f"{_KEY}.run_key"]))  # type: ignore[attr-defined]


def configure(config: pytest.Config) -> None:
    """Worker, once the settings are read and the target configured: its share of the run. Controller of
    a run against the mock: the key file its workers' mocks share (generated once, by the first)."""
    if is_controller(config) and settings.settings_of(config).target == "mock":
        from oauth_conformance.mock.run_keys import prepare_key_file  # the mock's package, only for it

        prepare_key_file()
    if not is_worker(config):
        return
    index, count = _worker_index(config)
    info = config.workerinput  # type: ignore[attr-defined]
    settings.override(
        config,
        run_prefix=info[f"{_KEY}.run_prefix"],
        worker=f"w{index}",
        tech_user_ledger=Path(info[f"{_KEY}.tech_user_ledger"]),
    )
    if index < count:
        target.run_of(config).evidence.number_from(index + 1, count)
    else:
        # A worker started in place of a crashed one (gw2 of two): numbers of its own, beyond any the
        # first workers reach.
        target.run_of(config).evidence.number_from(index * _REPLACEMENT_BLOCK + 1, 1)
    config.stash[_SENT] = _Sent()


class _Sent:
    """How much of each list a worker has sent already."""

    def __init__(self) -> None:
        self.findings = self.exchanges = self.leftovers = self.teardown_errors = self.secrets = 0


_SENT = pytest.StashKey[_Sent]()


def _news(config: pytest.Config) -> dict[str, Any]:
    judged, seen, sent = verdicts.run_of(config), target.run_of(config), config.stash[_SENT]
    news = {
        "findings": [f.as_dict() for f in judged.findings[sent.findings:]],
        "exchanges": [e.as_dict() for e in seen.evidence.exchanges[sent.exchanges:]],
        "leftovers": [item.as_dict() for item in seen.leftovers[sent.leftovers:]],
        "teardown_errors": judged.teardown_errors[sent.teardown_errors:],
        # With each test, not only at the end: a worker that crashes never sends its last words, and the
        # controller's final scrub of the reports needs every secret the run saw.
        "secrets": list(secrets := REDACTOR.registered())[sent.secrets:],
    }
    sent.findings, sent.exchanges = len(judged.findings), len(seen.evidence.exchanges)
    sent.leftovers, sent.teardown_errors = len(seen.leftovers), len(judged.teardown_errors)
    sent.secrets = len(secrets)
    return news


def send_test(item: pytest.Item, report: pytest.TestReport) -> None:
    """Worker, at a test's teardown report: what the test added, on its way to the controller."""
    if is_worker(item.config) and report.when == "teardown":
        setattr(report, _KEY, _news(item.config))


def worker_finished(session: pytest.Session) -> None:
    """Worker, at the end: the rest, and what the run learnt of its target and collected."""
    config = session.config
    judged, seen = verdicts.run_of(config), target.run_of(config)
    last = _news(config)
    last |= {
        "tagged": {requirement: sorted(tests) for requirement, tests in judged.tagged.items()},
        "order": judged.order,
        "deselected": sorted(judged.deselected),
        "description": seen.description,
        "stale": seen.stale,
    }
    config.workeroutput[_KEY] = last  # type: ignore[attr-defined]


def received(config: pytest.Config, report: pytest.TestReport) -> None:
    """Controller: a worker's test report, with what that test added."""
    news = getattr(report, _KEY, None)
    if not is_worker(config) and isinstance(news, dict):
        _merge(config, news)


def crashed(config: pytest.Config, nodeid: str) -> None:
    """Controller: the worker running ``nodeid`` died; what the test found died with it. Its requirements
    are ERRORs of this run (``verdicts.finish``), never left NOT_RUN as if nothing had been tried."""
    if not is_worker(config):
        verdicts.run_of(config).crashed.append(nodeid)


def node_down(node: Any) -> None:
    """Controller: a worker's last words (absent when it crashed: its tests are reported broken)."""
    last = getattr(node, "workeroutput", {}).get(_KEY)
    if isinstance(last, dict):
        _merge(node.config, last)


def _merge(config: pytest.Config, news: dict[str, Any]) -> None:
    judged, seen = verdicts.run_of(config), target.run_of(config)
    judged.findings += [Finding.from_dict(f) for f in news.get("findings", ())]
    judged.teardown_errors += [str(e) for e in news.get("teardown_errors", ())]
    seen.evidence.merge(Exchange.from_dict(e) for e in news.get("exchanges", ()))
    seen.leftovers += [Leftover(**item) for item in news.get("leftovers", ())]
    for requirement, tests in news.get("tagged", {}).items():
        judged.tagged.setdefault(requirement, set()).update(tests)
    judged.deselected.update(str(test) for test in news.get("deselected", ()))
    if news.get("order") and not judged.order:  # every worker collects the same tests
        judged.order = [str(test) for test in news["order"]]
    if "description" in news:
        seen.description = str(news["description"])
    seen.stale = list(dict.fromkeys([*seen.stale, *news.get("stale", ())]))
    REDACTOR.register(*news.get("secrets", ()))
