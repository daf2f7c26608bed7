"""The JWT helpers the suite's checks stand on: signature verification against a published key."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from oauth_conformance.jwt import decode_unverified, forge, rsa_public_pem, verify_signature

RSA = RSAKey.generate_key(2048, parameters={"kid": "rsa"}, private=True)
EC = ECKey.generate_key("P-256", parameters={"kid": "ec"}, private=True)
CLAIMS = {"iss": "https://issuer.example", "sub": "client", "exp": 4102444800}


def _token(alg: str, key: Any) -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, CLAIMS, key, algorithms=[alg])


@pytest.mark.parametrize(("alg", "key"), [("RS256", RSA), ("PS256", RSA), ("RS384", RSA), ("ES256", EC)])
def test_a_signature_verifies_with_its_public_key(alg: str, key: Any) -> None:
    assert verify_signature(_token(alg, key), key.as_dict(private=False))


@pytest.mark.parametrize("variant", ["tampered-payload", "stripped-signature", "foreign-key", "unknown-kid"])
def test_forged_variants_do_not_verify_with_the_real_key(variant: str) -> None:
    token = _token("RS256", RSA)
    # The header is signed too, so even unknown-kid (the real signature under another kid) fails.
    assert not verify_signature(forge(token, variant), RSA.as_dict(private=False))


def test_unsigned_symmetric_and_mismatched_tokens_do_not_verify() -> None:
    public = RSA.as_dict(private=False)
    token = _token("RS256", RSA)
    assert not verify_signature(forge(token, "alg-none"), public)
    assert not verify_signature(forge(token, "hs256-confusion", rsa_public_pem(public)), public)
    assert not verify_signature(token, EC.as_dict(private=False))  # the wrong key type
    assert not verify_signature("not.a.jwt", public)
    assert decode_unverified(token)[1]["sub"] == "client"
