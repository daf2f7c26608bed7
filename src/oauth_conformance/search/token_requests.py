"""Variants of the client-credentials token request (RFC 6749 §4.4.2), and what each answer is judged by.

``token_request_variants`` draws requests a client could send: the exactly valid forms (any parameter
order, a charset, needless percent-encoding, unknown and empty parameters, Basic or body credentials)
and the rest (names in another case, repeated or missing parameters, wrong percent-encoding, non-ASCII
and very long values, other methods and media types, two authentication methods or none, credentials in
the query, and a client secret with a space added, its case flipped, cut short, one character changed,
another client's or empty).

``judgements`` does not trust how a variant was drawn: it reads the request as it goes on the wire, the
way the RFCs tell a server to read it (``_Reading``), and names the checks its answer must pass. A token
is allowed only where the client authenticated, by exactly one method, with exactly its credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from urllib.parse import quote, quote_plus, unquote_to_bytes

import httpx2
from hypothesis import strategies as st

from oauth_conformance.checks import BesideControl, Check, PositiveControl, rfc6749, rfc6819
from oauth_conformance.checks._predicates import issued
from oauth_conformance.http import HttpClient
from oauth_conformance.redaction import REDACTOR, RedactedRepr
from oauth_conformance.search._judgement import Judgement
from oauth_conformance.targets.standards import Client

__all__ = ["HttpMethod", "TokenRequestVariant", "judgements", "token_request_variants"]

HttpMethod = Literal["POST", "GET", "PUT", "PATCH", "DELETE"]

FORM = "application/x-www-form-urlencoded"
# Below this length a secret-derived value could turn up in any answer by chance (a one-character prefix
# of the secret is in most texts), so the echo check would report noise.
_MIN_ECHO = 8
# Parameters of the IANA "OAuth Parameters" registry a token endpoint may recognise. A value for one of
# them (other than those of the request itself) is the server's to accept or refuse; any other name is
# unrecognized and RFC 6749 §3.2 says "The authorization server MUST ignore unrecognized request
# parameters".
_REGISTERED = frozenset({
    "scope", "resource", "audience", "username", "password", "code", "redirect_uri", "refresh_token",
    "code_verifier", "client_assertion", "client_assertion_type", "assertion", "subject_token",
    "subject_token_type", "actor_token", "actor_token_type", "requested_token_type", "device_code",
    "auth_req_id", "state", "response_type", "nonce", "dpop_jkt", "authorization_details",
})
# The parameters RFC 6749 defines for this request (§4.4.2, §2.3.1, §3.3); §3.2: "Request and response
# parameters MUST NOT be included more than once". An unrecognized parameter is ignored, repeated or not.
_DEFINED = frozenset({"grant_type", "client_id", "client_secret", "scope"})
_ESCAPE = re.compile(rb"%[0-9A-Fa-f]{2}")


# -- the variant ------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class TokenRequestVariant(RedactedRepr):
    """One token request as it goes on the wire, the steps that made it (in words, one line each, with
    ``<client_id>`` and ``<client_secret>`` for the credentials), and the clients whose credentials count.
    Its repr shows the method and the steps only: the rest carries credentials."""

    method: HttpMethod
    query: tuple[tuple[str, str], ...] = field(repr=False)
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    body: bytes = field(repr=False)
    steps: tuple[str, ...]
    # The client the request is made for, and the other one whose secret a variant may borrow.
    client: Client = field(repr=False)
    other: Client | None = field(default=None, repr=False)
    # The parameters every token request of the target carries (``IdentityClient.token_parameters``).
    parameters: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    derived: tuple[str, ...] = field(default=(), repr=False)

    def derived_values(self) -> tuple[str, ...]:
        """Every value sent that is derived from a client secret (the secret changed, cut, encoded, the
        Basic credential), for the redactor: register them before sending."""
        return self.derived

    def send(self, http: HttpClient, token_endpoint: str) -> httpx2.Response:
        """Send the request to ``token_endpoint`` through ``http`` (which records the exchange); its
        derived values are registered with the redactor first."""
        REDACTOR.register(*self.derived_values())
        return http.request(
            self.method, token_endpoint, headers=httpx2.Headers(list(self.headers)),
            params=list(self.query) or None, content=self.body or None,
        )

    @property
    def exactly_valid(self) -> bool:
        """Whether the request is a valid client-credentials request as RFC 6749 writes it, so that a
        server following it issues a token (the positive side of the oracle)."""
        return _reading(self).exactly_valid


# -- reading a request as RFC 6749 says ---------------------------------------------------------------

_Pairs = tuple[tuple[str, str], ...]
# How the request authenticates its client, read from what it carries.
_Auth = Literal["exact", "ambiguous", "two-methods", "in-uri", "unknown-client", "id-alone", "unauthenticated"]
# Why an answer must carry no token, each the invariant of one requirement.
_Reason = Literal["repeated", "two-methods", "in-uri", "unknown-client", "id-alone", "unauthenticated", "post"]
# The reason a reading of the authentication gives (None: a token is allowed, or another reason decides).
_AUTH_REASONS: dict[_Auth, _Reason | None] = {
    "exact": None, "ambiguous": None, "two-methods": "two-methods", "in-uri": "in-uri",
    "unknown-client": "unknown-client", "id-alone": "id-alone", "unauthenticated": "unauthenticated",
}


def _decode(raw: bytes) -> tuple[str, bool]:
    """A form-urlencoded name or value as RFC 6749 Appendix B reads it: "When parsing data from a payload
    using this media type, the names and values resulting from reversing the name/value encoding
    consequently need to be treated as octet sequences, to be decoded using the UTF-8 character encoding
    scheme" (the HTML 4.01 encoding: "+" for a space, %HH for an octet). So a needless escape decodes to
    the character itself ("grant%5Ftype" is grant_type). The flag says whether the client encoded it as
    the media type says: no byte outside ASCII, every "%" followed by two hex digits, UTF-8 octets."""
    octets = unquote_to_bytes(raw.replace(b"+", b" "))  # a malformed escape stays as it is
    canonical = raw.isascii() and raw.count(b"%") == len(_ESCAPE.findall(raw))
    try:
        return octets.decode("utf-8"), canonical
    except UnicodeDecodeError:
        return octets.decode("utf-8", "replace"), False


def _form(body: bytes) -> tuple[_Pairs, bool]:
    """The parameters of a form body, and whether all of it was encoded as the media type says. RFC 6749
    §3.2: "Parameters sent without a value MUST be treated as if they were omitted from the request", so
    they are left out here, before anything counts them."""
    params: list[tuple[str, str]] = []
    canonical = True
    for segment in body.split(b"&"):
        if not segment:
            continue
        raw_name, _, raw_value = segment.partition(b"=")
        (name, name_ok), (value, value_ok) = _decode(raw_name), _decode(raw_value)
        canonical = canonical and name_ok and value_ok
        if value:
            params.append((name, value))
    return tuple(params), canonical


class _Members(list[tuple[str, Any]]):
    """A JSON object's members in order, duplicates kept."""


