"""The Identity Service's signing key: RS256 JWTs and the public JWKS.

The key material is the run's (run_keys.py), the kids are each mock's own; signing.py writes the tokens.
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, KeyParameters, RSAKey

from .ids import upper_hex
from .options import MockOptions
from .run_keys import ec_key, rsa_key
from .signing import JwsAlgorithm, JwsSigner

__all__ = ["SigningKey"]

_DEFAULT_OPTIONS = MockOptions()

# The certificate store of the host the IS and Creatio share (defect "signature-prefix-compare"): the
# signing keys of the mocks in this process whose Creatio holds the IS's certificate, by kid (as a
# certificate store is searched by thumbprint). Weak, so that a stopped mock's key goes with it.
_HOST_CERTIFICATES: weakref.WeakValueDictionary[str, SigningKey] = weakref.WeakValueDictionary()


def _public(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str, use: str, alg: str) -> dict[str, Any]:
    """The public JWK of ``key`` with its ``kid``, ``use`` and ``alg``, as a key set lists it."""
    parameters: KeyParameters = {"kid": kid, "use": use, "alg": alg}
    if isinstance(key, rsa.RSAPrivateKey):
        return RSAKey.import_key(key, parameters).as_dict(private=False)
    return ECKey.import_key(key, parameters).as_dict(private=False)


class SigningKey:
    """One RSA 2048 key with a ``kid``. The key is the run's, the kid this mock's own, so that a token of
    one mock names no key another mock publishes."""

    def __init__(self, options: MockOptions = _DEFAULT_OPTIONS) -> None:
        self.options = options
        # Defect "rsa-1024-key". Realistic fault: a signing certificate made years ago with an old
        # script or makecert default of 1024 bits and never rolled over.
        bits = 1024 if options.has("rsa-1024-key") else 2048
        # Defect "tokens-signed-ps256". Realistic fault: IdentityServer's signing credential set up
        # with SigningAlgorithm PS256 (RSA-PSS) instead of RS256; JwtBearer accepts it, RFC 9068 §2.1
        # wants RS256 supported by both sides.
        self.alg: JwsAlgorithm = "PS256" if options.has("tokens-signed-ps256") else "RS256"
        # IdentityServer derives the kid from the certificate; any stable opaque string will do.
        self.kid = upper_hex(16)
        private_key = rsa_key("signing-1024" if bits == 1024 else "signing-2048")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)  # the 1024-bit defect is deliberate
            self._key = RSAKey.import_key(private_key, parameters={"kid": self.kid, "use": "sig", "alg": self.alg})
        if options.has("different-kid"):
            # Benign: the kid is the RFC 7638 thumbprint (base64url), as many servers do; kids are opaque.
            self.kid = self._key.thumbprint()
            self._key = RSAKey.import_key(private_key, parameters={"kid": self.kid, "use": "sig", "alg": self.alg})
        self._signer = JwsSigner(private_key, self.alg, self.kid)
        if options.has("signature-prefix-compare"):
            # Defect, with bearer.py: the API is installed beside the IS and reads its certificate,
            # private key included, from the host's store.
            _HOST_CERTIFICATES[self.kid] = self
        self._extra: list[dict[str, Any]] = []
        # The old key of the "jwks-stale-key" defect.
        self._stale = RSAKey.import_key(rsa_key("stale")) if options.has("jwks-stale-key") else self._key
        if options.has("jwks-encryption-key"):
            # Benign: RFC 7517 §4.2 "use" separates keys; a key set may also publish a key for
            # encryption (Keycloak does, RSA-OAEP), which a verifier of signatures leaves alone.
            self._extra.append(_public(rsa_key("encryption"), kid="enc-1", use="enc", alg="RSA-OAEP"))
        if options.has("jwks-ec-key"):
            # Benign: a key set may publish keys of several types (RFC 7517 §4.1); an EC P-256 signing
            # key with its own kid, as a server offering ES256 beside RS256 does.
            self._extra.append(_public(ec_key("ec-p256"), kid="ec-1", use="sig", alg="ES256"))
        if options.has("second-jwks-key"):
            # Benign: a second, unrelated key with its own kid (the next key of a rollover).
            self._extra.append(_public(rsa_key("second"), kid=upper_hex(16), use="sig", alg="RS256"))
        if options.has("duplicate-kid"):
            # Defect. Realistic fault: the kid is derived from the certificate's subject name rather
            # than its thumbprint, so the renewed certificate published beside the old one during a
            # rollover gets the same kid.
            self._extra.append(_public(rsa_key("duplicate"), kid=self.kid, use="sig", alg="RS256"))

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set: ``n``/``e`` with ``kid``, ``use: sig``, ``alg``; never private parts."""
        # Defect "private-key-in-jwks". Realistic fault: the key object is serialised with its
        # private members (a forgotten private=False / include-private flag), publishing d, p, q, dp,
        # dq and qi.
        private = self.options.has("private-key-in-jwks")
        signing = self._key.as_dict(private=private)
        if self.options.has("jwks-stale-key"):
            # Defect. Realistic fault: the signing certificate was renewed, its kid (derived from the
            # subject name) stayed the same, and the key set still serves the old certificate's key.
            # The mock's Creatio verifies with the key pinned in its configuration (creatio_app.py).
            signing = {**self._stale.as_dict(private=False), "kid": self.kid, "use": "sig", "alg": self.alg}
        if self.options.has("signing-key-bare"):
            # Benign: "use" and "alg" are OPTIONAL (RFC 7517 §4.2, §4.4); the kid and the token's header
            # say which key and which algorithm.
            signing = {name: value for name, value in signing.items() if name not in ("use", "alg")}
        if self.options.has("jwks-use-and-keyops"):
            # Defect. Realistic fault: a key exporter that writes key_ops beside use, which RFC 7517
            # §4.3 says not to combine.
            signing["key_ops"] = ["verify"]
        extra = list(self._extra)
        if self.options.has("jwks-key-without-kty"):
            # Defect. Realistic fault: a certificate-only entry (x5c and x5t, no kty) added by hand to
            # publish the TLS certificate beside the signing key; RFC 7517 §4.1 requires kty.
            extra.append({"kid": "certificate", "x5t": upper_hex(20), "use": "sig"})
        return {"keys": [signing, *extra]}

    def public_jwk(self) -> dict[str, Any]:
        """The signing key's public half, as a client would pin it (the "jwks-stale-key" defect)."""
        return self._key.as_dict(private=False)

    def _typ(self, typ: str) -> str:
        # [INF] creatio-oauth.md §1.4: IdentityServer 4.x marks access tokens "typ": "at+jwt".
        if typ == "at+jwt" and self.options.has("token-typ-jwt"):
            # Defect. Realistic fault: IdentityServer's AccessTokenJwtType set to "JWT" (or an older
            # IdentityServer 3/4.0 default), so access tokens are not explicitly typed.
            return "JWT"
        return typ

    def sign(self, claims: dict[str, Any], typ: str = "at+jwt") -> str:
        """The signed JWT (header ``alg``, ``kid``, ``typ``), signed on this thread."""
        return self._signer.sign(claims, self._typ(typ))

    async def sign_off_loop(self, claims: dict[str, Any], typ: str = "at+jwt") -> str:
        """The same token, its signature computed off the event loop (signing.py); ``claims`` must not
        change until it is done."""
        return await self._signer.sign_off_loop(claims, self._typ(typ))

    @staticmethod
    def on_host(kid: str) -> SigningKey | None:
        """The signing key with ``kid`` in the shared host's certificate store (only the
        "signature-prefix-compare" defect puts keys there), or None."""
        return _HOST_CERTIFICATES.get(kid)

    def sign_rs256(self, signing_input: bytes) -> bytes | None:
        """The RS256 signature of ``signing_input`` with this key (RSASSA-PKCS1-v1_5 is deterministic, so
        it is the one a genuine token carries), or None when this key signs with another algorithm."""
        private = self._key.private_key
        if self.alg != "RS256" or private is None:
            return None
        return private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())

    def verify(self, token: str) -> dict[str, Any] | None:
        """Claims of a token this key signed, or None. Lifetime is the caller's business."""
        try:
            decoded = jwt.decode(token, self._key, algorithms=[self.alg])
        except Exception:  # joserfc raises JoseError, ValueError or TypeError on garbage input
            return None
        return dict(decoded.claims)
