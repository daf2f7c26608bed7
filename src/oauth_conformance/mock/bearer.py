"""How the mock Creatio validates ``Authorization: Bearer`` tokens (creatio-oauth.md §2.2).

Checks, in order: RS256 signature against the IS JWKS (read through discovery, cached, refetched
once on an unknown ``kid``), ``iss`` equal to the discovery issuer, ``aud`` containing the default
resource name, lifetime with the clock skew, ``prop:SysAdminUnitId`` naming an active
SysAdminUnit and, in the newer builds' ``per-request`` mode, an active OAuthClientApp row for the
token's ``client_id``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jws import JWSRegistry

from .creatio_store import CreatioStore, SysAdminUnit
from .identity_link import IdentityError, IdentityLink
from .keys import SigningKey
from .options import MockOptions
from .wire import parse_json

__all__ = ["BearerRejected", "BearerValidator"]

# [INF] creatio-oauth.md §2.2: ASP.NET JwtBearer's default ClockSkew of 5 minutes. The compliant
# profile allows none.
CREATIO_CLOCK_SKEW_S = 300
# Defect "signature-prefix-compare": how much of the signature the comparison looks at (a buffer sized
# for a 128-bit MAC).
COMPARED_SIGNATURE_BYTES = 16
# Defect "embedded-jwk-trusted": the header size the validator takes, raised from joserfc's 512 bytes
# so that a header carrying a 2048-bit RSA key fits.
EMBEDDED_JWK_HEADER_BYTES = 4096


class BearerRejected(Exception):
    """The token does not authenticate; the message says why (the mock's log only, never the wire)."""


def _unverified_header(token: str) -> dict[str, Any]:
    try:
        segment = token.split(".", 1)[0]
        header = parse_json(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, UnicodeDecodeError) as error:
        raise BearerRejected("not a JWS") from error
    if not isinstance(header, dict):
        raise BearerRejected("not a JWS")
    return header


def _b64decode(segment: str) -> bytes:
    """A base64url segment's bytes; ValueError when it is none (binascii.Error is one)."""
    return base64.urlsafe_b64decode(segment.encode("ascii") + b"=" * (-len(segment) % 4))


def _unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWS without any check (for the fail-open defects only)."""
    try:
        segment = token.split(".")[1]
        claims = parse_json(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, IndexError, UnicodeDecodeError) as error:
        raise BearerRejected("not a JWS") from error
    if not isinstance(claims, dict):
        raise BearerRejected("not a JWS")
    return claims


class BearerValidator:
    def __init__(self, options: MockOptions, store: CreatioStore, link: IdentityLink,
                 pinned_key: dict[str, Any] | None = None) -> None:
        self.options = options
        self.store = store
        self.link = link
        # A key configured in Creatio itself wins over the JWKS (the "jwks-stale-key" defect's other half).
        self.pinned = KeySet.import_key_set({"keys": [pinned_key]}) if pinned_key else None
        self.skew = 0 if options.compliant else CREATIO_CLOCK_SKEW_S
        # [INF] JwtBearer with no ValidAlgorithms accepts any asymmetric algorithm its keys support; the
        # mock names the one its IS uses (RS256, or PS256 under the "tokens-signed-ps256" defect).
        self.algorithms = ["RS256", "PS256"] if options.has("tokens-signed-ps256") else ["RS256"]

    async def validate(self, token: str) -> SysAdminUnit:
        header = _unverified_header(token)
        if header.get("alg") == "none" and self.options.has("api-accepts-alg-none"):
            # Defect. Realistic fault: a hand-rolled validator that dispatches on the token's own
            # alg header and treats `none` as "nothing to verify" (the classic CVE-2015-9235 class).
            return await self._unsigned(token)
        if header.get("alg") == "HS256" and self.options.has("api-accepts-hs256-confusion"):
            # Defect. Realistic fault: a verifier that takes the algorithm from the token and the key
            # as bytes, so the published RSA public key (PEM) becomes an HMAC secret anyone has.
            return await self._hmac_with_public_key(token)
        unsigned = self._none_in_other_case(header)
        if header.get("alg") not in self.algorithms and not unsigned:
            # RequireSignedTokens=true (§1.4): no `none`, no HS256
            raise BearerRejected(f"algorithm {header.get('alg')!r} not accepted")
        if self.options.compliant and str(header.get("typ", "")).lower() not in ("at+jwt", "application/at+jwt"):
            # RFC 9068 §4 / RFC 8725 §3.11: explicit typing. Creatio's JwtSecurityTokenHandler does
            # not look at `typ`. [INF]
            raise BearerRejected("typ is not at+jwt")
        try:
            issuer = (await self.link.discovery()).get("issuer")
            claims = _unverified_claims(token) if unsigned else await self._verified_claims(token, header)
        except IdentityError as error:
            # [INF] JwtBearer cannot load its metadata: authentication fails.
            raise BearerRejected(f"identity service metadata unavailable: {error}") from error
        if self.options.has("token-iss-differs"):
            issuer = f"{issuer}/"  # defect "token-iss-differs": this API is configured with the token service's value
        if claims.get("iss") != issuer:
            raise BearerRejected("issuer mismatch")
        self._check_audience(claims.get("aud"))
        self._check_lifetime(claims)
        return self._user(claims)

    async def _hmac_with_public_key(self, token: str) -> SysAdminUnit:
        head, body, signature = token.split(".") if token.count(".") == 2 else ("", "", "")
        for key in (await self.link.key_set()).keys:
            if not isinstance(key, RSAKey):
                continue
            pem = key.as_pem(private=False)
            mac = hmac.new(pem, f"{head}.{body}".encode("ascii"), hashlib.sha256).digest()
            if hmac.compare_digest(base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii"), signature):
                return await self._unsigned(token)
        raise BearerRejected("HS256 signature does not match")

    async def _unsigned(self, token: str) -> SysAdminUnit:
        claims = _unverified_claims(token)
        self._check_audience(claims.get("aud"))
        self._check_lifetime(claims)
        return self._user(claims)

    def _none_in_other_case(self, header: dict[str, Any]) -> bool:
        """Whether the token is to be taken unsigned: its alg is "none" in another letter case, and the
        "alg-none-any-case" defect is on."""
        alg = header.get("alg")
        # Defect. Realistic fault: `none` is kept out by a deny list compared case-sensitively, while
        # the algorithm implementation is looked up in a case-insensitive registry, whose `none` entry
        # verifies nothing: exactly "none" is refused, "None" and "NONE" are served unsigned.
        return (self.options.has("alg-none-any-case") and isinstance(alg, str) and alg != "none"
                and alg.lower() == "none")

    async def _verified_claims(self, token: str, header: dict[str, Any]) -> dict[str, Any]:
        if self.options.has("api-skips-signature-check"):
            # Defect. Realistic fault: the token is read with a decode-only helper (as for logging)
            # and its claims trusted, so tampered, re-signed or unsigned-body tokens pass.
            return _unverified_claims(token)
        if self.options.has("embedded-jwk-trusted") and "jwk" in header:
            # Defect. Realistic fault: the JWS library's option to take the verification key from the
            # token's own jwk header (RFC 7515 §4.1.3) is on, and nothing checks that the key is one the
            # issuer published (the CVE-2018-0114 class): whoever signs a token names the key to check it.
            registry = JWSRegistry(algorithms=self.algorithms)
            registry.max_header_length = EMBEDDED_JWK_HEADER_BYTES
            return self._decode(token, self._embedded_key(header["jwk"]), self.algorithms, registry)
        if self.options.has("signature-prefix-compare") and header.get("alg") == "RS256":
            held = SigningKey.on_host(str(header.get("kid", "")))
            if held is not None:
                return self._prefix_compared(token, held)
        if self.pinned is not None:
            try:
                return self._decode(token, self.pinned, self.algorithms)
            except InvalidKeyIdError as error:
                raise BearerRejected("unknown kid") from error
        keys = await self.link.key_set()
        try:
            return self._decode(token, keys, self.algorithms)
        except InvalidKeyIdError:
            pass
        # A new kid may mean the IS rotated its key: refetch once, as JwtBearer's ConfigurationManager does.
        try:
            keys = await self.link.key_set(refresh=True)
            return self._decode(token, keys, self.algorithms)
        except InvalidKeyIdError as error:
            if not self.options.has("api-accepts-unknown-kid"):
                raise BearerRejected("unknown kid") from error
        # Defect "api-accepts-unknown-kid". Realistic fault: fail-open error handling added to ride
        # out key rotations: when no published key matches the kid even after a refetch, the
        # validator logs a warning and goes on with the unverified claims instead of refusing.
        return _unverified_claims(token)

    @staticmethod
    def _embedded_key(jwk: object) -> RSAKey:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
            raise BearerRejected("the embedded jwk is no RSA key")
        try:
            return RSAKey.import_key(jwk)
        except Exception as error:  # joserfc: ValueError, KeyError, TypeError on a malformed key
            raise BearerRejected(f"embedded jwk: {error}") from error

    @staticmethod
    def _prefix_compared(token: str, held: SigningKey) -> dict[str, Any]:
        """The claims of a token whose signature starts as the one ``held`` makes of its header and payload.

        Defect "signature-prefix-compare". Realistic fault: the API is installed on the IS's host and
        verifies by signing the token's header and payload again with the certificate it reads from the
        host's store (RS256 is deterministic), then compares the two signatures through a buffer sized
        for a 128-bit MAC: only the first 16 bytes count, so a signature that differs after them passes.
        """
        parts = token.split(".")
        if len(parts) != 3:
            raise BearerRejected("not a JWS")
        try:
            presented = _b64decode(parts[2])
            genuine = held.sign_rs256(f"{parts[0]}.{parts[1]}".encode("ascii"))
        except ValueError as error:  # not base64url, or not ASCII (UnicodeEncodeError is a ValueError)
            raise BearerRejected("signature: not base64url") from error
        if genuine is None or len(presented) < COMPARED_SIGNATURE_BYTES or not hmac.compare_digest(
                presented[:COMPARED_SIGNATURE_BYTES], genuine[:COMPARED_SIGNATURE_BYTES]):
            raise BearerRejected("signature does not match")
        return _unverified_claims(token)

    @staticmethod
    def _decode(token: str, keys: KeySet | RSAKey, algorithms: list[str],
                registry: JWSRegistry | None = None) -> dict[str, Any]:
        try:
            decoded = jwt.decode(token, keys, algorithms=algorithms, registry=registry)
        except InvalidKeyIdError:
            raise
        except Exception as error:  # joserfc: JoseError, ValueError, TypeError on forged input
            raise BearerRejected(f"signature: {error}") from error
        return dict(decoded.claims)

    def _check_audience(self, aud: object) -> None:
        if aud is None and self.options.has("token-no-audience"):
            return  # the defect's other half: ValidateAudience = false for tokens without aud
        if self.options.has("api-ignores-audience"):
            # Defect. Realistic fault: JwtBearerOptions.ValidateAudience switched off while an audience
            # mismatch was debugged, and left so: a token the IS issued for any other resource is served.
            return
        resource = self.store.default_resource()
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        # §2.2: JwtBearerOptions.Audience = the default resource name ApplicationAccess_<N>.
        if resource is None or resource.name not in audiences:
            raise BearerRejected("audience mismatch")

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        now = time.time()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int | float):  # JwtBearer's RequireExpirationTime default
            raise BearerRejected("no exp")
        if now >= exp + self.skew:
            raise BearerRejected("expired")
        if nbf is not None and (not isinstance(nbf, int | float) or now < nbf - self.skew):
            raise BearerRejected("not yet valid")

    def _user(self, claims: dict[str, Any]) -> SysAdminUnit:
        # §2.2 step 3 [SRC S81]: the user comes from prop:SysAdminUnitId (not `sub`), Active = true.
        user = self.store.user(str(claims.get("prop:SysAdminUnitId", "")))
        if user is None or not user.active:
            raise BearerRejected("no active SysAdminUnit for prop:SysAdminUnitId")
        if self.options.deactivation == "per-request":
            # [INF] §2.2 newer builds: an OAuthClientApp row for client_id, checked for IsActive on
            # every request (Creatio caches it and clears the cache on change; the mock reads live).
            app = self.store.app_by_client_id(str(claims.get("client_id", "")))
            if app is None or not app.is_active:
                raise BearerRejected("integration missing or inactive")
        # "until-expiry" [INF] §7: 8.1 checks nothing about the integration; tokens live until exp.
        return user
