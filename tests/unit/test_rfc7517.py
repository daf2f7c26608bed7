"""The checks of ``checks/rfc7517.py`` on canned key sets, and the kid lookup on canned tokens beside them."""

from __future__ import annotations

import base64
from typing import Any

import httpx2

from oauth_conformance.checks import IssuedJwt, JwtAndKeys, Status, rfc7517
from tests.unit.cases import Case, assert_case, cases_of, response

HELD, VIOLATED = Status.HELD, Status.VIOLATED

JWKS_URI = "https://is.example.test/.well-known/openid-configuration/jwks"


def modulus(bits: int) -> str:
    """A base64url modulus of exactly ``bits`` bits."""
    value = (1 << (bits - 1)) | 1
    return base64.urlsafe_b64encode(value.to_bytes((bits + 7) // 8, "big")).rstrip(b"=").decode("ascii")


def rsa(kid: str | None = "k1", bits: int = 2048, **members: Any) -> dict[str, Any]:
    """A public RSA signing key; a member given None is left out."""
    key = {"kty": "RSA", "use": "sig", "kid": kid, "alg": "RS256", "n": modulus(bits), "e": "AQAB"} | members
    return {k: v for k, v in key.items() if v is not None}


def key_set(*keys: dict[str, Any], status: int = 200, content_type: str | None = None,
            body: object = None) -> httpx2.Response:
    headers = {"Content-Type": content_type} if content_type else None
    return response(status, json={"keys": list(keys)} if body is None else body, headers=headers, method="GET",
                    url=JWKS_URI)


def signed_with(kid: str | None, *keys: dict[str, Any]) -> JwtAndKeys:
    header = {"alg": "RS256", "typ": "at+jwt"} | ({"kid": kid} if kid is not None else {})
    jwt = IssuedJwt("eyJ.canned.token", header, {"iss": "https://is.example.test"}, {}, "E2")
    return JwtAndKeys(jwt, keys)


CASES = [
    # §5: a JSON object with a keys array, as application/json or application/jwk-set+json.
    Case(rfc7517.set_has_keys, key_set(rsa()), HELD, "application/json"),
    Case(rfc7517.set_has_keys, key_set(rsa(), content_type="application/jwk-set+json"), HELD, "jwk-set+json"),
    Case(rfc7517.set_has_keys, key_set(), HELD, "an empty keys array is still a set"),
    Case(rfc7517.set_has_keys, key_set(rsa(), content_type="text/plain"), VIOLATED, "text/plain"),
    Case(rfc7517.set_has_keys, key_set(body=[rsa()]), VIOLATED, "a bare array"),
    Case(rfc7517.set_has_keys, key_set(body={"keys": rsa()}), VIOLATED, "keys not an array"),
    Case(rfc7517.set_has_keys, key_set(rsa(), status=404), VIOLATED, "404"),
    # §4.1: every key has a kty.
    Case(rfc7517.keys_have_kty, key_set(rsa(), {"kty": "OKP", "crv": "Ed25519", "x": "abc"}), HELD,
         "an unknown kty is still a kty"),
    Case(rfc7517.keys_have_kty, key_set(rsa(), {"kid": "cert", "x5c": ["MIIB"]}), VIOLATED, "certificate-only entry"),
    Case(rfc7517.keys_have_kty, key_set(rsa(kty=7)), VIOLATED, "kty not a string"),
    Case(rfc7517.keys_have_kty, key_set(), VIOLATED, "no keys at all"),
    # §4.5: distinct kids.
    Case(rfc7517.kids_distinct, key_set(rsa("a"), rsa("b")), HELD, "distinct"),
    Case(rfc7517.kids_distinct, key_set(rsa(kid=None), rsa(kid=None)), HELD, "no kids at all"),
    Case(rfc7517.kids_distinct, key_set(rsa("a"), rsa("a", bits=3072)), VIOLATED, "same kid twice"),
    # §4.3: not both use and key_ops; use is sig.
    Case(rfc7517.use_and_key_ops_consistent, key_set(rsa()), HELD, "use sig"),
    Case(rfc7517.use_and_key_ops_consistent, key_set(rsa(use=None, key_ops=["verify"])), HELD, "key_ops alone"),
    Case(rfc7517.use_and_key_ops_consistent, key_set(rsa(key_ops=["verify"])), VIOLATED, "both"),
    Case(rfc7517.use_and_key_ops_consistent, key_set(rsa(), rsa(use="enc")), HELD, "an encryption key beside"),
    Case(rfc7517.use_and_key_ops_consistent, key_set(rsa(use="")), VIOLATED, "use empty"),
    Case(rfc7517.use_and_key_ops_consistent, key_set(rsa(use=7)), VIOLATED, "use not a string"),
    # §9.2: no private or symmetric members.
    Case(rfc7517.no_private_members, key_set(rsa(), rsa("b")), HELD, "public keys only"),
    Case(rfc7517.no_private_members, key_set(rsa(d="AQAB", p="AQ", q="AQ")), VIOLATED, "RSA private members"),
    Case(rfc7517.no_private_members, key_set(rsa(), {"kty": "oct", "kid": "h", "k": "c2VjcmV0"}), VIOLATED,
         "a symmetric key"),
    # RFC 7518 §3.3: RSA keys of 2048 bits or more.
    Case(rfc7517.rsa_keys_2048, key_set(rsa(bits=2048)), HELD, "exactly 2048"),
    Case(rfc7517.rsa_keys_2048, key_set({"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}), HELD, "no RSA keys"),
    Case(rfc7517.rsa_keys_2048, key_set(rsa(bits=2047)), VIOLATED, "one bit short"),
    Case(rfc7517.rsa_keys_2048, key_set(rsa("a"), rsa("b", bits=1024)), VIOLATED, "a second key of 1024"),
    Case(rfc7517.rsa_keys_2048, key_set(rsa(n=None)), VIOLATED, "no modulus"),
    # The token's kid names exactly one published key.
    Case(rfc7517.kid_resolves, signed_with("k1", rsa("k1"), rsa("k2")), HELD, "one match"),
    Case(rfc7517.kid_resolves, signed_with("k1", rsa("k1"), rsa("k1", bits=3072)), VIOLATED, "two matches"),
    Case(rfc7517.kid_resolves, signed_with("k3", rsa("k1")), VIOLATED, "no match"),
    Case(rfc7517.kid_resolves, signed_with(None, rsa(kid=None)), VIOLATED, "no kid in the header"),
]


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
