"""RFC 9700 / RFC 6819 items that apply to a client-credentials setup."""

from __future__ import annotations

import math

from pytest_bdd import then, when

from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker
from steps.standards.context import require_part
from steps.state import Probe


def _bits(secret: str) -> float:
    # An upper bound: length times the bits of the alphabet the secret draws from. A generated hex
    # secret of 64 characters gives 256; anything under 128 cannot be random enough.
    alphabet = 16 if all(c in "0123456789abcdefABCDEF" for c in secret) else 64
    return len(secret) * math.log2(alphabet)


@then("the client secret carries at least 128 bits by its length and alphabet")
def secret_entropy(standards: StandardsTarget, checker: Checker) -> None:
    bits = _bits(standards.client.client_secret)
    checker.require("RFC6819-5.1.4.2.2-secret-entropy", bits >= 128,
                    f"{len(standards.client.client_secret)} characters, at most {bits:.0f} bits")


@when("the deactivated client requests a token")
def disabled_requests(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    require_part(standards.disabled_client,
                 "OAUTH_DISABLED_CLIENT_ID and OAUTH_DISABLED_CLIENT_SECRET (a deactivated client)")
    assert standards.disabled_client is not None
    client = standards.disabled_client
    probe.responses.append(http.post(standards.identity.token_endpoint, data={
        "grant_type": "client_credentials", "client_id": client.client_id, "client_secret": client.client_secret,
    }))


@then("a default scope is applied or the request is refused with invalid_scope")
def default_scope(probe: Probe, checker: Checker) -> None:
    response = probe.last
    body = json_object(response) or {}
    issued = response.status_code == 200 and isinstance(body.get("access_token"), str)
    ok = issued or body.get("error") == "invalid_scope"
    message = f"token issued, scope {body.get('scope')!r}" if issued else f"HTTP {response.status_code} {body}"
    checker.require("RFC6749-3.3-default-scope", ok, message, [exchange_id(response)])