def _json(body: bytes) -> _Pairs:
    """The string members of a JSON object body: not a token request (RFC 6749 §4.4.2 names the form
    media type), but a server that reads it anyway reads credentials from it."""
    try:
        value = json.loads(body, object_pairs_hook=_Members)
    except ValueError:
        return ()
    if not isinstance(value, _Members):
        return ()
    return tuple((k, v) for k, v in value if isinstance(v, str) and v)


def _values(params: Iterable[tuple[str, str]], name: str) -> list[str]:
    """A parameter's values, by its exact name: RFC 6749 §1.9, "Unless otherwise noted, all the protocol
    parameter names and values are case sensitive", so "Client_Secret" is another, unrecognized name."""
    return [v for n, v in params if n == name]


def _media(headers: Sequence[tuple[str, str]]) -> tuple[str | None, dict[str, str]]:
    """The Content-Type's media type (lower case: RFC 9110 §8.3.1, "The type and subtype tokens are
    case-insensitive") and its parameters; None without the header."""
    value = next((v for k, v in headers if k.lower() == "content-type"), None)
    if value is None:
        return None, {}
    kind, *rest = value.split(";")
    parameters = {}
    for item in rest:
        name, _, setting = item.partition("=")
        parameters[name.strip().lower()] = setting.strip().strip('"')
    return kind.strip().lower(), parameters


