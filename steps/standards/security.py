"""RFC 9700 / RFC 6819 items that apply to a client-credentials setup."""

from __future__ import annotations

from pytest_bdd import then, when

from oauth_conformance.checks import PositiveControl, rfc6749, rfc6819
from oauth_conformance.checks.rfc6819 import IssuedSecret
from oauth_conformance.http import HttpClient
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

from ..state import Probe
from .context import authenticated, needs_issuing, require_part, token_form


@then("the client secret carries at least 128 bits by its length and alphabet")
def secret_entropy(standards: StandardsTarget, checker: Checker) -> None:
    checker.verify(rfc6819.secret_entropy, IssuedSecret(standards.client.client_secret))


@when("the deactivated client requests a token")
def disabled_requests(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    client = require_part(standards.disabled_client,
                           "OAUTH_DISABLED_CLIENT_ID and OAUTH_DISABLED_CLIENT_SECRET (a deactivated client)")
    probe.responses.append(http.post(standards.identity.token_endpoint,
                                     **authenticated(standards, client, token_form(standards))))


@then("a default scope is applied or the request is refused with invalid_scope")
def default_scope(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    needs_issuing(token_control)
    checker.verify(rfc6749.default_scope_applied, probe.last)
