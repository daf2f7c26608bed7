"""JWT helpers: reading a token's header and claims, and forging the variants a resource server must refuse."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

__all__ = [
    "FORGERIES",
    "SIGNATURE_ALGORITHMS",
    "b64url",
    "decode_unverified",
    "forge",
    "rsa_public_pem",
    "verify_signature",
]


def _segment(part: str) -> dict[str, Any]:
    padded = part + "=" * (-len(part) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("a JWT segment is not a JSON object")
    return value


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, without checking the signature. ValueError when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError(f"not a compact JWT: {len(parts)} segments")
    try:
        return _segment(parts[0]), _segment(parts[1])
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"not a JWT: {error}") from None


# -- forged variants (RFC 9068 §4, RFC 8725) -----------------------------------------------------
# Each variant is a token the resource server must refuse. They are built black-box from a real
# token and the published keys: the suite never holds the issuer's private key, so a variant whose
# only flaw is a claim (wrong aud, expired...) needs a minting hook (the bundled mock has one).

FORGERIES = ("alg-none", "hs256-confusion", "unknown-kid", "tampered-payload", "stripped-signature", "foreign-key")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _encode(segment: dict[str, Any]) -> str:
    return b64url(json.dumps(segment, separators=(",", ":")).encode("utf-8"))


def forge(token: str, variant: str, public_pem: bytes | None = None) -> str:
    """A variant of ``token`` that a resource server validating it properly must refuse."""
    header, claims = decode_unverified(token)
    head, body, signature = token.split(".")
    if variant == "alg-none":
        return f"{_encode({**header, 'alg': 'none'})}.{body}."
    if variant == "hs256-confusion":
        if public_pem is None:
            raise ValueError("hs256-confusion needs the issuer's public key")
        new_head = _encode({**header, "alg": "HS256"})
        mac = hmac.new(public_pem, f"{new_head}.{body}".encode("ascii"), hashlib.sha256).digest()
        return f"{new_head}.{body}.{b64url(mac)}"
    if variant == "unknown-kid":
        return f"{_encode({**header, 'kid': 'oauth-conformance-unknown-kid'})}.{body}.{signature}"
    if variant == "tampered-payload":
        return f"{head}.{_encode({**claims, 'oauth_conformance': 'tampered'})}.{signature}"
    if variant == "stripped-signature":
        return f"{head}.{body}."
    if variant == "foreign-key":
        # Same header and claims, signed with a key the issuer never published.
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        signing_input = f"{head}.{body}".encode("ascii")
        return f"{head}.{body}.{b64url(key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256()))}"
    raise ValueError(f"unknown forgery {variant!r}; expected one of {', '.join(FORGERIES)}")


def _number(jwk: dict[str, Any], name: str) -> int:
    value = str(jwk[name])
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def rsa_public_pem(jwk: dict[str, Any]) -> bytes:
    """PEM of an RSA JWK's public key: the bytes a confused verifier would use as an HMAC secret."""
    public = rsa.RSAPublicNumbers(_number(jwk, "e"), _number(jwk, "n")).public_key()
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


# Asymmetric JWS algorithms (RFC 7518 §3): what a verifier holding only the published key can check.
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_CURVES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}
SIGNATURE_ALGORITHMS = tuple(f"{family}{bits}" for family in ("RS", "PS", "ES") for bits in _HASHES)


def verify_signature(token: str, jwk: dict[str, Any]) -> bool:
    """Whether a compact JWS verifies with a public JWK, for the algorithm its header names (RS*, PS*,
    ES*). False for any other algorithm, a key of the wrong type, or a malformed token or key."""
    try:
        head, body, signature = token.split(".")
        alg = str(decode_unverified(token)[0].get("alg", ""))
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        signed = f"{head}.{body}".encode("ascii")
        if alg not in SIGNATURE_ALGORITHMS:
            return False
        digest = _HASHES[alg[2:]]()
        if alg.startswith(("RS", "PS")):
            if jwk.get("kty") != "RSA":
                return False
            public = rsa.RSAPublicNumbers(_number(jwk, "e"), _number(jwk, "n")).public_key()
            scheme = (padding.PKCS1v15() if alg.startswith("RS")
                      else padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size))
            public.verify(raw, signed, scheme, digest)
            return True
        curve = _CURVES.get(str(jwk.get("crv")))
        # RFC 7518 §3.4: ES256 is P-256 with SHA-256, ES384 P-384, ES512 P-521.
        expected_curve = {"256": "P-256", "384": "P-384", "512": "P-521"}[alg[2:]]
        if jwk.get("kty") != "EC" or curve is None or jwk.get("crv") != expected_curve:
            return False
        key = ec.EllipticCurvePublicNumbers(_number(jwk, "x"), _number(jwk, "y"), curve).public_key()
        half = len(raw) // 2
        der = encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))
        key.verify(der, signed, ec.ECDSA(digest))
        return True
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
