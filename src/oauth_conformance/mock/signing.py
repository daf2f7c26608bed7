"""Compact JWS signing of the mock's tokens, with the RSA operation off the event loop.

A token's header and payload are serialised on the caller's thread, as joserfc's ``jwt.encode`` writes
them (header ``{"typ", "alg", "kid"}`` in that order, ASCII-escaped; claims as given, UTF-8; both compact
and base64url without padding), so the tokens are byte for byte what joserfc would make. Only the
signature runs elsewhere: cryptography releases the GIL while OpenSSL signs, so a small thread pool
signs on the second core while the event loop goes on reading and answering requests. The claims, and
whatever the stores hold, are decided on the loop before the signature is asked for.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["SIGNING_THREADS", "JwsAlgorithm", "JwsSigner"]

JwsAlgorithm = Literal["RS256", "PS256"]

# One signing thread per core: more cannot sign faster, and each extra one only adds GIL hand-offs.
SIGNING_THREADS = max(1, os.cpu_count() or 1)
# One pool for every mock of the process (a run starts many); its threads start on first use.
_POOL = ThreadPoolExecutor(max_workers=SIGNING_THREADS, thread_name_prefix="mock-signing")


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _padding(alg: JwsAlgorithm) -> padding.AsymmetricPadding:
    if alg == "PS256":
        # RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash, as joserfc signs PS256.
        return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size)
    return padding.PKCS1v15()


class JwsSigner:
    """Signs claims with one RSA key under one ``kid`` and algorithm."""

    def __init__(self, key: rsa.RSAPrivateKey, alg: JwsAlgorithm, kid: str) -> None:
        self._key = key
        self.alg: JwsAlgorithm = alg
        self.kid = kid
        self._padding = _padding(alg)
        self._headers: dict[str, bytes] = {}  # encoded header by typ: a handful of values, each built once

    def _header(self, typ: str) -> bytes:
        segment = self._headers.get(typ)
        if segment is None:
            # joserfc puts its default "typ" first and lets the header's own value replace it.
            text = json.dumps({"typ": typ, "alg": self.alg, "kid": self.kid}, ensure_ascii=True, separators=(",", ":"))
            segment = self._headers[typ] = _b64url(text.encode("ascii"))
        return segment

    def signing_input(self, claims: dict[str, Any], typ: str) -> bytes:
        """``BASE64URL(header) || '.' || BASE64URL(payload)`` (RFC 7515 §7.1)."""
        payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._header(typ) + b"." + _b64url(payload)

    def signature(self, signing_input: bytes) -> bytes:
        """The raw signature; safe to call from any thread."""
        return self._key.sign(signing_input, self._padding, hashes.SHA256())

    def sign(self, claims: dict[str, Any], typ: str) -> str:
        """The compact JWS, signed on this thread."""
        signing_input = self.signing_input(claims, typ)
        return (signing_input + b"." + _b64url(self.signature(signing_input))).decode("ascii")

    async def sign_off_loop(self, claims: dict[str, Any], typ: str) -> str:
        """The compact JWS, its signature computed in the signing pool while the loop serves others."""
        signing_input = self.signing_input(claims, typ)
        signature = await asyncio.get_running_loop().run_in_executor(_POOL, self.signature, signing_input)
        return (signing_input + b"." + _b64url(signature)).decode("ascii")