def _basic(headers: Sequence[tuple[str, str]]) -> tuple[tuple[str | None, str | None] | None, bool]:
    """The Basic credentials (None without a Basic Authorization header; (None, None) when it does not
    decode), and whether they were encoded exactly as the suite's clients encode them. RFC 6749 §2.3.1:
    "The client identifier is encoded using the "application/x-www-form-urlencoded" encoding algorithm
    per Appendix B, and the encoded value is used as the username; the client password is encoded using
    the same algorithm and used as the password"; RFC 7235 §2.1: the scheme is case-insensitive."""
    value = next((v for k, v in headers if k.lower() == "authorization"), None)
    scheme, _, token = (value or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None, False
    try:
        userinfo = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return (None, None), False
    raw_id, colon, raw_secret = userinfo.partition(b":")
    if not colon:
        return (None, None), False
    (client_id, id_ok), (secret, secret_ok) = _decode(raw_id), _decode(raw_secret)
    plain = id_ok and secret_ok and userinfo == f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    return (client_id, secret), plain


@dataclass(frozen=True)
class _Reading:
    """A request as RFC 6749 tells a server to read it."""

    variant: TokenRequestVariant
    media: str | None
    media_parameters: dict[str, str]
    # The body's parameters: a form's (also without a Content-Type, as a lenient server reads it), a JSON
    # object's string members; never those sent without a value.
    body: _Pairs
    body_canonical: bool
    query: _Pairs
    basic: tuple[str | None, str | None] | None
    basic_plain: bool

    @property
    def token_request(self) -> bool:
        """RFC 6749 §3.2: "The client MUST use the HTTP "POST" method when making access token requests";
        §4.4.2: the parameters go "using the "application/x-www-form-urlencoded" format"."""
        return self.variant.method == "POST" and self.media == FORM

    def _classify(self, client_id: str | None, secret: str | None) -> _Auth:
        if client_id is None:
            return "unauthenticated"  # §2.3.1: client_id is REQUIRED; a secret alone names no client
        client = next((c for c in (self.variant.client, self.variant.other) if c and c.client_id == client_id), None)
        if client is None:
            return "unknown-client"
        if not secret:
            return "id-alone"
        return "exact" if secret == client.client_secret else "unauthenticated"

    def authentication(self, params: _Pairs, query_counts: bool) -> _Auth:
        """RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request";
        §2.3.1: body credentials and Basic are the two methods, and client_id alone identifies a client
        without authenticating it ("A client MAY use the "client_id" request parameter to identify itself",
        §3.2.1); credentials "MUST NOT be included in the request URI"."""
        ids, secrets = _values(params, "client_id"), _values(params, "client_secret")
        if len(ids) > 1 or len(secrets) > 1:
            return "ambiguous"  # which value would authenticate? RFC6749-3.2-no-dup judges it
        if self.basic is not None:
            return "two-methods" if secrets else self._classify(*self.basic)
        if ids or secrets:
            return self._classify(ids[0] if ids else None, secrets[0] if secrets else None)
        if query_counts and _values(self.query, "client_secret"):
            return "in-uri"
        return "unauthenticated"

    def any_exact(self, params: _Pairs) -> bool:
        """Whether any of the credentials the request carries (each repeated value, Basic or the body) is
        exactly a client's: where the request is ambiguous or uses two methods, a token for credentials
        none of which is exact is refused by RFC6749-3.2.1-auth-required too, whatever else is wrong."""
        ids: list[str | None] = [*_values(params, "client_id")] or [None]
        secrets: list[str | None] = [*_values(params, "client_secret")] or [None]
        candidates: list[tuple[str | None, str | None]] = [(i, c) for i in ids for c in secrets]
        if self.basic is not None:
            candidates.append(self.basic)
        return any(self._classify(i, c) == "exact" for i, c in candidates)

    @property
    def reasons(self) -> list[_Reason]:
        """Why the answer must carry no token, one reason per requirement; none where a token is allowed."""
        if self.variant.method != "POST":
            # A GET carries its parameters in the query: they are where its credentials are.
            auth = self.authentication((*self.body, *self.query), query_counts=False)
            reason = "post" if auth in ("exact", "ambiguous", "two-methods") else _AUTH_REASONS[auth]
            return [reason] if reason else []
        if self.media != FORM:
            # No token request (§4.4.2), so no promise that it is served; but credentials a server reads
            # from it anyway must be the client's own.
            reason = _AUTH_REASONS[self.authentication(self.body, query_counts=True)]
            return [reason] if reason else []
        reasons: list[_Reason] = []
        if any(len(_values(self.body, name)) > 1 for name in _DEFINED):
            reasons.append("repeated")
        auth = self.authentication(self.body, query_counts=True)
        reason = _AUTH_REASONS[auth]
        reasons += [reason] if reason else []
        if auth in ("ambiguous", "two-methods") and not self.any_exact(self.body):
            reasons.append("unauthenticated")
        return reasons

    @property
    def secrets(self) -> list[str]:
        """The client secrets the request presents, wherever (for the echo check), long enough to tell."""
        found = [*_values(self.body, "client_secret"), *_values(self.query, "client_secret")]
        if self.basic is not None and self.basic[1]:
            found.append(self.basic[1])
        return list(dict.fromkeys(s for s in found if len(s) >= _MIN_ECHO))

    @property
    def exactly_valid(self) -> bool:
        charset = self.media_parameters.get("charset", "utf-8").lower()
        if not (self.token_request and self.body_canonical and not self.query and charset == "utf-8"
                and set(self.media_parameters) <= {"charset"}):
            return False
        names = {name for name, _ in self.body}
        if any(len(_values(self.body, name)) > 1 for name in names):
            return False
        if _values(self.body, "grant_type") != ["client_credentials"]:
            return False
        target = dict(self.variant.parameters)
        if any(_values(self.body, name) != [value] for name, value in target.items()):
            return False
        # Another registered parameter (a scope of our choosing) is the server's to refuse.
        if names & _REGISTERED - target.keys():
            return False
        if self.basic is not None and not self.basic_plain:
            return False
        return self.authentication(self.body, query_counts=True) == "exact"


def _reading(variant: TokenRequestVariant) -> _Reading:
    media, parameters = _media(variant.headers)
    if media in (FORM, None):
        body, canonical = _form(variant.body)
    elif media == "application/json":
        body, canonical = _json(variant.body), False
    else:
        body, canonical = (), False
    query = tuple((n, v) for n, v in variant.query if v)  # §3.2: sent without a value = omitted
    basic, plain = _basic(variant.headers)
    return _Reading(variant, media, parameters, body, canonical, query, basic, plain)


# -- the oracle -------------------------------------------------------------------------------------

_NO_TOKEN_CHECKS: dict[_Reason, Check[Any]] = {
    "repeated": rfc6749.duplicate_parameter_refused,
    "two-methods": rfc6749.single_authentication_method,
    "in-uri": rfc6749.credentials_not_in_uri,
    "unknown-client": rfc6749.unknown_client_refused,
    "id-alone": rfc6749.empty_secret_only_omitted,
    "unauthenticated": rfc6749.authentication_required,
    "post": rfc6749.post_only,
}
# Checks whose observation is a NoToken (their Refusal would demand one error code); the rest take a
# BesideControl.
_NO_TOKEN_OBSERVED = frozenset({"repeated", "id-alone", "unauthenticated"})


def judgements(variant: TokenRequestVariant, response: httpx2.Response, control: PositiveControl) -> list[Judgement]:
    """What the answer to ``variant`` must be judged by, beside the token endpoint's positive control:

    - every error of a token request (a form POST), and any 5xx, 400 or 401 to the rest, by
      RFC6749-5.2-error-shape (another method or media type may get 405 or 415, HTTP's own answers);
    - an answer with a token by RFC6749-5.1-no-store;
    - an answer without one by RFC6819-4.6.7-log-leak, for each secret the request presented;
    - a token allowed only where the client authenticated with exactly its credentials by exactly one
      method: a repeated parameter (RFC6749-3.2-no-dup), two methods (RFC6749-2.3-single-method),
      credentials only in the query (RFC6749-2.3.1-not-in-uri), an unknown client id
      (RFC6749-3.2.1-unknown-client), a client id without a secret (RFC6749-2.3.1-empty-secret),
      credentials not exactly the client's or none (RFC6749-3.2.1-auth-required), and, where the
      credentials were right, another method than POST (RFC6749-3.2-post).

    No judgement says that a valid form must get a token: which of its features a refusal is owed to
    cannot be told from one answer, and the fixed scenarios judge each (RFC6749-3.2-ignore-unknown,
    RFC6749-3.2-empty-param, RFC6749-2.3.1-basic, RFC6749-2.3.1-post)."""
    reading = _reading(variant)
    beside = BesideControl(response, control)
    found: list[Judgement] = []
    status = response.status_code
    if not 200 <= status < 300 and (reading.token_request or status >= 500 or status in (400, 401)):
        found.append(Judgement(rfc6749.error_response_shape, beside))
    if issued(response):
        found.append(Judgement(rfc6749.no_store, response))
    else:
        found += [Judgement(rfc6819.token_not_echoed, rfc6819.RefusedSecret(response, s)) for s in reading.secrets]
    for reason in reading.reasons:
        observed = rfc6749.NoToken(response, control) if reason in _NO_TOKEN_OBSERVED else beside
        found.append(Judgement(_NO_TOKEN_CHECKS[reason], observed))
    return found


# -- drawing variants -------------------------------------------------------------------------------

_Style = Literal["client_secret_basic", "client_secret_post", "basic_and_client_id", "both", "none", "query",
                "query_all"]
# Drawn with these weights; the first is where shrinking ends.
_STYLES: tuple[_Style, ...] = ("client_secret_basic", "client_secret_post", "client_secret_basic", "client_secret_post",
                              "basic_and_client_id", "both", "none", "query", "query_all")
_STYLE_STEPS: dict[_Style, str] = {
    "client_secret_basic": "client authentication: client_secret_basic",
    "client_secret_post": "client authentication: client_secret_post",
    "basic_and_client_id": "client authentication: client_secret_basic, client_id also in the body",
    "both": "Basic credentials and body credentials together",
    "none": "no client authentication",
    "query": "client_id and client_secret in the query string only",
    "query_all": "every parameter in the query string, no body",
}
# Non-ASCII characters a parser may trip over: Latin-1, beyond it, astral, invisible, combining, bidi.
_NON_ASCII = ("é", "ü", "ß", "Ω", "中", "😀", "\u00a0", "\u0301", "\ufeff", "\u202e")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~ ")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_SCOPES = ("read", "write", "openid", "ApplicationAccess", "IdentityServerApi")


def _enc(text: str) -> bytes:
    """The form-urlencoding of HTML 4.01 §17.13.4.1 over UTF-8 (RFC 6749 Appendix B)."""
    return quote_plus(text, safe="").encode("ascii")


def _shown(text: str) -> str:
    """A value as a step shows it: one line, invisible characters escaped, a long run abbreviated."""
    if len(text) > 60 and len(set(text)) == 1:
        return f"<{len(text):,} × {text[0]!r}>"
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


_RUN = re.compile(rb"(.)\1{20,}", re.DOTALL)


def _shown_wire(wire: bytes) -> str:
    """Bytes as a step shows them: ASCII as itself, other bytes as \\xHH, a long run abbreviated."""
    def plain(part: bytes) -> str:
        return "".join(chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02X}" for b in part)

    shown, at = [], 0
    for run in _RUN.finditer(wire):
        shown += [plain(wire[at:run.start()]), f"<{run.end() - run.start():,} × {plain(run.group(1))!r}>"]
        at = run.end()
    return "".join([*shown, plain(wire[at:])])


def _char(c: str) -> str:
    return f"{c!r} (U+{ord(c):04X})" if c.isprintable() else f"U+{ord(c):04X}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass
class _Pair:
    """One parameter of the body being drawn: decoded, and as it goes on the wire where that is not the
    plain encoding."""

    name: str
    value: str
    wire_name: bytes | None = None
    wire_value: bytes | None = None
    # How the steps show the value: a placeholder for one derived from a credential.
    shown: str | None = None
    # Derived from a secret: registered with the redactor, never shown.
    secret: bool = False
    # A client id or secret, or derived from one: shown as its placeholder only.
    credential: bool = False

    def wire(self) -> bytes:
        name = self.wire_name if self.wire_name is not None else _enc(self.name)
        value = self.wire_value if self.wire_value is not None else _enc(self.value)
        return name + b"=" + value

    def display(self) -> str:
        """``name = value`` as sent, a credential as its placeholder. The spaces keep "client_secret=..."
        out of the redactor's form-field pattern, which would mask the placeholder."""
        name = _shown_wire(self.wire_name if self.wire_name is not None else _enc(self.name))
        if self.shown is not None and (self.credential or self.wire_value is None):
            return f"{name} = {self.shown}"
        return f"{name} = {_shown_wire(self.wire_value if self.wire_value is not None else _enc(self.value))}"

    def member(self) -> str:
        """As a member of a JSON body (no form-encoding there)."""
        return f"{json.dumps(self.name, ensure_ascii=False)}: {self.shown or json.dumps(_shown(self.value))}"

    def set_value(self, value: str, shown: str | None = None) -> None:
        self.value, self.wire_value, self.shown = value, None, shown


@dataclass
class _Draft:
    """A request being drawn; ``_finish`` turns it into a variant."""

    client: Client
    other: Client | None
    parameters: tuple[tuple[str, str], ...]
    style: _Style
    client_id: str
    secret: str
    method: HttpMethod = "POST"
    pairs: list[_Pair] = field(default_factory=list)
    query: list[_Pair] = field(default_factory=list)
    media: str | None = FORM
    json_body: bool = False
    basic: bool = False
    basic_scheme: str = "Basic"
    basic_userinfo: str | None = None
    reordered: bool = False
    notes: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)

    def id_pair(self) -> _Pair:
        return _Pair("client_id", self.client_id, shown="<client_id>", credential=True)

    def secret_pair(self) -> _Pair:
        return _Pair("client_secret", self.secret, shown="<client_secret>", secret=True, credential=True)

    def encodable(self) -> list[_Pair]:
        """The pairs an encoding alteration picks from, the credentials three times as often: how a
        server decodes them decides who it authenticates."""
        return [*self.pairs, *(p for p in self.pairs if p.credential for _ in range(2))]

    def named(self, name: str) -> list[_Pair]:
        return [p for p in self.pairs if p.name == name]


