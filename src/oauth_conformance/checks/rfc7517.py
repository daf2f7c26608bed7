"""Checks of RFC 7517, JSON Web Key, of RFC 7518 §3.3 (RSA key sizes), and of the key-set lookup a
resource server performs (https://www.rfc-editor.org/rfc/rfc7517).

The key set checks look at the answer to a GET of the ``jwks_uri`` the metadata names.
"""

from __future__ import annotations

from typing import Any

import httpx2

from oauth_conformance.checks._observations import JwtAndKeys
from oauth_conformance.checks._outcome import Outcome, judged
from oauth_conformance.checks._predicates import media_type, uint_bits
from oauth_conformance.checks._registry import check
from oauth_conformance.http import exchange_id, json_object

__all__ = [
    "PRIVATE_MEMBERS",
    "keys_have_kty",
    "keys_of",
    "kid_resolves",
    "kids_distinct",
    "no_private_members",
    "rsa_keys_2048",
    "set_has_keys",
    "use_and_key_ops_consistent",
]

# JWK members that carry private or symmetric key material: RFC 7518 §6.2.2.1 (EC d), §6.3.2 (RSA d, p,
# q, dp, dq, qi, oth), §6.4.1 (the symmetric key k).
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_SET_MEDIA_TYPES = ("application/json", "application/jwk-set+json")


def keys_of(key_set: httpx2.Response) -> list[dict[str, Any]]:
    """The JSON objects in the key set's ``keys`` array (none when it is not a JSON object with an array)."""
    keys = (json_object(key_set) or {}).get("keys")
    return [k for k in keys if isinstance(k, dict)] if isinstance(keys, list) else []


@check("RFC7517-5-keys")
def set_has_keys(key_set: httpx2.Response) -> Outcome:
    """Holds when the key set answers HTTP 200 with a JSON object whose ``keys`` member is an array,
    served as ``application/json`` or ``application/jwk-set+json``. RFC 7517 §5: "The JSON object MUST
    have a "keys" member, with its value being an array of JWKs"; §8.5.1 registers
    application/jwk-set+json for it.
    """
    body = json_object(key_set)
    return judged(
        key_set.status_code == 200
        and body is not None
        and isinstance(body.get("keys"), list)
        and media_type(key_set) in _SET_MEDIA_TYPES,
        f"HTTP {key_set.status_code}, Content-Type {media_type(key_set)!r}",
        [exchange_id(key_set)],
    )


@check("RFC7517-4.1-kty")
def keys_have_kty(key_set: httpx2.Response) -> Outcome:
    """Holds when the set has at least one key and every key has a string ``kty`` (an unknown kty is
    fine: clients ignore such keys). RFC 7517 §4.1: "The "kty" (key type) parameter identifies the
    cryptographic algorithm family used with the key [...] This member MUST be present in a JWK."
    """
    keys = keys_of(key_set)
    untyped = sum(1 for k in keys if not isinstance(k.get("kty"), str))
    return judged(bool(keys) and not untyped, f"{untyped} of {len(keys)} keys lack kty", [exchange_id(key_set)])


@check("RFC7517-4.5-kid-unique")
def kids_distinct(key_set: httpx2.Response) -> Outcome:
    """Holds when no two keys that carry a ``kid`` carry the same one (keys without a kid are fine).
    RFC 7517 §4.5: "When "kid" values are used within a JWK Set, different keys within the JWK Set
    SHOULD use distinct "kid" values."
    """
    kids = [k.get("kid") for k in keys_of(key_set) if "kid" in k]
    return judged(len(kids) == len(set(map(str, kids))), f"kids: {len(kids)}", [exchange_id(key_set)])


@check("RFC7517-4.3-use-keyops")
def use_and_key_ops_consistent(key_set: httpx2.Response) -> Outcome:
    """Holds when no key carries both ``use`` and ``key_ops``, and every ``use`` is a non-empty string.
    RFC 7517 §4.3: "The "use" and "key_ops" JWK members SHOULD NOT be used together"; §4.2: "Values
    defined by this specification are: o "sig" (signature) o "enc" (encryption) Other values MAY be
    used. The "use" value is a case-sensitive string." A key set may hold keys for other uses beside the
    signing keys (Keycloak publishes an RSA-OAEP encryption key): that is no deviation.
    """
    keys = keys_of(key_set)
    both = [k.get("kid") for k in keys if "use" in k and "key_ops" in k]
    malformed = [k.get("kid") for k in keys if "use" in k and not (isinstance(k["use"], str) and k["use"])]
    return judged(
        not both and not malformed,
        f"keys with use and key_ops: {both or 'none'}; use not a non-empty string: {malformed or 'none'}",
        [exchange_id(key_set)],
    )


@check("RFC7517-9.2-no-private")
def no_private_members(key_set: httpx2.Response) -> Outcome:
    """Holds when no published key carries a private or symmetric member (d, p, q, dp, dq, qi, oth, k).
    RFC 7517 §9.2: "Private and symmetric decryption keys must be protected from disclosure to
    unintended parties"; a key set published at the jwks_uri is read by anyone.
    """
    leaking = [(k.get("kid"), [m for m in PRIVATE_MEMBERS if m in k]) for k in keys_of(key_set)]
    leaking = [(kid, members) for kid, members in leaking if members]
    return judged(not leaking, f"keys with private members: {leaking or 'none'}", [exchange_id(key_set)])


@check("RFC7518-3.3-rsa-2048")
def rsa_keys_2048(key_set: httpx2.Response) -> Outcome:
    """Holds when every RSA key's modulus ``n`` is at least 2048 bits long (a set without RSA keys holds;
    an ``n`` that does not decode counts as 0 bits). RFC 7518 §3.3: "A key of size 2048 bits or larger
    MUST be used with these algorithms."
    """
    sizes = {str(k.get("kid")): uint_bits(k.get("n")) for k in keys_of(key_set) if k.get("kty") == "RSA"}
    return judged(all(bits >= 2048 for bits in sizes.values()), f"RSA modulus sizes: {sizes or 'no RSA keys'}",
                  [exchange_id(key_set)])


@check("JWKS-kid-resolves")
def kid_resolves(observed: JwtAndKeys) -> Outcome:
    """Holds when the token header's ``kid`` names exactly one key of the published key set. RFC 7517
    §4.5: "When "kid" values are used within a JWK Set, different keys within the JWK Set SHOULD use
    distinct "kid" values"; a resource server finds the verification key by it.
    """
    kid = observed.jwt.header.get("kid")
    matches = [k for k in observed.keys if k.get("kid") == kid]
    return judged(
        kid is not None and len(matches) == 1,
        f"kid={kid!r}: {len(matches)} matching key(s) of {len(observed.keys)}",
        [observed.jwt.exchange],
    )
