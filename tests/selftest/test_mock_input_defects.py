"""The mock's input-only defects on the wire: for each switch, the input variant that shows its fault, the
same input refused properly by the compliant mock without it, and, on both, the valid request still served.

The fixed scenarios send one well-formed request per case, so these faults show only to the search; that
they do show, and only where their description says, is held here.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from oauth_conformance.jwt import b64url, decode_unverified, forge
from oauth_conformance.mock import DEFECTS, MockOptions, MockServers, start_mock
from oauth_conformance.mock.seed import SeedClient
from tests.selftest.mock_client import HTTP

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_input_defects")

FORM = "application/x-www-form-urlencoded"
INPUT_SWITCHES = sorted(name for name, defect in DEFECTS.items() if defect.kind == "input")


@dataclass
class Mock:
    """A compliant mock, its first seeded integration, and whether the switch under test is on."""

    servers: MockServers
    flawed: bool

    @property
    def client(self) -> SeedClient:
        return self.servers.seed.oauth_clients[0]

    def post_form(self, pairs: list[tuple[str, str]], content_type: str = FORM,
                  headers: dict[str, str] | None = None) -> httpx2.Response:
        """A token request with exactly these form pairs (repeats kept) and this Content-Type."""
        return HTTP.post(f"{self.servers.identity_url}/connect/token", content=urlencode(pairs),
                         headers={"Content-Type": content_type, **(headers or {})})

    def token(self, secret: str | None = None, client_id: str | None = None, **extra: str) -> httpx2.Response:
        """A client-credentials request with body credentials (the integration's own unless given)."""
        pairs = [("grant_type", "client_credentials"), ("client_id", client_id or self.client.client_id),
                 ("client_secret", self.client.client_secret if secret is None else secret), *extra.items()]
        return self.post_form(pairs)

    def access_token(self) -> str:
        issued = self.token()
        assert issued.status_code == 200, issued.text
        return str(issued.json()["access_token"])

    def api(self, access_token: str) -> httpx2.Response:
        return HTTP.get(f"{self.servers.creatio_url}{self.servers.options.app_prefix}/odata/"
                        f"{self.servers.seed.allowed_entity}",
                        # latin-1, as HTTP/1.1 carries header bytes: a hostile token may hold any of them
                        headers={b"Authorization": f"Bearer {access_token}".encode("latin-1")})


def _refused_invalid_client(response: httpx2.Response) -> None:
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client"), response.text


def _issued(response: httpx2.Response) -> None:
    assert response.status_code == 200 and response.json()["access_token"], response.text


def _basic(client_id: str, secret: str) -> dict[str, str]:
    """RFC 6749 §2.3.1: both form-urlencoded, then base64."""
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode("ascii")
    return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def _segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _signature(token: str) -> bytes:
    signature = token.split(".")[2]
    return base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))


def _with_signature(token: str, signature: bytes) -> str:
    head, body, _ = token.split(".")
    return f"{head}.{body}.{b64url(signature)}"