_Draw = st.DrawFn


# How the credentials are presented: the first of each aspect is the valid one.
_SecretKind = Literal["exact", "trailing-space", "leading-space", "inner-space", "case-flipped", "case-one",
                     "truncated", "one-changed", "other-secret", "empty-secret", "long-secret"]
_IdKind = Literal["exact", "non-ascii-id", "long-id", "unknown-id", "other-id"]
_SECRET_KINDS: frozenset[str] = frozenset(get_args(_SecretKind)) - {"exact"}
_ID_KINDS: frozenset[str] = frozenset(get_args(_IdKind)) - {"exact"}
# A deviation of the style; "id-alone" is client_secret_post without the secret.
_STYLE_OF: dict[str, _Style] = {"both": "both", "none": "none", "query": "query", "query_all": "query_all",
                               "id-alone": "client_secret_post"}
_STYLE_KINDS = frozenset(_STYLE_OF)
_MEDIA_KINDS = {"json": "application/json", "no-media": None}


def _secret_presented(draw: _Draw, kind: str, client: Client, other: Client | None) -> tuple[str, str | None]:
    """The secret the request presents, and how it differs from the client's (None: it is the secret)."""
    secret = client.client_secret
    letters = [i for i, c in enumerate(secret) if c.swapcase() != c]
    if kind == "trailing-space":
        n = draw(st.integers(1, 2))
        return secret + " " * n, f"<client_secret> with {'a trailing space' if n == 1 else f'{n} trailing spaces'}"
    if kind == "leading-space":
        return " " + secret, "<client_secret> with a leading space"
    if kind == "inner-space" and len(secret) > 1:
        i = draw(st.integers(1, len(secret) - 1))
        return secret[:i] + " " + secret[i:], f"<client_secret> with a space after its {_ordinal(i)} character"
    if kind == "case-flipped" and letters:
        return secret.swapcase(), "<client_secret> with the letter case of every letter flipped"
    if kind in ("case-one", "case-flipped") and letters:
        i = draw(st.sampled_from(letters))
        flipped = secret[:i] + secret[i].swapcase() + secret[i + 1:]
        return flipped, f"<client_secret> with the letter case of its {_ordinal(i + 1)} character flipped"
    if kind == "truncated" and len(secret) > 1:
        k = draw(st.integers(1, len(secret) - 1))
        return secret[:-k], f"<client_secret> without its last {k} character{'s' if k > 1 else ''}"
    if kind in ("one-changed", "case-one", "case-flipped", "truncated", "inner-space") and secret:
        i = draw(st.integers(0, len(secret) - 1))
        c = draw(st.sampled_from([a for a in _ALNUM if a != secret[i]]))
        return secret[:i] + c + secret[i + 1:], f"<client_secret> with its {_ordinal(i + 1)} character changed"
    if kind == "other-secret" and other is not None and other.client_secret != secret:
        return other.client_secret, "the other client's secret"
    if kind in ("empty-secret", "other-secret"):
        return "", "an empty secret"
    if kind == "long-secret":
        n = draw(st.integers(1001, 1600))
        return secret + "A" * n, f"<client_secret> followed by {n:,} × 'A'"
    return secret, None


