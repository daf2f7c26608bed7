"""Glue for the search (tests/conformance/test_search_*.py): each search as a fixture that runs it
against the target and leaves its findings in the test's checker.

The searches themselves live in ``oauth_conformance.search``; this module hands them the target, the
HTTP client, the positive controls and the settings, the way the step modules do for the scenarios.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

import httpx2
import pytest

from oauth_conformance.checks import Outcome, PositiveControl, Status, creatio
from oauth_conformance.cleanup import Cleanup
from oauth_conformance.http import HttpClient, exchange_id
from oauth_conformance.jwt import decode_unverified
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.search.parts import WHOLE, SearchPart
from oauth_conformance.settings import Settings
from oauth_conformance.targets import CreatioEnvironment
from oauth_conformance.targets.creatio_target import existing_user_id
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker, Finding, Verdict

from .standards.context import fresh_access_token

# Hypothesis and the search (which imports it) are imported by the fixtures that run a search, not with
# the step library: a run whose search does not run (OAUTH_SEARCH=off, or auto against a real target)
# never imports them.
if TYPE_CHECKING:
    from oauth_conformance.search import Lifecycle, Search, SearchSettings, TechnicalUser
    from oauth_conformance.search._judgement import Judgement
    from oauth_conformance.search.token_mutations import TokenMutation
    from oauth_conformance.search.token_requests import TokenRequestVariant

__all__ = ["SearchRun", "api_search", "lifecycle_search", "search_settings", "token_endpoint_search"]


@pytest.fixture(scope="session")
def search_settings(settings: Settings) -> Iterator[SearchSettings]:
    # Hypothesis keeps caches in a folder of its own (by default .hypothesis in the current folder),
    # among them every string constant of the loaded modules: a private folder for the run, removed at its
    # end, never the reports, which CI publishes. Only the example database lives under the reports.
    from hypothesis.configuration import set_hypothesis_home_dir

    from oauth_conformance.search import SearchSettings

    with tempfile.TemporaryDirectory(prefix="oauth-conformance-hypothesis-") as home:
        set_hypothesis_home_dir(home)
        yield SearchSettings(
            examples=settings.search_examples,
            steps=settings.search_steps,
            derandomize=settings.search_derandomize,
            database=settings.reports_dir / "hypothesis",
        )


@dataclass
class SearchRun:
    """A search ready to run: ``run()`` explores, then leaves one finding per requirement."""

    search: Search
    explore: Callable[[Search], None]
    finish: Callable[[Search], None] | None = None  # None: Search.finish

    def run(self) -> None:
        self.explore(self.search)
        if self.finish is None:
            self.search.finish()
        else:
            self.finish(self.search)


def _search(request: pytest.FixtureRequest, checker: Checker, http: HttpClient, settings: Settings,
            name: str, unit: str, settings_: SearchSettings, exclude: tuple[str, ...] = (),
            part: SearchPart = WHOLE) -> Search:
    from oauth_conformance.search import RequestBudget, Search

    waived: frozenset[str] = request.getfixturevalue("waived_requirements")
    return Search(
        name=name + part.label,
        unit=unit,
        checker=checker,
        evidence=http.evidence,
        budget=RequestBudget(http.evidence, part.share(settings.search_requests), part.rate(settings.search_rate)),
        settings=settings_,
        requirements=tuple(rid for rid in checker.tags if rid not in exclude),
        waived=waived,
    )


# -- the lifecycle state machine -------------------------------------------------------------------


@pytest.fixture
def lifecycle_search(
    request: pytest.FixtureRequest, creatio_env: CreatioEnvironment, http: HttpClient, settings: Settings,
    checker: Checker, search_settings: SearchSettings, cleanup: Cleanup,
) -> SearchRun:
    from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

    from oauth_conformance.search import Lifecycle, LifecycleMachine, TechnicalUser, hypothesis_settings

    adapter, connection = creatio_env.adapter, creatio_env.connection
    if creatio_env.identity is None:
        pytest.skip(creatio_env.identity_url_needed)
    if not adapter.can_manage:
        pytest.skip("the lifecycle search creates and changes integrations: needs CREATIO_ADMIN_USER and "
                    "CREATIO_ADMIN_PASSWORD (an administrator login)")
    adapter.ensure_login()
    tech_user = None
    if connection.tech_user and connection.allowed_entity and connection.denied_entity:
        tech_user = TechnicalUser(existing_user_id(adapter, connection.tech_user), connection.allowed_entity,
                                  connection.denied_entity)
    own_users = creatio_env.budget.allowed
    share_existing = creatio_env.mock is not None
    if not own_users and not (tech_user is not None and share_existing):
        pytest.skip("the lifecycle search binds its integrations to technical users of its own on a real instance "
                    "(a fault reaching every integration of CREATIO_TECH_USER must never reach one it did not "
                    "create): needs CREATIO_CREATE_TECH_USERS=true")
    # Under pytest-xdist with --dist loadgroup, one of the parts the plugin split the search into, each with
    # a sequence at least (oauth_conformance.search.parts); else the whole search.
    part: SearchPart = getattr(request, "param", WHOLE)
    search = _search(request, checker, http, settings, "the lifecycle search", "sequence",
                     replace(search_settings, examples=part.share(settings.search_sequences)),
                     exclude=(creatio.active_off_existing_review.requirement, creatio.cleanup_complete.requirement),
                     part=part)
    life = Lifecycle(creatio_env, creatio_env.identity, search, tech_user, own_users, share_existing,
                     settings.deactivation_wait, settings.names_prefix, cleanup)

    def explore(search: Search) -> None:
        # Hypothesis takes "anything which returns an instance of RuleBasedStateMachine when called with
        # no arguments" (its docstring), though it is typed as the class.
        factory = cast(type[RuleBasedStateMachine], lambda: LifecycleMachine(life))
        part.seed(factory)
        search.run(lambda: run_state_machine_as_test(factory, settings=hypothesis_settings(search.settings)))

    def finish(search: Search) -> None:
        search.finish(lambda rid: _lifecycle_unreached(rid, tech_user, own_users, search))
        _measured_earlier_tokens(life, checker)

    return SearchRun(search, explore, finish)


def _lifecycle_unreached(requirement: str, tech_user: TechnicalUser | None, own_users: bool, search: Search) -> str:
    if tech_user is None and requirement in (creatio.token_acts_as_techuser.requirement,
                                             creatio.techuser_isolation.requirement):
        return ("needs CREATIO_TECH_USER, CREATIO_ALLOWED_ENTITY and CREATIO_DENIED_ENTITY: what a token may "
                "read is known only for an existing technical user")
    return f"no sequence of {search.name} reached a step that decides it ({search.examples} sequences)"


def _measured_earlier_tokens(life: Lifecycle, checker: Checker) -> None:
    """How tokens issued before a deactivation or a deletion fared, for a human (CRE-active-off-existing)."""
    requirement = creatio.active_off_existing_review.requirement
    if requirement not in checker.tags:
        return
    if not life.earlier_tokens:
        checker.findings.append(_not_reached(checker, requirement, f"no sequence of {life.search.name} used a token "
                                      "obtained before its integration was deactivated or deleted"))
        return
    counts = ", ".join(f"{n} {fate}" for fate, n in sorted(life.earlier_tokens.items()))
    message = (f"tokens issued before a change, read against the API by {life.search.name}: {counts} (the "
               "procedure promises nothing here: docs/creatio-oauth.md §7)")
    checker.record(requirement, Outcome(Status.MEASURED, message, tuple(life.earlier_evidence)))


def _not_reached(checker: Checker, requirement: str, reason: str) -> Finding:
    # Not reached by the search: NOT_RUN, below the scenarios' own measurement of it.
    return Finding(requirement, Verdict.NOT_RUN, reason, checker.test)


# -- the token endpoint and API properties -----------------------------------------------------------


@pytest.fixture
def token_endpoint_search(
    request: pytest.FixtureRequest, standards: StandardsTarget, http: HttpClient, settings: Settings,
    checker: Checker, search_settings: SearchSettings, token_control: PositiveControl,
) -> SearchRun:
    from oauth_conformance.search import token_request_variants
    from oauth_conformance.search.token_requests import judgements as request_judgements

    search = _search(request, checker, http, settings, "the token endpoint search", "request variant",
                     search_settings)
    endpoint = standards.identity.token_endpoint
    # The parameters the target sends with every token request (a scope, an audience) belong to the valid form.
    strategy = token_request_variants(standards.client, standards.second_client,
                                      parameters=standards.identity.token_parameters)

    def example(variant: TokenRequestVariant) -> None:
        _one_request(search, variant.derived_values(), variant.steps, lambda: variant.send(http, endpoint),
                     f"{variant.method} the token endpoint",
                     lambda response: request_judgements(variant, response, token_control))

    return SearchRun(search, lambda s: s.run_property(strategy, example))


@pytest.fixture
def api_search(
    request: pytest.FixtureRequest, standards: StandardsTarget, http: HttpClient, settings: Settings,
    checker: Checker, search_settings: SearchSettings, resource_control: PositiveControl,
) -> SearchRun:
    from oauth_conformance.search.token_mutations import judgements as mutation_judgements
    from oauth_conformance.search.token_mutations import token_mutations

    if standards.resource_url is None:
        pytest.skip("the API search needs a protected resource (OAUTH_RESOURCE_URL)")
    search = _search(request, checker, http, settings, "the API search", "mutated token", search_settings)
    # A new token, not the one the checks share: the search outlasts a shared token's reuse window, and a
    # mutation refused because its token expired would say nothing about the signature check.
    token = fresh_access_token(standards)
    try:
        decode_unverified(token)
    except ValueError as opaque:
        pytest.skip(f"the API search mutates JWT access tokens, and this server's is {opaque}: an opaque token "
                    "has no signature or claims to tamper with")
    resource = standards.resource_url
    strategy = token_mutations(token)

    def example(mutation: TokenMutation) -> None:
        _one_request(search, mutation.derived_values(), mutation.steps, lambda: mutation.send(http, resource),
                     "GET the protected resource with it",
                     lambda response: mutation_judgements(mutation, response, resource_control))

    return SearchRun(search, lambda s: s.run_property(strategy, example))


def _one_request(search: Search, derived: tuple[str, ...], steps: tuple[str, ...], send: Callable[[], httpx2.Response],
                 what: str, judgements: Callable[[httpx2.Response], list[Judgement]]) -> None:
    """One example of a property: what it derived from a credential masked before anything is sent, its
    steps, the one request (within the budget), and every judgement of the answer."""
    REDACTOR.register(*derived)
    if not search.budget.allows(1):
        return
    for line in steps:
        search.step(line)
    response = send()
    search.step(f"{what} ({exchange_id(response)}: HTTP {response.status_code})")
    for judgement in judgements(response):
        search.judge(judgement.check, judgement.observation)