def _flip_bit(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


def _signed_with_own_key(token: str, embed: bool) -> str:
    """The token's header and claims signed with a key the attacker made; ``embed`` puts its public
    half in the header's jwk."""
    header, claims = decode_unverified(token)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "n": b64url(numbers.n.to_bytes(256, "big")), "e": b64url(numbers.e.to_bytes(3, "big"))}
    head = _segment({**header, "jwk": jwk} if embed else header)
    body = _segment(claims)
    signature = key.sign(f"{head}.{body}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64url(signature)}"


CASES: dict[str, Callable[[Mock], None]] = {}


def case(name: str) -> Callable[[Callable[[Mock], None]], Callable[[Mock], None]]:
    def register(function: Callable[[Mock], None]) -> Callable[[Mock], None]:
        CASES[name] = function
        return function

    return register


# --- the token endpoint --------------------------------------------------------------------------

@case("non-ascii-client-id-500")
def non_ascii_client_id(mock: Mock) -> None:
    _issued(mock.token())
    in_body = mock.token(client_id="clïent-ünknown", secret="not-the-secret")
    if mock.flawed:
        assert in_body.status_code == 500 and in_body.content == b""
    else:
        _refused_invalid_client(in_body)
    # The same client id in a Basic header is refused properly on both: only the form body's reaches the fault.
    in_header = mock.post_form([("grant_type", "client_credentials")],
                               headers=_basic("clïent-ünknown", "not-the-secret"))
    _refused_invalid_client(in_header)


@case("secret-whitespace-stripped")
def secret_whitespace_stripped(mock: Mock) -> None:
    secret = mock.client.client_secret
    _issued(mock.token())
    for padded in (secret + " ", " " + secret, f"\t{secret}\n"):
        answer = mock.token(secret=padded)
        _issued(answer) if mock.flawed else _refused_invalid_client(answer)
    # Another secret stays refused, spaces or not.
    _refused_invalid_client(mock.token(secret=secret[:-1] + " "))


@case("secret-case-insensitive")
def secret_case_insensitive(mock: Mock) -> None:
    secret = mock.client.client_secret
    assert secret.lower() != secret  # a hex secret with letters, so its case can change
    _issued(mock.token())
    answer = mock.token(secret=secret.lower())
    _issued(answer) if mock.flawed else _refused_invalid_client(answer)
    _refused_invalid_client(mock.token(secret=secret.lower()[:-1] + "x"))


@case("repeated-secret-any-matches")
def repeated_secret_any_matches(mock: Mock) -> None:
    client = mock.client
    _issued(mock.token())
    base = [("grant_type", "client_credentials"), ("client_id", client.client_id)]
    for secrets in (("not-the-secret", client.client_secret), (client.client_secret, "not-the-secret")):
        answer = mock.post_form([*base, *(("client_secret", s) for s in secrets)])
        if mock.flawed:
            _issued(answer)
        else:
            assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request"), answer.text
    wrong_twice = mock.post_form([*base, ("client_secret", "wrong-1"), ("client_secret", "wrong-2")])
    if mock.flawed:
        _refused_invalid_client(wrong_twice)  # it authenticates only when one value is the secret
    else:
        assert wrong_twice.status_code == 400
    # Other repeated parameters are refused on both.
    doubled_grant = mock.post_form([*base, ("client_secret", client.client_secret),
                                    ("grant_type", "client_credentials")])
    assert (doubled_grant.status_code, doubled_grant.json()["error"]) == (400, "invalid_request")


@case("long-value-unregistered-error")
def long_value_unregistered_error(mock: Mock) -> None:
    _issued(mock.token())
    _issued(mock.token(oauth_conformance_probe="x" * 1000))  # 1,000 characters are not too long
    long_secret = mock.token(secret="A" * 1001)
    long_extra = mock.token(oauth_conformance_probe="x" * 1001)
    if mock.flawed:
        for answer in (long_secret, long_extra):
            assert (answer.status_code, answer.json()["error"]) == (400, "request_too_large"), answer.text
    else:
        _refused_invalid_client(long_secret)
        _issued(long_extra)  # RFC 6749 §3.2: an unknown parameter is ignored, however long


@case("charset-drops-no-store")
def charset_drops_no_store(mock: Mock) -> None:
    pairs = [("grant_type", "client_credentials"), ("client_id", mock.client.client_id),
             ("client_secret", mock.client.client_secret)]
    plain = mock.post_form(pairs)
    _issued(plain)
    assert plain.headers["cache-control"] == "no-store"
    with_charset = mock.post_form(pairs, content_type=f"{FORM}; charset=utf-8")
    _issued(with_charset)
    assert with_charset.headers["pragma"] == "no-cache"
    cache_control = with_charset.headers.get("cache-control", "")
    assert ("no-store" in cache_control) is not mock.flawed, cache_control
    # Refusals keep no-store on both.
    refused = mock.post_form([*pairs[:2], ("client_secret", "wrong")], content_type=f"{FORM}; charset=utf-8")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"


@case("spaced-secret-echoed")
def spaced_secret_echoed(mock: Mock) -> None:
    _issued(mock.token())
    spaced = "not the secret 0123456789"
    answer = mock.token(secret=spaced)
    _refused_invalid_client(answer)
    assert (spaced in answer.text) is mock.flawed, answer.text
    in_header = mock.post_form([("grant_type", "client_credentials")], headers=_basic(mock.client.client_id, spaced))
    _refused_invalid_client(in_header)
    assert (spaced in in_header.text) is mock.flawed, in_header.text
    # A wrong secret without a space is not quoted, on both.
    unspaced = mock.token(secret="not-the-secret-0123456789")
    _refused_invalid_client(unspaced)
    assert "not-the-secret-0123456789" not in unspaced.text


# --- the API's bearer validation -----------------------------------------------------------------

@case("signature-prefix-compare")
def signature_prefix_compare(mock: Mock) -> None:
    token = mock.access_token()
    assert mock.api(token).status_code == 200
    signature = _signature(token)
    after_prefix = [_with_signature(token, _flip_bit(signature, 100)),
                    _with_signature(token, _flip_bit(signature, len(signature) - 1)),
                    _with_signature(token, signature[:16])]
    for forged in after_prefix:
        assert mock.api(forged).status_code == (200 if mock.flawed else 401)
    # A difference within the first 16 bytes, a missing signature and a tampered payload: refused on both.
    within_prefix = _with_signature(token, _flip_bit(signature, 15))
    for forged in (within_prefix, _with_signature(token, signature[:15]), forge(token, "stripped-signature"),
                   forge(token, "tampered-payload"), forge(token, "foreign-key")):
        assert mock.api(forged).status_code == 401


@case("alg-none-any-case")
def alg_none_any_case(mock: Mock) -> None:
    token = mock.access_token()
    assert mock.api(token).status_code == 200
    header, _ = decode_unverified(token)
    body = token.split(".")[1]
    for alg in ("None", "NONE", "nOnE"):
        unsigned = f"{_segment({**header, 'alg': alg})}.{body}."
        assert mock.api(unsigned).status_code == (200 if mock.flawed else 401), alg
    # Exactly "none" stays refused on both, as the fixed scenario sends it.
    assert mock.api(forge(token, "alg-none")).status_code == 401


@case("embedded-jwk-trusted")
def embedded_jwk_trusted(mock: Mock) -> None:
    token = mock.access_token()
    assert mock.api(token).status_code == 200
    embedded = _signed_with_own_key(token, embed=True)
    assert mock.api(embedded).status_code == (200 if mock.flawed else 401)
    # Without the jwk header, the attacker's signature is refused on both; so is a jwk that is no key.
    assert mock.api(_signed_with_own_key(token, embed=False)).status_code == 401
    _, body, signature = embedded.split(".")
    header, _ = decode_unverified(embedded)
    broken = f"{_segment({**header, 'jwk': {'kty': 'RSA', 'n': 'AQAB'}})}.{body}.{signature}"
    assert mock.api(broken).status_code == 401


# --- the tests -----------------------------------------------------------------------------------

def _start(defects: frozenset[str]) -> MockServers:
    return start_mock(MockOptions(profile="compliant", defects=defects))


@pytest.fixture(scope="module")
def baseline() -> Iterator[Mock]:
    """The compliant mock with no switch on: where every input above is refused properly."""
    with _start(frozenset()) as servers:
        yield Mock(servers, flawed=False)


def test_every_input_switch_has_a_case() -> None:
    assert sorted(CASES) == INPUT_SWITCHES
    assert len(INPUT_SWITCHES) >= 6  # the search must have at least six input-only defects to find


@pytest.mark.parametrize("name", INPUT_SWITCHES)
def test_the_switch_shows_its_fault(name: str) -> None:
    with _start(frozenset({name})) as servers:
        CASES[name](Mock(servers, flawed=True))


@pytest.mark.parametrize("name", INPUT_SWITCHES)
def test_without_the_switch_the_input_is_refused_properly(baseline: Mock, name: str) -> None:
    CASES[name](baseline)


def test_no_switch_answers_5xx_but_the_one_that_says_so() -> None:
    """Hostile inputs on the paths the switches change, with all of them on: below 500 every time, but for
    a non-ASCII client_id in the form body."""
    with _start(frozenset(INPUT_SWITCHES)) as servers:
        mock = Mock(servers, flawed=True)
        token = mock.access_token()
        head, body, signature = token.split(".")
        header, _ = decode_unverified(token)
        forged = [
            f"{head}.{body}.not*base64*at*all", f"{head}.{body}.{signature}é", f"{head}.{body}", "a.b.c.d",
            f"{_segment({**header, 'alg': 'NONE'})}.{b64url(b'[1, 2]')}.",
            f"{_segment({**header, 'alg': 'None'})}.{_segment({'exp': 'soon', 'aud': 7})}.",
            f"{_segment({**header, 'kid': {'not': 'a string'}})}.{body}.{signature}",
            f"{_segment({**header, 'jwk': 'no object'})}.{body}.{signature}",
            f"{_segment({**header, 'jwk': {'kty': 'RSA', 'n': '!!', 'e': '??'}})}.{body}.{signature}",
            f"{_segment({**header, 'jwk': {'kty': 'EC', 'crv': 'P-256', 'x': 'AA', 'y': 'AA'}})}.{body}.{signature}",
        ]
        for value in forged:
            assert mock.api(value).status_code == 401, value
        pairs = [("grant_type", "client_credentials"), ("client_id", mock.client.client_id)]
        requests = [
            [*pairs, ("client_secret", "   ")], [*pairs, ("client_secret", "ß" * 3)],
            [*pairs, ("client_secret", "a b"), ("client_secret", "c d")], [*pairs, ("client_secret", "x" * 5000)],
            [("grant_type", "client_credentials"), ("client_id", ""), ("client_secret", "x y")],
        ]
        for form in requests:
            assert mock.post_form(form, content_type=f"{FORM}; charset=ISO-8859-1").status_code < 500, form
        non_ascii_basic = mock.post_form([("grant_type", "client_credentials")], headers=_basic("ü", "s e"))
        assert non_ascii_basic.status_code == 401