def _client_id_presented(draw: _Draw, kind: str, client: Client, other: Client | None) -> tuple[str, str | None]:
    client_id = client.client_id
    if kind == "non-ascii-id":
        c = draw(st.sampled_from(_NON_ASCII))
        where = draw(st.sampled_from(("end", "start", "middle")))
        if where == "start":
            return c + client_id, f"<client_id> preceded by {_char(c)}"
        if where == "middle" and len(client_id) > 1:
            i = draw(st.integers(1, len(client_id) - 1))
            return client_id[:i] + c + client_id[i:], f"<client_id> with {_char(c)} after its {_ordinal(i)} character"
        return client_id + c, f"<client_id> followed by {_char(c)}"
    if kind == "long-id":
        n = draw(st.integers(1001, 1600))
        return client_id + "x" * n, f"<client_id> followed by {n:,} × 'x'"
    if kind == "other-id" and other is not None and other.client_id != client_id:
        return other.client_id, "the other client's client_id"
    if kind in ("unknown-id", "other-id"):
        return "occ-unknown-client", "occ-unknown-client, a client id the server never issued"
    return client_id, None


# The valid forms: the first of each is where shrinking ends.
_VALID_STYLES: tuple[_Style, ...] = ("client_secret_basic", "client_secret_post", "client_secret_basic",
                                    "client_secret_post", "basic_and_client_id")
_VALID_MEDIA: tuple[str, ...] = (FORM, FORM, f"{FORM}; charset=UTF-8", f"{FORM};charset=utf-8",
                                 f'{FORM}; charset="utf-8"', "Application/X-WWW-Form-URLEncoded")


def _start(draw: _Draw, client: Client, other: Client | None, parameters: tuple[tuple[str, str], ...],
           kinds: Sequence[str]) -> _Draft:
    """The request before its parameters are altered: a valid form, with the presentation deviations
    among ``kinds`` applied (the secret or the client id changed, another style, another media type)."""
    style: _Style = draw(st.sampled_from(_VALID_STYLES))
    media: str | None = draw(st.sampled_from(_VALID_MEDIA))
    secret_kind, id_kind = "exact", "exact"
    for kind in kinds:
        if kind in _SECRET_KINDS:
            secret_kind = kind
        elif kind in _ID_KINDS:
            id_kind = kind
            if kind in ("non-ascii-id", "long-id") and style == "client_secret_basic":
                style = "client_secret_post"  # in the body, where the form parser meets it
        elif kind in _STYLE_KINDS:
            style = _STYLE_OF[kind]
        elif kind in _MEDIA_KINDS:
            media = _MEDIA_KINDS[kind]
    client_id, id_note = _client_id_presented(draw, id_kind, client, other)
    secret, secret_note = _secret_presented(draw, secret_kind, client, other)
    draft = _Draft(client, other, parameters, style, client_id, secret)
    draft.pairs = [_Pair("grant_type", "client_credentials"), *(_Pair(n, v) for n, v in parameters)]
    if style in ("client_secret_basic", "basic_and_client_id", "both"):
        draft.basic = True
    if style in ("client_secret_post", "basic_and_client_id", "both"):
        draft.pairs.append(draft.id_pair())
    if style in ("client_secret_post", "both") and "id-alone" not in kinds:
        draft.pairs.append(draft.secret_pair())
    if "id-alone" in kinds:
        draft.notes.append("client_id in the body, no client_secret")
    if style == "query":
        draft.query = [draft.id_pair(), draft.secret_pair()]
    if style == "query_all":
        draft.query, draft.pairs, media = [*draft.pairs, draft.id_pair(), draft.secret_pair()], [], None
    draft.media, draft.json_body = media, media == "application/json"
    if style != "none":
        draft.notes += [f"client_id: {id_note}"] * (id_note is not None)
        draft.notes += [f"client_secret: {secret_note}"] * (secret_note is not None and "id-alone" not in kinds)
        if secret:
            draft.derived.append(secret)
    return draft


