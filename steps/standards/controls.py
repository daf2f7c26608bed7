"""Positive controls: the valid form of a request, once a run, so that a refusal means something.

A check that counts a refusal (no token for a malformed request, a 401 for a forged token) holds only
where the same endpoint, in the same run, did the valid thing: issued a token to the standards client,
served the resource to its valid token. A server that refuses everything refuses the invalid request
too; without the control such a check is undecided (a SKIP with the reason), never a PASS.
"""

from __future__ import annotations

import pytest

from oauth_conformance.checks import PositiveControl
from oauth_conformance.http import HttpClient, exchange_id
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.targets.standards import StandardsTarget

__all__ = ["resource_control", "token_control"]


@pytest.fixture(scope="session")
def token_control(standards: StandardsTarget) -> PositiveControl:
    """A valid client-credentials request by the standards client, however the server authenticates it."""
    result = standards.token()
    return PositiveControl("a valid token request by the standards client", result.issued, result.describe(),
                           result.exchange)


@pytest.fixture(scope="session")
def resource_control(standards: StandardsTarget, http: HttpClient) -> PositiveControl:
    """A valid token of the standards client, sent as a Bearer header to the protected resource: 2xx."""
    what = "a valid token at the protected resource"
    if standards.resource_url is None:
        pytest.skip("needs OAUTH_RESOURCE_URL (a protected resource answering 2xx to a valid token)")
    result = standards.token()
    token = result.access_token
    if token is None:
        return PositiveControl(what, False, f"no token to send ({result.describe()})", result.exchange)
    REDACTOR.register(token)
    response = http.get(standards.resource_url, headers={"Authorization": f"Bearer {token}"})
    return PositiveControl(what, 200 <= response.status_code < 300, f"HTTP {response.status_code}",
                           exchange_id(response))
