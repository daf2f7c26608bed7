"""The search's input properties against the bundled mock, started in this process and reached over real
HTTP through the suite's own client: on the compliant profile no judgement is violated and every exactly
valid token request gets its token; on the creatio profile every violation is one ``profiles/creatio.toml``
waives (the answers the documented Identity Service and API give)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauth_conformance.catalogue import load_catalogue
from oauth_conformance.checks import PositiveControl, Status
from oauth_conformance.checks._predicates import issued
from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy, exchange_id, json_object
from oauth_conformance.mock import MockOptions, start_mock
from oauth_conformance.search._judgement import Judgement
from oauth_conformance.search.token_mutations import TokenMutation, token_mutations
from oauth_conformance.search.token_mutations import judgements as mutation_judgements
from oauth_conformance.search.token_requests import TokenRequestVariant, judgements, token_request_variants
from oauth_conformance.targets.standards import Client
from oauth_conformance.verdicts.waivers import in_force, load_waivers

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_search_inputs_live")

ROOT = Path(__file__).resolve().parents[2]
LIVE = settings(max_examples=40, deadline=None, derandomize=True, database=None)


@dataclass(frozen=True)
class Live:
    """A running mock, its seeded clients, both positive controls, and the strategies drawn from."""

    profile: str
    http: HttpClient
    token_endpoint: str
    resource_url: str
    token_control: PositiveControl
    resource_control: PositiveControl
    requests: st.SearchStrategy[TokenRequestVariant]
    mutations: st.SearchStrategy[TokenMutation]
    # What a violation may be here: nothing on the compliant profile, a waived requirement on the creatio one.
    allowed: frozenset[str]


def _waived() -> frozenset[str]:
    waivers = load_waivers((ROOT / "profiles" / "creatio.toml",), load_catalogue())
    return frozenset(w.id for w in waivers if in_force(w, dt.date.today()))


@pytest.fixture(scope="module", params=["compliant", "creatio"])
def live(request: pytest.FixtureRequest) -> Iterator[Live]:
    profile = request.param
    with start_mock(MockOptions(profile=profile)) as mock, \
            HttpClient(TransportPolicy(timeout=10), EvidenceLog()) as http:
        first, second = mock.seed.oauth_clients[:2]
        client, other = Client(first.client_id, first.client_secret), Client(second.client_id, second.client_secret)
        token_endpoint = f"{mock.identity_url}/connect/token"
        answer = http.post(token_endpoint, data={"grant_type": "client_credentials", "client_id": client.client_id,
                                                 "client_secret": client.client_secret})
        token = (json_object(answer) or {}).get("access_token")
        assert isinstance(token, str), answer.text
        resource_url = f"{mock.creatio_url}{mock.options.app_prefix}/odata/{mock.seed.allowed_entity}"
        served = http.get(resource_url, headers={"Authorization": f"Bearer {token}"})
        yield Live(
            profile, http, token_endpoint, resource_url,
            PositiveControl("a valid token request", True, "HTTP 200, token issued", exchange_id(answer)),
            PositiveControl("a valid token at the resource", served.status_code == 200, f"HTTP {served.status_code}",
                            exchange_id(served)),
            token_request_variants(client, other), token_mutations(token),
            frozenset() if profile == "compliant" else _waived(),
        )


def _violated(found: list[Judgement]) -> set[str]:
    return {j.check.requirement for j in found if j.outcome().status is Status.VIOLATED}


def _said(steps: tuple[str, ...], answer: httpx2.Response, found: set[str]) -> str:
    return f"{sorted(found)} for HTTP {answer.status_code}:\n  " + "\n  ".join(steps)


@LIVE
@given(data=st.data())
def test_token_request_variants_hold_on_the_mock(live: Live, data: st.DataObject) -> None:
    variant = data.draw(live.requests)
    answer = variant.send(live.http, live.token_endpoint)
    found = _violated(judgements(variant, answer, live.token_control))
    assert found <= live.allowed, _said(variant.steps, answer, found - live.allowed)
    if variant.exactly_valid:
        assert issued(answer), _said(variant.steps, answer, {"a valid form refused"})


@LIVE
@given(data=st.data())
def test_token_mutations_are_refused_by_the_mock(live: Live, data: st.DataObject) -> None:
    assert live.resource_control.shown
    mutation = data.draw(live.mutations)
    answer = mutation.send(live.http, live.resource_url)
    found = _violated(mutation_judgements(mutation, answer, live.resource_control))
    assert found <= live.allowed, _said(mutation.steps, answer, found - live.allowed)