# Each alteration changes the draft and says so in a note; the body and headers are shown in full anyway.


def _order(draw: _Draw, d: _Draft) -> None:
    if len(d.pairs) > 1:
        d.pairs = list(draw(st.permutations(d.pairs)))
        d.reordered = True


def _name_case(draw: _Draw, d: _Draft) -> None:
    candidates = [p for p in d.pairs if p.name in _DEFINED and p.wire_name is None]
    if not candidates:
        return
    pair = draw(st.sampled_from(candidates))
    how = draw(st.sampled_from(("upper", "title", "first")))
    new = {"upper": pair.name.upper(), "title": pair.name.title(), "first": pair.name.capitalize()}[how]
    d.notes.append(f"parameter name {new} instead of {pair.name} (names are case-sensitive)")
    pair.name = new


def _repeat_secret(draw: _Draw, d: _Draft) -> None:
    """client_secret twice in the body (client_secret_post): RFC 6749 §3.2, "Request and response
    parameters MUST NOT be included more than once"; which of two values would a server check?"""
    if d.style in ("client_secret_basic", "basic_and_client_id"):
        d.basic, d.style = False, "client_secret_post"
        d.pairs = [p for p in d.pairs if p.name != "client_id"] + [d.id_pair()]
    existing = d.named("client_secret")
    if not existing:
        existing = [d.secret_pair()]
        d.pairs.append(existing[0])
    candidates = [("the same value", existing[0].value), ("a wrong secret", "not-the-secret-0123456789")]
    if d.other is not None:
        candidates.append(("the other client's secret", d.other.client_secret))
    if d.secret:
        i = len(d.secret) // 2
        candidates.append(("<client_secret> with one character changed",
                           d.secret[:i] + ("B" if d.secret[i] != "B" else "C") + d.secret[i + 1:]))
    told, value = draw(st.sampled_from(candidates))
    shown = existing[0].shown if told == "the same value" else ("<another secret>" if told[0] != "<" else f"<{told}>")
    d.pairs.insert(draw(st.integers(0, len(d.pairs))),
                   _Pair("client_secret", value, shown=shown, secret=True, credential=True))
    d.derived.append(value)
    d.notes.append(f"client_secret repeated, once with {told}")


def _repeat(draw: _Draw, d: _Draft) -> None:
    """Another parameter of the request twice, with the same value, another, or none (then it counts
    once: §3.2, "Parameters sent without a value MUST be treated as if they were omitted")."""
    name = draw(st.sampled_from(("grant_type", "client_id", "scope")))
    existing = d.named(name)
    if not existing:
        existing = [_Pair("scope", draw(st.sampled_from(_SCOPES))) if name == "scope" else d.id_pair()]
        d.pairs.append(existing[0])
    first = existing[0]
    how = draw(st.sampled_from(("different", "same", "empty")))
    if how == "same":
        repeat, told = _Pair(first.name, first.value, shown=first.shown, credential=first.credential), "the same value"
    elif how == "empty":
        repeat, told = _Pair(first.name, ""), "no value"
    elif name == "client_id":
        candidates = [("an unknown client id", "occ-unknown-client")]
        if d.other is not None:
            candidates.append(("the other client's client_id", d.other.client_id))
        told, value = draw(st.sampled_from(candidates))
        repeat = _Pair(name, value, shown="<another client_id>", credential=True)
    else:
        value = draw(st.sampled_from([v for v in ("password", "refresh_token", *_SCOPES) if v != first.value]))
        repeat, told = _Pair(name, value), repr(value)
    d.pairs.insert(draw(st.integers(0, len(d.pairs))), repeat)
    d.notes.append(f"{name} repeated, once with {told}")


def _omit(draw: _Draw, d: _Draft) -> None:
    targets = [name for name in ("grant_type", "client_id", "client_secret") if d.named(name)]
    targets += ["the Authorization header"] * d.basic
    if not targets:
        return
    target = draw(st.sampled_from(targets))
    if target == "the Authorization header":
        d.basic = False
    else:
        d.pairs = [p for p in d.pairs if p.name != target]
    d.notes.append(f"{target} left out")


def _empty(draw: _Draw, d: _Draft) -> None:
    """A parameter of the request sent without a value: RFC 6749 §3.2 makes it omitted."""
    if not d.pairs:
        return
    pair = draw(st.sampled_from(d.pairs))
    pair.set_value("")
    pair.secret = pair.credential = False
    d.notes.append(f"{pair.name} sent without a value")


def _empty_extra(draw: _Draw, d: _Draft) -> None:
    """A parameter added without a value, which counts as omitted (RFC 6749 §3.2): also a second
    grant_type or client_secret beside the real one."""
    name = draw(st.sampled_from(("scope", "occ_empty", "grant_type", "client_secret")))
    d.pairs.insert(draw(st.integers(0, len(d.pairs))), _Pair(name, ""))
    d.notes.append(f"an extra {name} parameter without a value")


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


def _extra(draw: _Draw, d: _Draft) -> None:
    name = "occ_" + draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6))
    d.pairs.insert(draw(st.integers(0, len(d.pairs))), _Pair(name, draw(_TEXT)))
    d.notes.append(f"an unknown parameter {name}")


