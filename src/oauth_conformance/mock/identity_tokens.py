"""Minting and checking the Identity Service's own JWT access tokens."""

from __future__ import annotations

import time
from typing import Any

from .identity_store import LOCAL_API_SCOPE, SYSTEM_CLIENT_ID, IdentityStore, IsClient
from .ids import upper_hex
from .keys import SigningKey
from .options import MockOptions

__all__ = ["TokenIssuer"]


class TokenIssuer:
    def __init__(self, options: MockOptions, store: IdentityStore, key: SigningKey, issuer: str) -> None:
        self.options = options
        self.store = store
        self.key = key
        self.issuer = issuer + "/" if options.has("token-iss-differs") else issuer
        # Defect "token-iss-differs". Realistic fault: the token service's IssuerUri is configured by
        # hand with a trailing slash while discovery derives the issuer from the base URL without one;
        # an API configured with the same hand-written value accepts the tokens, a verifier that reads
        # the issuer from discovery (RFC 9068 §4) rejects them.

    def lifetime(self, client: IsClient) -> int:
        # Benign variant "short-token-lifetime": every token lives 900 s; expires_in and exp agree.
        if self.options.has("short-token-lifetime"):
            return 900
        # Defect "day-long-tokens". Realistic fault: the lifetime raised to a day to spare clients
        # the refresh, so a leaked token stays good for 24 hours.
        return 86400 if self.options.has("day-long-tokens") else client.access_token_lifetime

    def audiences(self, scopes: list[str]) -> list[str]:
        """API resources behind the granted scopes: the owned resources, and the local API.

        creatio-oauth.md §1.4: ``aud`` carries the default resource name ``ApplicationAccess_<N>``.
        """
        with self.store.lock:
            resources = [s for s in scopes if s in self.store.resources]
        return resources + ([LOCAL_API_SCOPE] if LOCAL_API_SCOPE in scopes else [])

    async def issue(self, client: IsClient, scopes: list[str], resource: str | None = None) -> tuple[str, int]:
        """A signed access token for ``client`` and its lifetime in seconds; ``resource`` is the RFC 8707
        resource the request named, which becomes the audience (RFC 9068 §3).

        The claims are decided here, on the event loop, with the stores as they are now; only the
        signature is computed elsewhere (signing.py), while the loop serves other requests.
        """
        claims, lifetime = self.claims(client, scopes, resource)
        return await self.key.sign_off_loop(claims), lifetime

    def claims(self, client: IsClient, scopes: list[str], resource: str | None = None) -> tuple[dict[str, Any], int]:
        """The claims of an access token for ``client`` (see ``issue``) and its lifetime in seconds."""
        now = int(time.time())
        lifetime = self.lifetime(client)
        claims: dict[str, Any] = {"iss": self.issuer, "nbf": now, "iat": now, "exp": now + lifetime}
        # [INF] as an IdentityServer that honours resource indicators does, the audience is narrowed to the
        # requested resource.
        audiences = [resource] if resource is not None else self.audiences(scopes)
        # "token-no-audience" is a fault of the default audience: an explicitly requested resource still names one.
        if self.options.has("token-no-audience") and client.client_id != SYSTEM_CLIENT_ID and resource is None:
            # Defect "token-no-audience". Realistic fault: integration clients get tokens for the
            # IS's scopes only (no API resource), so aud is left out; the API's audience check was
            # switched off to make them work (see bearer.py). The system client is untouched.
            audiences = []
        if audiences:
            # IdentityServer writes a single audience as a string and several as an array. [INF]
            claims["aud"] = audiences[0] if len(audiences) == 1 else audiences
        if not self.options.has("token-no-scope-claim") or client.client_id == SYSTEM_CLIENT_ID:
            # Defect "token-no-scope-claim". Realistic fault: the token template of integration clients
            # leaves scope out, so resource servers cannot tell what the token was granted. The system
            # client's template keeps it: the IS's own management API authorizes by scope.
            claims["scope"] = " ".join(scopes)
        if (self.options.has("token-scope-claim-widened") and client.client_id != SYSTEM_CLIENT_ID
                and LOCAL_API_SCOPE not in scopes and "scope" in claims):
            # Defect. Realistic fault: the integration clients' token template is a copy of the system
            # client's, which adds the IS's own API scope to the claim, so every token claims a scope the
            # token response never granted (resource servers authorize by the claim).
            claims["scope"] = " ".join([*scopes, LOCAL_API_SCOPE])
        claims["client_id"] = client.client_id
        if self.options.has("client-id-claim-is-name") and client.client_id != SYSTEM_CLIENT_ID:
            # Defect. Realistic fault: a custom claims mapping writes ClientName where ClientId belongs,
            # so the token no longer names the client it was issued to.
            claims["client_id"] = client.name
        if self.options.compliant:
            # RFC 9068 §2.2 makes `sub` REQUIRED; for client credentials it names the client.
            claims["sub"] = client.client_id
            if self.options.has("sub-is-user") and "SysAdminUnitId" in client.properties:
                # Defect. Realistic fault: the profile service fills sub from the client's
                # SysAdminUnitId property, so a client's token names a Creatio user's account.
                claims["sub"] = client.properties["SysAdminUnitId"]
        # [INF] creatio-oauth.md §1.4: no `sub` from Creatio's IS; the Creatio user travels in
        # client Properties, which IdentityServer emits as `prop:<Key>` claims.
        for name, value in client.properties.items():
            claims[f"prop:{name}"] = value
        if (self.options.has("token-wrong-user-claim") and client.client_id != SYSTEM_CLIENT_ID
                and self.store.admin_user_id):
            # Defect. Realistic fault: the IS's profile service adds a default SysAdminUnitId (the
            # Supervisor that system actions run as) for every client and lets it win over the
            # client's own property, e.g. by adding the claims in the wrong order or looking the
            # property key up case-sensitively and falling back to the default. Creatio then maps the
            # token to the admin. The system client keeps its claims: Creatio's own calls still work.
            claims["prop:SysAdminUnitId"] = self.store.admin_user_id
        # Defect "token-missing-jti". Realistic fault: a hand-written token service that names the
        # token's id "id" instead of the registered jti, so RFC 9068 validators find none.
        claims["id" if self.options.has("token-missing-jti") else "jti"] = upper_hex(16)
        return claims, lifetime

    def check(self, token: str, honour_revocation: bool = True) -> dict[str, Any] | None:
        """Claims of a token this IS issued that is still valid, else None.

        Used by the management API and by introspection. IdentityServer also refuses tokens of
        clients that were since deleted or disabled. [INF] ``honour_revocation`` False: a revoked token
        still counts (only the "revoked-token-still-active" defect asks for that).
        """
        claims = self.key.verify(token)
        if claims is None or claims.get("iss") != self.issuer:
            return None
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= time.time():
            return None
        client = self.store.get(str(claims.get("client_id", "")))
        if client is None or not client.enabled:
            return None
        with self.store.lock:
            if honour_revocation and claims.get("jti") in self.store.revoked_jtis:
                return None
        return claims
