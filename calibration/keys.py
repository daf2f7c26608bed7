"""A throwaway RSA signing key for the calibration server's OpenID Connect side."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["rsa_private_key_pem"]

# 2048 bits: the smallest size RFC 7518 §3.3 allows for RS256, and quick to generate at every start.
_KEY_BITS = 2048
_PUBLIC_EXPONENT = 65537


def rsa_private_key_pem(bits: int = _KEY_BITS) -> str:
    """A fresh RSA private key as unencrypted PKCS#8 PEM, the form DOT's OIDC_RSA_PRIVATE_KEY takes.

    Generated per start rather than stored, so no key material ever lands in the repository.
    """
    key = rsa.generate_private_key(public_exponent=_PUBLIC_EXPONENT, key_size=bits)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    return pem.decode("ascii")