def _needless(draw: _Draw, d: _Draft) -> None:
    """RFC 6749 Appendix B reverses the encoding, so an escape where none is needed decodes the same."""
    if not d.pairs or d.json_body:
        return
    pair = draw(st.sampled_from(d.encodable()))
    of_name = draw(st.booleans())
    text = pair.name if of_name else pair.value
    positions = [i for i, c in enumerate(text) if c in _UNRESERVED]
    if not positions:
        return
    chosen = draw(st.sets(st.sampled_from(positions), min_size=1, max_size=4))
    hex_format = "%{:02x}" if draw(st.booleans()) else "%{:02X}"
    wire = b"".join(hex_format.format(ord(c)).encode() if i in chosen else _enc(c) for i, c in enumerate(text))
    where = ", ".join(_ordinal(i + 1) for i in sorted(chosen))
    _rewire(d, pair, of_name, wire, f"the {where} character{'s' if len(chosen) > 1 else ''} percent-encoded, "
                                    "where no encoding is needed")


_WRONG = ("double", "truncated", "not-hex", "not-utf8", "latin1", "raw")


def _wrong(draw: _Draw, d: _Draft) -> None:
    """Escapes the media type does not allow, or that do not decode to what was meant."""
    if not d.pairs or d.json_body:
        return
    pair = draw(st.sampled_from(d.encodable()))
    of_name = draw(st.booleans())
    text = pair.name if of_name else pair.value
    kind = draw(st.sampled_from(_WRONG))
    i = draw(st.integers(0, len(text)))
    head, tail = _enc(text[:i]), _enc(text[i:])
    ascii_at = [j for j, c in enumerate(text) if c.isascii()]
    if kind == "double" and ascii_at:
        j = draw(st.sampled_from(ascii_at))
        wire = _enc(text[:j]) + f"%25{ord(text[j]):02X}".encode() + _enc(text[j + 1:])
        told = f"its {_ordinal(j + 1)} character percent-encoded twice (%25 and its hex)"
    elif kind == "truncated":
        wire, told = _enc(text) + b"%4", "a truncated escape (%4) at its end"
    elif kind == "not-hex":
        wire, told = head + b"%G1" + tail, f"a non-hex escape (%G1) after its {_ordinal(i)} character"
    elif kind == "not-utf8":
        wire, told = head + b"%FF" + tail, f"the octet %FF (never UTF-8) after its {_ordinal(i)} character"
    elif kind == "latin1":
        wire, told = head + b"%E9" + tail, f"'é' encoded as Latin-1 (%E9), not UTF-8, after its {_ordinal(i)} character"
    else:
        wire = head + "é".encode() + tail
        told = f"'é' as raw UTF-8 bytes (\\xC3\\xA9, not percent-encoded) after its {_ordinal(i)} character"
    _rewire(d, pair, of_name, wire, told)


def _rewire(d: _Draft, pair: _Pair, of_name: bool, wire: bytes, told: str) -> None:
    """Send ``pair``'s name or value as ``wire`` instead, noted as ``told``; a secret's wire form is one
    more value derived from it, for the redactor."""
    label = f"{pair.name} (the name)" if of_name else pair.name
    d.notes.append(f"{label}: {told}")
    if of_name:
        pair.wire_name = wire
    else:
        pair.wire_value = wire
        if pair.secret:
            d.derived.append(wire.decode("utf-8", "replace"))


def _non_ascii(draw: _Draw, d: _Draft) -> None:
    """Non-ASCII in a value other than the credentials' (the client id has its own, ``_client_id_presented``)."""
    target = draw(st.sampled_from(("scope", "grant_type", "occ_text")))
    c = draw(st.sampled_from(_NON_ASCII))
    existing = d.named(target)
    if target == "grant_type" and existing:
        existing[0].set_value(existing[0].value + c)
        d.notes.append(f"grant_type: client_credentials followed by {_char(c)}")
        return
    name = "occ_text" if target == "occ_text" else "scope"
    value = c if name == "occ_text" else draw(st.sampled_from(_SCOPES)) + c
    d.pairs.insert(draw(st.integers(0, len(d.pairs))), _Pair(name, value))
    d.notes.append(f"{name}: a value with {_char(c)}")


def _long(draw: _Draw, d: _Draft) -> None:
    """A value over 1,000 characters. Unrecognized parameters keep short values: refusing a long one
    breaks RFC 6749 §3.2's "MUST ignore unrecognized request parameters", a requirement of its own."""
    n = draw(st.integers(1001, 1600))
    target = draw(st.sampled_from(("scope", "grant_type")))
    existing = d.named(target)
    if existing and target == "grant_type":
        existing[0].set_value("client_credentials" + "x" * n, f"client_credentials<{n:,} × 'x'>")
        d.notes.append(f"grant_type: client_credentials followed by {n:,} × 'x'")
    else:
        d.pairs.insert(draw(st.integers(0, len(d.pairs))), _Pair("scope", "a" * n))
        d.notes.append(f"scope: {n:,} × 'a'")


_METHODS: tuple[HttpMethod, ...] = ("GET", "PUT", "PATCH", "DELETE")


def _method(draw: _Draw, d: _Draft) -> None:
    method = draw(st.sampled_from(_METHODS))
    d.method = method
    plain = all(p.wire_name is None and p.wire_value is None for p in d.pairs) and not d.json_body
    if method == "GET" and plain and d.pairs and draw(st.booleans()):
        d.query, d.pairs, d.media = [*d.query, *d.pairs], [], None
        d.notes.append("method GET, the body's parameters in the query string")
    else:
        d.notes.append(f"method {method}")


def _basic_scheme(draw: _Draw, d: _Draft) -> None:
    """RFC 7235 §2.1: "It uses a case-insensitive token to identify the authentication scheme"."""
    if d.basic:
        d.basic_scheme = draw(st.sampled_from(("basic", "BASIC", "bAsIc")))
        d.notes.append(f"Authorization scheme written {d.basic_scheme!r}")


