"""The one HTTP client: every exchange with a server under test goes through here.

It applies the transport policy (no credentials over plain http except to loopback, TLS verification
on unless the user says otherwise), bounds every call with a timeout, and records each exchange,
redacted, as evidence for the report and for Allure.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from oauth_conformance.errors import InsecureTransportError, TransportFailedError
from oauth_conformance.netutil import is_loopback
from oauth_conformance.redaction import REDACTOR

__all__ = ["EvidenceLog", "Exchange", "HttpClient", "TransportPolicy", "exchange_id", "json_object"]

# How much of a body the evidence shows, and how much of a response the suite reads at all: a hostile
# or broken server must not exhaust memory.
_EVIDENCE_BODY_CHARS = 4000
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
# httpx's timeout bounds each phase (connect, each read); a body trickling in a byte at a time never
# trips it, so the whole exchange also has a deadline of this many timeouts.
_DEADLINE_FACTOR = 3


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


@dataclass
class EvidenceLog:
    """Every exchange of the run, in order; listeners (Allure, the current test) see each as it lands."""

    exchanges: list[Exchange] = field(default_factory=list)
    listeners: list[Callable[[Exchange], None]] = field(default_factory=list)
    current_test: str | None = None
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self) -> str:
        with self._lock:
            return f"E{next(self._counter)}"

    @property
    def last_id(self) -> str | None:
        """The newest exchange: the evidence for a check made from what an adapter call just read."""
        with self._lock:
            return self.exchanges[-1].id if self.exchanges else None

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)
        for listener in list(self.listeners):
            listener(exchange)


@dataclass(frozen=True)
class TransportPolicy:
    timeout: float = 10.0
    # True, False, or a CA bundle path.
    verify: bool | str = True


def _carries_credentials(headers: httpx.Headers, body: bytes) -> bool:
    if "authorization" in headers or "cookie" in headers:
        return True
    lowered = body.lower()
    return any(marker in lowered for marker in (b"client_secret", b"password", b"clientsecret"))


def _decode_body(content: bytes, content_type: str) -> str:
    if not content:
        return ""
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type:
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), ensure_ascii=False)
    # Redact before cutting: a secret straddling the cut would escape the patterns.
    text = REDACTOR.text(text)
    if len(text) > _EVIDENCE_BODY_CHARS:
        text = text[:_EVIDENCE_BODY_CHARS] + f"… ({len(content)} bytes)"
    return text


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one (empty, HTML, an array, garbage)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class ResponseTooLargeError(httpx.TransportError):
    """The response body exceeded MAX_RESPONSE_BYTES."""


class DeadlineExceededError(httpx.TimeoutException):
    """The whole exchange took longer than its deadline, although no single read timed out."""


class HttpClient:
    """httpx with evidence capture, redaction, timeouts and the transport policy."""

    def __init__(self, policy: TransportPolicy, evidence: EvidenceLog) -> None:
        self.policy = policy
        self.evidence = evidence
        # A CA bundle path becomes an SSL context: httpx deprecates verify=<path>.
        verify = ssl.create_default_context(cafile=policy.verify) if isinstance(policy.verify, str) else policy.verify
        self._client = httpx.Client(timeout=policy.timeout, verify=verify, follow_redirects=False)
        # Hosts that refused or timed out a connection: later requests fail at once with the same error,
        # so an unreachable target costs one timeout per run, not one per scenario.
        self._unreachable: dict[str, str] = {}

    def close(self) -> None:
        self._client.close()

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
        cookies: httpx.Cookies | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request and record it. Transport failures raise TransportFailedError (an ERROR)."""
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
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self._unreachable:
            message = f"not sent: {origin} was unreachable earlier in this run ({self._unreachable[origin]})"
            self._record(exchange_id, request, None, 0.0, message)
            raise TransportFailedError(f"{method} {REDACTOR.text(url)}: {message}", exchange_id)
        started = time.perf_counter()
        try:
            response = self._send_bounded(request, started, _DEADLINE_FACTOR * self.policy.timeout)
        except httpx.HTTPError as error:
            elapsed = (time.perf_counter() - started) * 1000
            message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
                self._unreachable[origin] = message
            self._record(exchange_id, request, None, elapsed, message)
            raise TransportFailedError(
                f"{method} {REDACTOR.text(url)} failed after {elapsed:.0f} ms: {REDACTOR.text(message)}",
                exchange_id,
            ) from error
        self._record(exchange_id, request, response, (time.perf_counter() - started) * 1000, None)
        response.extensions["exchange_id"] = exchange_id
        return response

    def _send_bounded(self, request: httpx.Request, started: float, budget_s: float) -> httpx.Response:
        streamed = self._client.send(request, stream=True)
        try:
            raw = bytearray()
            for chunk in streamed.iter_raw():
                raw += chunk
                if len(raw) > MAX_RESPONSE_BYTES:
                    raise ResponseTooLargeError(f"response body larger than {MAX_RESPONSE_BYTES} bytes")
                if time.perf_counter() - started > budget_s:
                    raise DeadlineExceededError(f"response not complete within {budget_s:g} s")
        finally:
            streamed.close()
            # Cookies belong to whoever asked for them (the adapter's admin session), never to every later
            # request: a Bearer probe that also carried the admin's cookies would test the admin's rights.
            self._client.cookies.clear()
        response = httpx.Response(
            streamed.status_code, headers=streamed.headers, content=bytes(raw), request=request,
            extensions=dict(streamed.extensions),
        )
        response.read()
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def _record(
        self,
        exchange_id: str,
        request: httpx.Request,
        response: httpx.Response | None,
        elapsed_ms: float,
        error: str | None,
    ) -> None:
        self.evidence.add(
            Exchange(
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
                test=self.evidence.current_test,
            )
        )


def exchange_id(response: httpx.Response) -> str | None:
    """The evidence ID of the exchange that produced this response."""
    value = response.extensions.get("exchange_id")
    return value if isinstance(value, str) else None
