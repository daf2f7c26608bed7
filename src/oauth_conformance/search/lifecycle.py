"""A stateful model of the integration lifecycle: Hypothesis chooses the sequence, the model says what
the documented procedure promises after every step.

The rules do what an administrator does on the OAuth integrated applications page, through the same
Creatio adapter as the scenarios: create an integration (with a separate technical user or the existing
one, CREATIO_TECH_USER), edit its Name, Application URL or Description (one to three saves), clear and
select Active (on an active one: cleared first, a brief suspension), delete it, rotate its credentials (a
replacement, then the old one deleted). What the external app does follows every change, so that each
fault shows at the step that caused it: the model asks the Identity Service for a token with the
credentials of every integration it holds, has each new token read an entity its technical user may and
one it may not, and uses the token a deactivated or deleted integration obtained earlier. It judges each
answer with the check of the promise at stake:

- the integration just created obtains a token (CRE-token-issued);
- an edited, active one still does with the same credentials, and its record keeps its Client Id
  (CRE-edit-keeps-credentials);
- an inactive one never does, whatever happened since it was deactivated (CRE-active-off-new);
- a reactivated one does again with the same credentials, and its new token reads what its technical
  user may (CRE-reactivate);
- a deleted one never does again (CRE-secret-rotate); its replacement does;
- clearing Active on one leaves the others on its technical user working (CRE-active-off-isolated), and
  any active integration's credentials obtain a token whatever happened to another (CRE-token-issued);
- a token never reads what its technical user may not (CRE-techuser-isolation), and reads what it may
  (CRE-token-acts-as-techuser).

Whether a token issued before a deactivation still reads is no promise (Creatio 8.1 lets it live until
it expires, newer builds refuse it per request: docs/creatio-oauth.md §7); the model measures it for
CRE-active-off-existing. An Identity Service may cache its clients: a token still issued to an inactive
integration within CREATIO_DEACTIVATION_WAIT of its deactivation is asked for again by later probes, and
at the end of the example polled until refused or the wait is over, as the scenarios poll; only then is it
judged, so that no step waits out the whole wait.

Each example creates what it needs with a name prefix of its own and removes it at its end.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

import httpx2
import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from oauth_conformance.checks import creatio
from oauth_conformance.cleanup import Cleanup, LeftBehindError, Leftover
from oauth_conformance.errors import FeatureNotOfferedError, UnexpectedResponseError
from oauth_conformance.http import exchange_id
from oauth_conformance.polling import PROBE_INTERVAL_S, poll
from oauth_conformance.redaction import RedactedRepr
from oauth_conformance.search.requirements import LIFECYCLE_REQUIREMENTS
from oauth_conformance.search.runner import Search
from oauth_conformance.targets.creatio import describe_body
from oauth_conformance.targets.creatio_target import CreatioEnvironment
from oauth_conformance.targets.identity import IdentityClient, TokenResult
from oauth_conformance.targets.provisioning import CreationOutcome, Integration

__all__ = ["EXAMPLE_NUMBERS", "REQUIREMENTS", "Lifecycle", "LifecycleMachine", "TechnicalUser"]

REQUIREMENTS = LIFECYCLE_REQUIREMENTS

# Few names, so that a new integration sometimes takes the name of one deleted before it.
NAMES = ("A", "B", "C")
# The integration page's editable parameters (creatio-oauth.md §3.1) and the values an edit saves.
COLUMNS = {"Name": "Name", "Application URL": "ApplicationUrl", "Description": "Description"}
VALUES = ("one", "two", "three")
# At most this many integrations at once, and ever, in one example: enough for every interplay the
# procedure promises about (two sharing a technical user, a replacement beside the original).
ALIVE_AT_MOST = 3
CREATED_AT_MOST = 5
# Requests a step may send beyond one per integration probed; what removing an integration may take.
_STEP_COST = 8
_CLEANUP_COST = 8

# Every example's objects carry a number of their own in their names.
EXAMPLE_NUMBERS = itertools.count(1)

Cause = Literal["created", "edited", "deactivated", "activated", "deleted", "beside a deactivation"]


@dataclass(frozen=True)
class TechnicalUser:
    """The existing technical user (CREATIO_TECH_USER) and what it may and may not read."""

    id: str
    allowed_entity: str
    denied_entity: str


@dataclass(repr=False)
class _Held(RedactedRepr):
    """One integration as the model knows it."""

    label: str
    integration: Integration
    shared: bool  # bound to the existing technical user; else to a separate one of its own
    active: bool = True
    deleted: bool = False
    # The newest token it obtained, and whether the integration changed since (an earlier token).
    token: str | None = field(default=None, repr=False)
    deactivated_at: float | None = None
    # Inactive, but still issued a token within CREATIO_DEACTIVATION_WAIT: to be confirmed refused.
    pending: bool = False


@dataclass
class Lifecycle:
    """What the machine drives and where it reports: the Creatio, its Identity Service and the search."""

    env: CreatioEnvironment
    identity: IdentityClient
    search: Search
    tech_user: TechnicalUser | None
    # Whether the run may create technical users of its own (else every integration shares tech_user).
    own_users: bool
    # Whether integrations may be bound to tech_user: only on the bundled mock. On a real instance other
    # integrations run as that user, and a fault that reaches every integration of a user (deactivating
    # them all, say) must never reach one the search did not create.
    share_existing: bool
    deactivation_wait: float
    names_prefix: str
    # The test's cleanup: what each example removed, and what it could not, are reported through it
    # (CRE-cleanup, and the run's list of leftovers), though each example removes its own at its end.
    report: Cleanup
    # How tokens issued before a deactivation fared against the API (CRE-active-off-existing).
    earlier_tokens: Counter[str] = field(default_factory=Counter)
    earlier_evidence: list[str] = field(default_factory=list)
    _admin_reads: dict[str, bool] = field(default_factory=dict)

    def admin_reads(self, entity: str) -> bool:
        """Whether an administrator reads records of ``entity``: the control for an empty answer."""
        if entity not in self._admin_reads:
            self._admin_reads[entity] = self.env.adapter.admin_sees_records(entity)
        return self._admin_reads[entity]


def _ref(response: httpx2.Response | TokenResult | None) -> str:
    exchange = response.exchange if isinstance(response, TokenResult) else (
        exchange_id(response) if response is not None else None)
    return exchange or "no exchange"


class LifecycleMachine(RuleBasedStateMachine):
    """One example: a sequence of the rules below on a fresh set of integrations."""

    def __init__(self, life: Lifecycle) -> None:
        super().__init__()
        self.life = life
        life.search.new_example()
        self.cleanup = Cleanup()
        prefix = f"{life.names_prefix}s{next(EXAMPLE_NUMBERS):03d}-"
        self.provisioner = life.env.provisioner(prefix, self.cleanup)
        self.held: list[_Held] = []
        self.names = itertools.count(1)
        # Names a separate technical user of this example was given: Creatio refuses a second user of one
        # name, and a deleted integration's user stays until the example ends.
        self.user_names: set[str] = set()
        # How entangled the example got (see ``_entangled``): Hypothesis steers toward higher scores.
        self.entangled = 0

    # -- what the model holds -------------------------------------------------------------------------

    def _alive(self) -> list[_Held]:
        return [h for h in self.held if not h.deleted]

    def _pick(self, index: int, among: list[_Held]) -> _Held:
        return among[index % len(among)]

    def _affordable(self) -> bool:
        return self.life.search.budget.allows(_STEP_COST + 3 * len(self.held))

    def _step(self, text: str) -> None:
        self.life.search.step(text)

    # -- the administrator's rules ----------------------------------------------------------------------

    @precondition(lambda self: len(self._alive()) < ALIVE_AT_MOST and len(self.held) < CREATED_AT_MOST)
    # A separate technical user one time in four: most promises about others concern integrations that
    # share one technical user, as the existing-user choice on the page makes them.
    @rule(name=st.sampled_from(NAMES), separate_user=st.integers(0, 3).map(lambda n: n == 0))
    def create(self, name: str, separate_user: bool) -> None:
        if not self._affordable() or any(
                h.integration.name == self.provisioner.name_for(name) for h in self._alive()):
            return
        life = self.life
        label = f"{name}{next(self.names)}"
        separate = (separate_user or not life.share_existing) and life.own_users and name not in self.user_names
        shared = not separate
        if shared and (life.tech_user is None or not life.share_existing):
            return
        how = "the existing technical user"
        try:
            if shared and life.tech_user is not None:
                outcome = self.provisioner.create(name, system_user_id=life.tech_user.id)
            else:
                outcome = self.provisioner.create(name)
                self.user_names.add(name)
                how = "a separate technical user"
        except FeatureNotOfferedError:
            if life.tech_user is None or not life.share_existing:
                return
            shared, how = True, "the existing technical user (no separate one could be created)"
            outcome = self.provisioner.create(name, system_user_id=life.tech_user.id)
        integration, evidence = self._saved(outcome, f"integration {name!r}")
        held = _Held(label, integration, shared)
        self.held.append(held)
        self._step(f"create integration {label} (named {name!r}) with {how} ({evidence})")
        self._probe_all(held, "created")

    @precondition(lambda self: bool(self._alive()))
    @rule(pick=st.integers(0, 4), changes=st.lists(
        st.tuples(st.sampled_from(sorted(COLUMNS)), st.sampled_from(VALUES)), min_size=1, max_size=3))
    def edit(self, pick: int, changes: list[tuple[str, str]]) -> None:
        """One to three parameters changed, each saved as the page saves it, and judged after each save."""
        held = self._pick(pick, self._alive())
        for parameter, value in changes:
            if not self._affordable():
                return
            self._edit(held, parameter, value)

    def _edit(self, held: _Held, parameter: str, value: str) -> None:
        column = COLUMNS[parameter]
        saved = self.provisioner.name_for(f"{value}-{held.label}") if column == "Name" else value
        response = self.life.env.adapter.update_integration(held.integration.app_id, {column: saved})
        self._step(f"change the {parameter} of {held.label} to {value!r} ({_ref(response)}: HTTP "
                   f"{response.status_code})")
        if response.status_code >= 300:
            raise UnexpectedResponseError(f"saving the {parameter} of {held.label} failed: {describe_body(response)}",
                                          exchange_id(response))
        row = self.life.env.adapter.integration(held.integration.app_id) or {}
        stored = creatio.StoredClientId(held.integration.client_id, row.get("ClientId"),
                                        self.life.env.adapter.http.evidence.last_id)
        self.life.search.judge(creatio.edit_keeps_credentials, stored)
        self._probe_all(held, "edited")

    @precondition(lambda self: any(h.active for h in self._alive()))
    @rule(pick=st.integers(0, 4))
    def deactivate(self, pick: int) -> None:
        if not self._affordable():
            return
        held = self._pick(pick, [h for h in self._alive() if h.active])
        self._set_active(held, False)
        self._probe_all(held, "deactivated")
        self._measure_earlier_token(held)

    @precondition(lambda self: bool(self._alive()))
    @rule(pick=st.integers(0, 4))
    def activate(self, pick: int) -> None:
        """Select Active on any integration; one whose Active is selected already is first cleared (a
        brief suspension), each save judged. Any integration, not only inactive ones: a reactivation is
        where one integration's change meets the others' state."""
        if not self._affordable():
            return
        held = self._pick(pick, self._alive())
        if held.active:
            self._set_active(held, False)
            self._probe_all(held, "deactivated")
            if not self._affordable():
                return
        self._set_active(held, True)
        self._probe_all(held, "activated")

    @precondition(lambda self: bool(self._alive()))
    @rule(pick=st.integers(0, 4))
    def delete(self, pick: int) -> None:
        if not self._affordable():
            return
        held = self._pick(pick, self._alive())
        self._delete(held)
        self._probe_all(held, "deleted")
        self._measure_earlier_token(held)

    @precondition(lambda self: bool(self._alive()) and len(self.held) < CREATED_AT_MOST)
    @rule(pick=st.integers(0, 4))
    def rotate(self, pick: int) -> None:
        """Creatio has no "regenerate secret": a replacement integration on the same technical user,
        then the old one deleted (docs/creatio-oauth.md §3.2)."""
        if not self._affordable():
            return
        old = self._pick(pick, self._alive())
        label = f"{old.label}r{next(self.names)}"
        # The user the old one was saved with: the existing technical user, or its own separate one.
        outcome = self.provisioner.create(f"{old.label}-v2", system_user_id=old.integration.system_user_id)
        integration, evidence = self._saved(outcome, f"the replacement of {old.label}")
        replacement = _Held(label, integration, old.shared)
        self.held.append(replacement)
        self._step(f"create {label}, the replacement of {old.label}, on the same technical user ({evidence})")
        self._probe_all(replacement, "created")
        self._delete(old)
        self._probe_all(old, "deleted")

    @precondition(lambda self: bool(self.held))
    @rule(pick=st.integers(0, 4))
    def request_token(self, pick: int) -> None:
        """The external app asks for a token with what it holds, the deleted ones' credentials included
        (also what keeps a sequence going once it has created all it may and deleted everything)."""
        if self._affordable():
            self._probe(self._pick(pick, self.held), None)

    # -- changes and probes ---------------------------------------------------------------------------

    def _saved(self, outcome: CreationOutcome, what: str) -> tuple[Integration, str]:
        """The integration a save made, with its evidence IDs in words; its removal is kept in the budget's
        reserve. A save that returned no credentials breaks the search (an ERROR): the scenarios judge it."""
        self.life.search.budget.reserve(_CLEANUP_COST)
        integration = outcome.integration
        if integration is None or not integration.client_secret:
            refusal = outcome.refusal
            raise UnexpectedResponseError(
                f"the search could not save {what} "
                f"({refusal.message if refusal else 'no Client Id or secret in the answer'})",
                next((e for e in outcome.evidence if e), None),
            )
        return integration, ", ".join(e for e in outcome.evidence if e)

    def _set_active(self, held: _Held, active: bool) -> None:
        response = self.life.env.adapter.update_integration(held.integration.app_id, {"IsActive": active})
        verb = "select" if active else "clear"
        self._step(f"{verb} the Active checkbox of {held.label} ({_ref(response)}: HTTP {response.status_code})")
        if response.status_code >= 300:
            raise UnexpectedResponseError(f"saving Active={active} for {held.label} failed: "
                                          f"{describe_body(response)}", exchange_id(response))
        self._settle(held)
        held.active = active
        held.deactivated_at = None if active else time.monotonic()
        self._entangled(held)

    def _entangled(self, changed: _Held) -> None:
        """Faults hide where one integration's change meets another's state: a change while others on the
        same technical user are inactive or deleted. The example's score is the most such others at one
        change; ``teardown`` hands it to Hypothesis's targeting, which then explores toward it."""
        others = [h for h in self.held if h is not changed and h.shared == changed.shared and (
            h.deleted or not h.active)]
        self.entangled = max(self.entangled, len(others))

    def _delete(self, held: _Held) -> None:
        self.provisioner.delete_client(held.integration.client_id)
        self._step(f"delete integration {held.label} ({self.life.env.adapter.http.evidence.last_id})")
        self._settle(held)
        held.deleted, held.active = True, False

    def _probe_all(self, changed: _Held, cause: Cause) -> None:
        """After a change: the changed integration per the change's promise, then every other one: one on
        the same technical user, after a deactivation, by the promise that it is unaffected
        (CRE-active-off-isolated); any other active one by the promise that its credentials obtain a token."""
        self._probe(changed, cause)
        for other in self.held:
            if other is not changed:
                beside = cause == "deactivated" and (
                    other.integration.system_user_id == changed.integration.system_user_id)
                self._probe(other, "beside a deactivation" if beside else None)

    def _token(self, held: _Held) -> TokenResult:
        return self.life.identity.request_token(held.integration.client_id, held.integration.client_secret)

    def _probe(self, held: _Held, cause: Cause | None) -> None:
        """Ask for a token with ``held``'s credentials; judge the answer by what ``cause`` promised (None:
        nothing happened to it, so it must be as it was)."""
        search = self.life.search
        if held.deleted:
            result = self._token(held)
            self._told(held, result, "after it was deleted")
            search.judge(creatio.secret_rotate, creatio.DeletedCredentialsToken(result))
            return
        if not held.active:
            result = self._token(held)
            since = time.monotonic() - (held.deactivated_at or time.monotonic())
            if result.issued and since < self.life.deactivation_wait:
                # The Identity Service may cache its clients for a while (CREATIO_DEACTIVATION_WAIT):
                # confirmed once the wait is over, by a later probe or at the end of the example, instead
                # of holding every step up for the whole wait.
                if not held.pending:
                    # Its confirmation may take a token request every PROBE_INTERVAL_S for the whole wait.
                    self.life.search.budget.reserve(self._confirmation_cost())
                held.pending = True
                self._told(held, result, f"while inactive, {since:.1f} s after Active was cleared (within "
                                         "CREATIO_DEACTIVATION_WAIT: asked again later)")
                return
            self._settle(held)
            self._told(held, result, "while inactive")
            search.judge(creatio.active_off_new, creatio.DeactivatedClientToken(since, result))
            return
        result = self._token(held)
        self._told(held, result, "")
        if cause == "edited":
            search.judge(creatio.edit_keeps_credentials, creatio.CredentialsToken(held.label, result))
        elif cause == "activated":
            search.judge(creatio.reactivate, creatio.CredentialsToken(held.label, result))
        elif cause == "beside a deactivation":
            search.judge(creatio.active_off_isolated, creatio.CredentialsToken(held.label, result))
        else:
            # Created, or untouched by the step: an active integration's credentials obtain a token.
            search.judge(creatio.token_issued, creatio.TokenAnswer(held.label, result))
        held.token = result.access_token
        if cause in ("created", "activated") and held.token is not None:
            # What the new token reads: what its technical user may, and nothing it may not.
            self._judge_reads(held, reactivated=cause == "activated")

    def _measure_earlier_token(self, held: _Held) -> None:
        """The token ``held`` obtained before it was deactivated or deleted, against the API: measured for
        CRE-active-off-existing, never judged (the procedure promises nothing about it)."""
        life = self.life
        if life.tech_user is None or not held.shared or held.token is None or not self._affordable():
            return
        response = life.env.adapter.read_entity_with_token(life.tech_user.allowed_entity, held.token)
        fate = "refused" if creatio.api_refused(response) else "accepted"
        state = "deleted" if held.deleted else "inactive"
        life.earlier_tokens[f"{fate} while {state}"] += 1
        if len(life.earlier_evidence) < 4 and (exchange := exchange_id(response)) is not None:
            life.earlier_evidence.append(exchange)
            life.search.keep(exchange)
        self._step(f"read {life.tech_user.allowed_entity} with the token {held.label} obtained before it became "
                   f"{state} ({_ref(response)}: {fate})")

    def _told(self, held: _Held, result: TokenResult, when: str) -> None:
        answer = "token issued" if result.issued else f"HTTP {result.status} {result.error or ''}".rstrip()
        self._step(f"request a token for {held.label}{' ' + when if when else ''} ({_ref(result)}: {answer})")

    def _judge_reads(self, held: _Held, *, reactivated: bool) -> None:
        """What the newest token of ``held`` reads: what its technical user may, and nothing it may not."""
        life, search = self.life, self.life.search
        user, token, adapter = life.tech_user, held.token, life.env.adapter
        if user is None or token is None:
            return
        if not held.shared:
            # A separate technical user starts with no rights (docs/creatio-oauth.md §3.4).
            response = adapter.read_entity_with_token(user.allowed_entity, token)
            self._step(f"read {user.allowed_entity} with {held.label}'s token ({_ref(response)}: HTTP "
                       f"{response.status_code})")
            observed = creatio.DeniedRead(response, life.admin_reads(user.allowed_entity))
            search.judge(creatio.techuser_isolation, observed)
            return
        control = adapter.read_entity_with_token(user.allowed_entity, token)
        self._step(f"read {user.allowed_entity} with {held.label}'s token ({_ref(control)}: HTTP "
                   f"{control.status_code})")
        if reactivated:
            search.judge(creatio.reactivate, creatio.NewTokenRead(held.label, None, control))
        else:
            search.judge(creatio.token_acts_as_techuser, creatio.PermittedRead(control))
        refused = adapter.read_entity_with_token(user.denied_entity, token)
        self._step(f"read {user.denied_entity} with {held.label}'s token ({_ref(refused)}: HTTP "
                   f"{refused.status_code})")
        search.judge(creatio.techuser_isolation, creatio.DeniedReadWithControl(
            user.denied_entity, refused, user.allowed_entity, control, life.admin_reads(user.denied_entity)))

    def _confirmation_cost(self) -> int:
        return int(self.life.deactivation_wait / PROBE_INTERVAL_S) + 2

    def _settle(self, held: _Held) -> None:
        """``held`` is no longer waiting for its deactivation to be confirmed: its reserve is free again."""
        if held.pending:
            held.pending = False
            self.life.search.budget.release(self._confirmation_cost())

    def _confirm_deactivation(self, held: _Held) -> None:
        """An inactive integration that still obtained tokens within the wait: polled until refused or
        CREATIO_DEACTIVATION_WAIT after Active was cleared, then judged."""
        since = held.deactivated_at or time.monotonic()
        self._settle(held)
        results = poll(lambda: self._token(held), lambda r: not r.issued, since, self.life.deactivation_wait)
        self._told(held, results[-1], f"while inactive, {len(results)} attempts until the wait ran out or it was "
                                      "refused")
        self.life.search.judge(creatio.active_off_new, creatio.DeactivatedClientToken(
            time.monotonic() - since, results[-1], len(results)))

    def teardown(self) -> None:
        hypothesis.target(float(self.entangled), label="inactive or deleted integrations beside a change")
        try:
            for held in self.held:
                if held.pending and not held.active and not held.deleted:
                    self._confirm_deactivation(held)
        finally:
            self._remove_all()

    def _remove_all(self) -> None:
        left = self.cleanup.run()
        self.life.report.done += self.cleanup.done
        for leftover in left:
            self.life.report.add(leftover.what, partial(_left_behind, leftover))
        self.life.search.budget.release(_CLEANUP_COST * len(self.held))


def _left_behind(leftover: Leftover) -> None:
    raise LeftBehindError(leftover)