def _basic_encoding(draw: _Draw, d: _Draft) -> None:
    if not d.basic:
        return
    userinfo = f"{quote(d.client_id, safe='')}:{quote(d.secret, safe='')}"
    positions = [i for i, c in enumerate(userinfo) if c.isalnum() and c.isascii()]
    if not positions:
        return
    chosen = draw(st.sets(st.sampled_from(positions), min_size=1, max_size=4))
    d.basic_userinfo = "".join(f"%{ord(c):02X}" if i in chosen else c for i, c in enumerate(userinfo))
    d.derived.append(d.basic_userinfo)
    d.notes.append(f"Basic credentials: {len(chosen)} of their characters percent-encoded, where no encoding "
                   "is needed")


_ALTERATIONS = {
    "order": _order, "name-case": _name_case, "repeat-secret": _repeat_secret, "repeat": _repeat, "omit": _omit,
    "empty": _empty, "empty-extra": _empty_extra, "extra": _extra, "needless-encoding": _needless,
    "wrong-encoding": _wrong, "non-ascii": _non_ascii, "long": _long, "method": _method,
    "basic-scheme": _basic_scheme, "basic-encoding": _basic_encoding,
}
# What the valid forms may vary: RFC 6749 leaves each to the client.
_HARMLESS = ("order", "extra", "empty-extra", "needless-encoding", "basic-scheme")
# The one deviation of a deviant form, with these weights (a kind listed twice is drawn twice as
# often): the secret's changes weigh most, as a server that takes a changed secret gives its client away.
_DEVIATIONS = (
    "trailing-space", "trailing-space", "trailing-space", "leading-space", "leading-space", "leading-space",
    "inner-space", "inner-space", "case-flipped", "case-flipped", "case-flipped", "case-flipped", "case-flipped",
    "case-one", "case-one", "case-one", "truncated", "one-changed", "other-secret", "empty-secret", "long-secret",
    "non-ascii-id", "non-ascii-id", "non-ascii-id", "non-ascii-id", "non-ascii-id", "non-ascii-id", "long-id",
    "unknown-id", "other-id",
    "both", "both", "none", "query", "query_all", "id-alone",
    "repeat-secret", "repeat-secret", "repeat-secret", "repeat-secret", "repeat-secret", "repeat", "repeat",
    "omit", "name-case", "empty", "wrong-encoding", "wrong-encoding", "non-ascii", "long", "long", "method", "method",
    "json", "no-media", "basic-encoding",
)
_PRESENTATION = _SECRET_KINDS | _ID_KINDS | _STYLE_KINDS | _MEDIA_KINDS.keys()
_KINDS = tuple(sorted((set(_DEVIATIONS) - _PRESENTATION) | set(_HARMLESS)))


def _json_text(pairs: Sequence[_Pair]) -> bytes:
    # Written member by member, so that a repeated parameter stays repeated.
    members = ", ".join(f"{json.dumps(p.name)}: {json.dumps(p.value)}" for p in pairs)
    return ("{" + members + "}").encode()


def _finish(d: _Draft) -> TokenRequestVariant:
    headers: list[tuple[str, str]] = []
    steps = [f"{d.method} to the token endpoint" + (
        f", query string parameters: {'; '.join(p.display() for p in d.query)}" if d.query else "")]
    steps.append(f"Content-Type: {d.media}" if d.media is not None else "no Content-Type header")
    if d.media is not None:
        headers.append(("Content-Type", d.media))
    if d.basic:
        userinfo = d.basic_userinfo or f"{quote(d.client_id, safe='')}:{quote(d.secret, safe='')}"
        token = base64.b64encode(userinfo.encode()).decode("ascii")
        headers.append(("Authorization", f"{d.basic_scheme} {token}"))
        d.derived += [token, f"{d.basic_scheme} {token}"]
        steps.append(f"Authorization: {d.basic_scheme} base64(<client_id>:<client_secret>), each part "
                     "form-urlencoded")
    else:
        steps.append("no Authorization header")
    steps.append(_STYLE_STEPS[d.style])
    if d.json_body:
        body = _json_text(d.pairs)
        steps.append("body: the JSON object {" + ", ".join(p.member() for p in d.pairs) + "}")
    else:
        body = b"&".join(p.wire() for p in d.pairs)
        steps.append(f"form body, in this order: {'; '.join(p.display() for p in d.pairs)}" if d.pairs
                     else "empty body")
    if d.reordered:
        steps.append("parameters in the order " + ", ".join(p.name for p in d.pairs))
    steps += d.notes
    for pair in (*d.pairs, *d.query):
        if pair.secret and pair.value:
            d.derived.append(pair.value)
    return TokenRequestVariant(
        method=d.method, query=tuple((p.name, p.value) for p in d.query), headers=tuple(headers), body=body,
        steps=tuple(steps), client=d.client, other=d.other, parameters=d.parameters,
        derived=tuple(dict.fromkeys(v for v in d.derived if v)),
    )


def token_request_variants(
    client: Client, other: Client | None = None, *, parameters: Mapping[str, str] | None = None,
) -> st.SearchStrategy[TokenRequestVariant]:
    """Variants of ``client``'s client-credentials token request; ``other`` lends its secret and id to
    some of them. ``parameters`` are those every token request of the target carries (a scope, an
    audience: ``IdentityClient.token_parameters``).

    A third are valid forms, varying only what RFC 6749 leaves to the client; the rest carry one
    deviation and at most one more alteration of any kind. Shrinks toward the plain valid request."""
    fixed = tuple((parameters or {}).items())

    @st.composite
    def variants(draw: _Draw) -> TokenRequestVariant:
        if draw(st.integers(0, 2)) == 0:
            kinds = draw(st.lists(st.sampled_from(_HARMLESS), max_size=2))
        else:
            kinds = [draw(st.sampled_from(_DEVIATIONS)), *draw(st.lists(st.sampled_from(_KINDS), max_size=1))]
        draft = _start(draw, client, other, fixed, kinds)
        for kind in kinds:
            if kind in _ALTERATIONS:
                _ALTERATIONS[kind](draw, draft)
        return _finish(draft)

    return variants()
