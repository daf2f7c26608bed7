"""Positive controls: the valid form of a request, once a run, so that a refusal means something.

A check that counts a refusal (no token for a malformed request, a 401 for a forged token) holds only
where the same endpoint, in the same run, did the valid thing: issued a token to the standards client,
served the resource to its valid token. A server that refuses everything refuses the invalid request
too; without the control such a check is undecided (a SKIP with the reason), never a PASS.
"""

from __future__ import annotations

import pytest

from oauth_conformance.checks import PositiveControl, rfc7009
from oauth_conformance.http import HttpClient, exchange_id
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.targets.standards import StandardsTarget

from .context import advertised_endpoint, fresh_access_token, revoke
from .introspection import introspect

__all__ = [
    "access_token_revocation",
    "introspection_control",
    "own_revocation_effective",
    "resource_control",
    "token_control",
]


@pytest.fixture(scope="session")
def token_control(standards: StandardsTarget) -> PositiveControl:
    """A valid client-credentials request by the standards client, however the server authenticates it (the
    token the checks then share, ``StandardsTarget.reusable_token``)."""
    result = standards.reusable_token()
    return PositiveControl("a valid token request by the standards client", result.issued, result.describe(),
                           result.exchange)


@pytest.fixture(scope="session")
def resource_control(standards: StandardsTarget, http: HttpClient) -> PositiveControl:
    """A valid token of the standards client, sent as a Bearer header to the protected resource: 2xx."""
    what = "a valid token at the protected resource"
    if standards.resource_url is None:
        pytest.skip("needs OAUTH_RESOURCE_URL (a protected resource answering 2xx to a valid token)")
    result = standards.reusable_token()
    token = result.access_token
    if token is None:
        return PositiveControl(what, False, f"no token to send ({result.describe()})", result.exchange)
    REDACTOR.register(token)
    response = http.get(standards.resource_url, headers={"Authorization": f"Bearer {token}"})
    return PositiveControl(what, 200 <= response.status_code < 300, f"HTTP {response.status_code}",
                           exchange_id(response))


@pytest.fixture(scope="session")
def access_token_revocation(standards: StandardsTarget, http: HttpClient) -> PositiveControl:
    """The client revoking a fresh access token of its own, without a hint: HTTP 200 (RFC 7009 §2.2)."""
    url = advertised_endpoint(standards, "revocation_endpoint")
    response = revoke(standards, http, url, fresh_access_token(standards))
    return PositiveControl("revoking a fresh access token without a hint", response.status_code == 200,
                           f"HTTP {response.status_code}", exchange_id(response))


@pytest.fixture(scope="session")
def own_revocation_effective(standards: StandardsTarget, http: HttpClient) -> PositiveControl:
    """The client revoking its own fresh token, and the revocation seen to take effect: the protected
    resource refuses the token (401), or the client's introspection calls it inactive while calling an
    untouched fresh token active. Where neither shows (a resource that validates JWTs locally, and no
    introspection this client may use), a revocation cannot be observed at all in this run."""
    what = "the client's revocation of its own token, seen to take effect"
    url = advertised_endpoint(standards, "revocation_endpoint")
    token = fresh_access_token(standards)
    revoked = revoke(standards, http, url, token)
    if revoked.status_code != 200:
        return PositiveControl(what, False, f"the revocation answered HTTP {revoked.status_code}", exchange_id(revoked))
    if standards.resource_url is not None:
        api = http.get(standards.resource_url, headers={"Authorization": f"Bearer {token}"})
        if api.status_code == 401:
            return PositiveControl(what, True, "the resource refuses the revoked token (401)", exchange_id(api))
    introspection_url = standards.identity.advertised_endpoint("introspection_endpoint")
    if introspection_url is not None:
        fresh = introspect(introspection_url, fresh_access_token(standards), standards, http)
        after = introspect(introspection_url, token, standards, http)
        if rfc7009.introspected_active(fresh) is True and rfc7009.introspected_active(after) is False:
            return PositiveControl(what, True, "introspection calls the revoked token inactive", exchange_id(after))
    return PositiveControl(what, False, "neither the resource nor introspection shows the revocation",
                           exchange_id(revoked))


@pytest.fixture(scope="session")
def introspection_control(standards: StandardsTarget, http: HttpClient) -> PositiveControl:
    """The client's own introspection of a fresh token it was just issued: HTTP 200, ``active: true``."""
    url = advertised_endpoint(standards, "introspection_endpoint")
    response = introspect(url, fresh_access_token(standards), standards, http)
    active = rfc7009.introspected_active(response)
    return PositiveControl("the client's introspection of its own fresh token", active is True,
                           f"HTTP {response.status_code}, active={active!r}", exchange_id(response))
