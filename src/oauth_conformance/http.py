"""The one HTTP client: every exchange with a server under test goes through here.

It applies the transport policy (no credentials over plain http except to loopback, TLS verification
on unless the user says otherwise), bounds every exchange in every dimension (a deadline over the whole
of it, a cap on the body as decoded, at most two stacked content codings: ``_bounds``), gives up on a
host that refused a connection or timed out repeatedly (``_cutoff``), and records each exchange,
redacted, as evidence for the report and for Allure, whatever its body.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx2

from oauth_conformance._bounds import (
    ACCEPT_ENCODING,
    MAX_RESPONSE_BYTES,
    MAX_STACKED_CODINGS,
    DeadlineExceededError,
    JsonDecodingError,
    Progress,
    ResponseTooLargeError,
    StackedEncodingsError,
    loads_json,
    read_body,
)
from oauth_conformance._cutoff import TIMEOUTS_BEFORE_CUT_OFF, Reachability, host_key
from oauth_conformance._loop import LoopThread
from oauth_conformance.errors import HostCutOffError, InsecureTransportError, TransportFailedError
from oauth_conformance.netutil import is_loopback
from oauth_conformance.redaction import REDACTOR

__all__ = [
    "DEADLINE_FACTOR",
    "MAX_RESPONSE_BYTES",
    "MAX_STACKED_CODINGS",
    "TIMEOUTS_BEFORE_CUT_OFF",
    "DeadlineExceededError",
    "EvidenceLog",
    "Exchange",
    "HttpClient",
    "JsonDecodingError",
    "ResponseTooLargeError",
    "StackedEncodingsError",
    "TransportPolicy",
    "exchange_id",
    "exchange_number",
    "json_object",
]

# How much of a body the evidence shows.
_EVIDENCE_BODY_CHARS = 4000
# httpx2's timeout bounds each phase (connect, each read, each write); a server trickling bytes never
# trips it, so the whole exchange also has a deadline of this many timeouts.
DEADLINE_FACTOR = 3


@dataclass(frozen=True)
class Exchange:
    """One request and its response (or transport error), already redacted."""

    id: str
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: str
    status: int | None
    response_headers: list[tuple[str, str]]
    response_body: str
    elapsed_ms: float
    error: str | None = None
    test: str | None = None

    @property
    def summary(self) -> str:
        outcome = str(self.status) if self.status is not None else f"error: {self.error}"
        return f"{self.id} {self.method} {self.url} → {outcome}"

    def as_text(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{k}: {v}" for k, v in self.request_headers]
        if self.request_body:
            lines += ["", self.request_body]
        lines.append("")
        if self.status is None:
            lines.append(f"(no response: {self.error})")
        else:
            lines.append(f"HTTP {self.status}  ({self.elapsed_ms:.0f} ms)")
            lines += [f"{k}: {v}" for k, v in self.response_headers]
            if self.response_body:
                lines += ["", self.response_body]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "test": self.test,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "request": {"headers": self.request_headers, "body": self.request_body},
            "response": {"headers": self.response_headers, "body": self.response_body},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        """The exchange ``as_dict`` wrote (sent by a pytest-xdist worker, read from evidence.jsonl)."""
        request, response = data["request"], data["response"]
        return cls(
            id=str(data["id"]),
            method=str(data["method"]),
            url=str(data["url"]),
            request_headers=[(str(k), str(v)) for k, v in request["headers"]],
            request_body=str(request["body"]),
            status=data["status"],
            response_headers=[(str(k), str(v)) for k, v in response["headers"]],
            response_body=str(response["body"]),
            elapsed_ms=float(data["elapsed_ms"]),
            error=data["error"],
            test=data["test"],
        )


def exchange_number(exchange_id: str) -> int:
    """E12 → 12: evidence IDs in the order they were made."""
    return int(exchange_id.removeprefix("E"))


@dataclass
class EvidenceLog:
    """Every exchange of the run, in order; listeners (Allure, the current test) see each as it lands."""

    exchanges: list[Exchange] = field(default_factory=list)
    listeners: list[Callable[[Exchange], None]] = field(default_factory=list)
    current_test: str | None = None
    # Every exchange added so far, held back ones included: what a request budget counts.
    sent: int = 0
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # While a search runs, its exchanges wait here, by ID, unredacted and unrendered: it keeps only those its
    # findings cite (``release``), and rendering each of thousands only to drop it cost seconds.
    _held: list[tuple[str, Callable[[], Exchange]]] | None = None

    def number_from(self, start: int, step: int) -> None:
        """Number exchanges start, start + step, ...: each pytest-xdist worker of a run takes every
        step-th number, so an evidence ID names one exchange in the whole run and needs no renumbering
        in the findings, the Allure attachments and evidence.jsonl."""
        with self._lock:
            if self.exchanges:
                raise RuntimeError("evidence is numbered before the first exchange")
            self._counter = itertools.count(start, step)

    def merge(self, exchanges: Iterable[Exchange]) -> None:
        """Add exchanges another process of the run made, keeping the log in the order of their IDs."""
        with self._lock:
            self.exchanges = sorted([*self.exchanges, *exchanges], key=lambda e: exchange_number(e.id))

    def next_id(self) -> str:
        with self._lock:
            return f"E{next(self._counter)}"

    @property
    def last_id(self) -> str | None:
        """The newest exchange: the evidence for a check made from what an adapter call just read."""
        with self._lock:
            # While exchanges are held back, the newest is among them.
            if self._held:
                return self._held[-1][0]
            return self.exchanges[-1].id if self.exchanges else None

    def add(self, exchange: Exchange) -> None:
        self.add_lazily(exchange.id, lambda: exchange)

    def add_lazily(self, exchange_id: str, render: Callable[[], Exchange]) -> None:
        """Add the exchange ``render`` makes (redacted, as every exchange is): at once, or, while exchanges
        are held back, only if ``release`` keeps it."""
        with self._lock:
            self.sent += 1
            if self._held is not None:
                self._held.append((exchange_id, render))
                return
        self._append(render())

    def _append(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)
        for listener in list(self.listeners):
            listener(exchange)

    def hold(self) -> None:
        """Hold back the exchanges from now on: a search sends hundreds of requests, and its reports need
        only the few its findings rest on."""
        with self._lock:
            if self._held is not None:
                raise RuntimeError("the evidence is already held")
            self._held = []

    def release(self, keep: Iterable[str]) -> int:
        """Stop holding: the held exchanges named in ``keep`` join the log (its listeners see them), the
        others are dropped; how many were dropped. Their IDs stay unused, so the log has gaps there."""
        wanted = set(keep)
        with self._lock:
            held, self._held = self._held or [], None
        kept = [render for exchange_id, render in held if exchange_id in wanted]
        for render in kept:
            self._append(render())  # counted once already, when it was held
        return len(held) - len(kept)


@dataclass(frozen=True)
class TransportPolicy:
    timeout: float = 10.0
    # True, False, or a CA bundle path.
    verify: bool | str = True


def _carries_credentials(headers: httpx2.Headers, body: bytes) -> bool:
    if "authorization" in headers or "cookie" in headers:
        return True
    lowered = body.lower()
    return any(marker in lowered for marker in (b"client_secret", b"password", b"clientsecret"))


def _decode_body(content: bytes, content_type: str) -> str:
    if not content:
        return ""
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type:
        # Shown re-serialised when it parses; as sent when it does not, or nests too deep to write back.
        with contextlib.suppress(ValueError, RecursionError):
            text = json.dumps(loads_json(text), ensure_ascii=False)
    # Redact before cutting: a secret straddling the cut would escape the patterns.
    text = REDACTOR.text(text)
    if len(text) > _EVIDENCE_BODY_CHARS:
        text = text[:_EVIDENCE_BODY_CHARS] + f"… ({len(content)} bytes)"
    return text


def json_object(response: httpx2.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one (empty, HTML, an array, garbage, invalid
    UTF-8, nested too deep to parse)."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


class _Response(httpx2.Response):
    """What the client returns: an httpx2.Response whose ``json()`` fails only with a ValueError, as its
    callers expect (a body nested too deep raises RecursionError from the parser)."""

    def json(self, **kwargs: Any) -> Any:
        try:
            return super().json(**kwargs)
        except RecursionError:
            raise JsonDecodingError("JSON nested too deep to decode") from None


class HttpClient:
    """httpx2 with evidence capture, redaction, bounds and the transport policy.

    Synchronous to its callers; each exchange runs on the client's own event loop (``_loop``), where
    the whole-exchange deadline can abandon it at any point.
    """

    def __init__(self, policy: TransportPolicy, evidence: EvidenceLog) -> None:
        self.policy = policy
        self.evidence = evidence
        # A CA bundle path becomes an SSL context: httpx2 deprecates verify=<path>.
        verify = ssl.create_default_context(cafile=policy.verify) if isinstance(policy.verify, str) else policy.verify
        self._client = httpx2.AsyncClient(
            timeout=policy.timeout, verify=verify, follow_redirects=False, headers={"Accept-Encoding": ACCEPT_ENCODING},
            # No connection is reused. A server that sends more than its Content-Length leaves the rest in
            # the connection's buffer, where the next request on it takes it for its own answer: a forged
            # token response would then be the "answer" to a later token request. Neither httpx2 nor httpcore2
            # looks for bytes left over once a response is complete, so a connection serves one exchange.
            limits=httpx2.Limits(max_keepalive_connections=0),
        )
        self._loop = LoopThread("http-client")
        self._closed = False
        # Hosts that refused a connection or timed out repeatedly: later requests fail at once, so an
        # unreachable or silent target costs a few timeouts per run, not one per exchange.
        self._reachability = Reachability()

    @property
    def deadline(self) -> float:
        """Seconds one exchange may take in all: connecting, sending, the response headers and the body."""
        return DEADLINE_FACTOR * self.policy.timeout

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._loop.run(self._client.aclose())
        self._loop.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        cookies: httpx2.Cookies | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        """Send one request and record it. Transport failures raise TransportFailedError (an ERROR);
        a request to a host cut off earlier in the run raises HostCutOffError at once."""
        request = self._client.build_request(method, url, headers=headers, cookies=cookies, **kwargs)
        parts = urlsplit(url)
        if parts.scheme == "http" and not is_loopback(parts.hostname or "") and _carries_credentials(
            request.headers, request.content
        ):
            raise InsecureTransportError(
                f"refusing to send credentials over plain http to {parts.hostname}; use https "
                "(plain http is allowed only to loopback)"
            )
        exchange_id = self.evidence.next_id()
        host = host_key(parts)
        cut_off = self._reachability.cut_off(host)
        if cut_off is not None:
            message = f"not sent: {cut_off.describe()}"
            self._record(exchange_id, request, None, 0.0, message)
            raise HostCutOffError(f"{method} {REDACTOR.text(url)}: {message}", exchange_id,
                                  host=host, reason=cut_off.describe())
        started = time.perf_counter()
        try:
            response = self._loop.run(self._exchange(request, self.deadline))
        except httpx2.HTTPError as error:
            elapsed = (time.perf_counter() - started) * 1000
            message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            self._reachability.failed(host, error, message)
            self._record(exchange_id, request, None, elapsed, message)
            raise TransportFailedError(
                f"{method} {REDACTOR.text(url)} failed after {elapsed:.0f} ms: {REDACTOR.text(message)}",
                exchange_id,
            ) from error
        self._reachability.answered(host)
        self._record(exchange_id, request, response, (time.perf_counter() - started) * 1000, None)
        response.extensions["exchange_id"] = exchange_id
        return response

    async def _exchange(self, request: httpx2.Request, budget_s: float) -> httpx2.Response:
        """One exchange within ``budget_s`` in all, its body decoded within the bounds."""
        progress = Progress()
        try:
            async with asyncio.timeout(budget_s):
                streamed = await self._client.send(request, stream=True)
                try:
                    content = await read_body(streamed, progress)
                finally:
                    await streamed.aclose()
        except TimeoutError:
            so_far = f", {progress.body_bytes} bytes of it read" if progress.phase == "reading the body" else ""
            raise DeadlineExceededError(
                f"exchange not complete within {budget_s:g} s ({DEADLINE_FACTOR} x the timeout), "
                f"while {progress.phase}{so_far}",
                request=request,
            ) from None
        finally:
            # Cookies belong to whoever asked for them (the adapter's admin session), never to every later
            # request: a Bearer probe that also carried the admin's cookies would test the admin's rights.
            self._client.cookies.clear()
        # The body is decoded already: built without its Content-Encoding (so that httpx2 does not decode
        # it again), the response then gets its headers back as they were received.
        as_decoded = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() != "content-encoding"]
        response = _Response(streamed.status_code, headers=as_decoded, content=content, request=request,
                             extensions=dict(streamed.extensions))
        response.headers = streamed.headers
        return response

    def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx2.Response:
        return self.request("POST", url, **kwargs)

    def _record(
        self,
        exchange_id: str,
        request: httpx2.Request,
        response: httpx2.Response | None,
        elapsed_ms: float,
        error: str | None,
    ) -> None:
        test = self.evidence.current_test

        def render() -> Exchange:
            return Exchange(
                id=exchange_id,
                method=request.method,
                url=REDACTOR.text(str(request.url)),
                request_headers=REDACTOR.headers(request.headers.multi_items()),
                request_body=_decode_body(request.content, request.headers.get("content-type", "")),
                status=response.status_code if response is not None else None,
                response_headers=REDACTOR.headers(response.headers.multi_items()) if response else [],
                response_body=(
                    _decode_body(response.content, response.headers.get("content-type", "")) if response else ""
                ),
                elapsed_ms=elapsed_ms,
                error=error,
                test=test,
            )

        # Rendered (decoded, redacted) when it joins the log: at once, or not at all for a held exchange no
        # finding cites.
        self.evidence.add_lazily(exchange_id, render)


def exchange_id(response: httpx2.Response) -> str | None:
    """The evidence ID of the exchange that produced this response."""
    value = response.extensions.get("exchange_id")
    return value if isinstance(value, str) else None
