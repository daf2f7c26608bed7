"""What the HTTP client reads of a response, at most: the size cap on decoded bytes, the stacked content
codings it decodes, and JSON that can only fail as a decoding error.

httpx2 decodes a chunk of the wire in one call without a limit on its output, so a gzip bomb of 1 kB
inflates to hundreds of MiB before any cap can see it. Here every coding is inflated in pieces of at
most ``_PIECE`` bytes and pulled, piece by piece, through the stack, so reading stops within one piece
of the cap however much the wire would inflate to.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx2

__all__ = [
    "ACCEPT_ENCODING",
    "MAX_RESPONSE_BYTES",
    "MAX_STACKED_CODINGS",
    "ContentDecoder",
    "DeadlineExceededError",
    "JsonDecodingError",
    "Progress",
    "ResponseTooLargeError",
    "StackedEncodingsError",
    "loads_json",
    "read_body",
]

# A token response, a metadata document or a key set is a few kB: a hostile or broken server must not
# exhaust memory. Counted on the wire and once decoded.
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
# One coding is the norm and two are legal (RFC 9110 §8.4); a deeper stack has no use but to multiply
# a bomb's ratio, so it is refused rather than decoded.
MAX_STACKED_CODINGS = 2
# What the client asks for: only what it decodes here (httpx2 would also offer br and zstd whenever
# their packages happen to be installed, and those would reach the checks undecoded).
ACCEPT_ENCODING = "gzip, deflate"
_PIECE = 64 * 1024

Phase = Literal["connecting, sending or waiting for the response headers", "reading the body"]
Coding = Literal["gzip", "deflate", "identity"]
# RFC 9110 §8.4.1.3: a recipient SHOULD consider "x-gzip" to be equivalent to "gzip".
_CODINGS: dict[str, Coding] = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate", "identity": "identity"}


class ResponseTooLargeError(httpx2.TransportError):
    """The response body exceeded MAX_RESPONSE_BYTES, on the wire or once decoded."""


class StackedEncodingsError(httpx2.TransportError):
    """The response stacks more content codings than MAX_STACKED_CODINGS."""


class DeadlineExceededError(httpx2.TimeoutException):
    """The whole exchange (connecting, sending, the response headers and the body) took longer than its
    deadline, although no single read timed out."""


class JsonDecodingError(ValueError):
    """A body that is JSON but cannot be taken in: nested deeper than the interpreter can parse."""


class _Inflater:
    """One gzip or deflate layer, inflated at most ``_PIECE`` bytes per step."""

    def __init__(self, coding: Literal["gzip", "deflate"]) -> None:
        self._coding = coding
        # Deflate as sent is sometimes raw (no zlib header); httpx2 tries zlib first, then raw. So do we.
        wbits = 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(wbits)
        self._first = coding == "deflate"

    def feed(self, data: bytes) -> Iterator[bytes]:
        # Past the end of the stream zlib would keep every further byte in unused_data: a stream of "{}"
        # followed by an endless tail must cost nothing. httpx2 ignores such a tail too.
        while not self._inflate.eof:
            try:
                out = self._inflate.decompress(data, _PIECE)
            except zlib.error as error:
                if self._first:
                    self._first = False
                    self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise httpx2.DecodingError(f"{self._coding}: {error}") from error
            self._first = False
            data = self._inflate.unconsumed_tail
            if out:
                yield out
            # A full piece may leave output pending with all the input consumed: then ask again.
            if not data and len(out) < _PIECE:
                return

    def finish(self) -> Iterator[bytes]:
        try:
            rest = self._inflate.flush()
        except zlib.error as error:  # pragma: no cover - flush reports nothing that decompress did not
            raise httpx2.DecodingError(f"{self._coding}: {error}") from error
        if rest:
            yield rest


class ContentDecoder:
    """The response's Content-Encoding undone, layer by layer, in bounded pieces."""

    def __init__(self, codings: list[str]) -> None:
        """``codings`` in the order the header lists them, that is the order they were applied."""
        layered = [c for c in codings if c != "identity"]
        if len(layered) > MAX_STACKED_CODINGS:
            raise StackedEncodingsError(
                f"Content-Encoding {', '.join(codings)}: {len(layered)} stacked content codings, more than the "
                f"{MAX_STACKED_CODINGS} the suite decodes"
            )
        # A coding httpx2 does not know is left as it is, as httpx2 leaves it.
        self._stages = [
            _Inflater(known) for known in (_CODINGS.get(c) for c in reversed(layered)) if known in ("gzip", "deflate")
        ]

    @classmethod
    def for_response(cls, headers: httpx2.Headers) -> ContentDecoder:
        values = headers.get_list("content-encoding", split_commas=True)
        return cls([v.strip().lower() for v in values if v.strip()])

    def decode(self, raw: bytes) -> Iterator[bytes]:
        return self._through(0, [raw])

    def finish(self) -> Iterator[bytes]:
        for index, stage in enumerate(self._stages):
            yield from self._through(index + 1, stage.finish())

    def _through(self, index: int, pieces: Iterable[bytes]) -> Iterator[bytes]:
        # Generators all the way down: the last layer asks the one before it for more only when it has
        # handed on what it had, so no layer ever holds more than a piece.
        if index == len(self._stages):
            yield from pieces
            return
        stage = self._stages[index]
        yield from self._through(index + 1, (out for piece in pieces for out in stage.feed(piece)))


@dataclass
class Progress:
    """How far one exchange got: what a deadline's message says."""

    phase: Phase = "connecting, sending or waiting for the response headers"
    body_bytes: int = 0


async def read_body(response: httpx2.Response, progress: Progress) -> bytes:
    """The decoded body of a streamed response, refused past MAX_RESPONSE_BYTES (wire or decoded)."""
    decoder = ContentDecoder.for_response(response.headers)
    body = bytearray()
    wire = 0

    def take(pieces: Iterator[bytes]) -> None:
        for piece in pieces:
            body.extend(piece)
            progress.body_bytes = len(body)
            if len(body) > MAX_RESPONSE_BYTES:
                raise ResponseTooLargeError(
                    f"HTTP {response.status_code}: response body larger than {MAX_RESPONSE_BYTES} bytes once decoded"
                )

    progress.phase = "reading the body"
    try:
        async for chunk in response.aiter_raw():
            wire += len(chunk)
            if wire > MAX_RESPONSE_BYTES:
                raise ResponseTooLargeError(
                    f"HTTP {response.status_code}: response body larger than {MAX_RESPONSE_BYTES} bytes on the wire"
                )
            take(decoder.decode(chunk))
        take(decoder.finish())
    except BaseException:
        # The traceback keeps this frame, and so the body, alive as long as the error is kept (pytest keeps
        # each test's): a run of refused bombs must not hold a cap's worth of memory per exchange.
        body.clear()
        raise
    return bytes(body)


def loads_json(content: bytes | str) -> Any:
    """``json.loads``, whose only failure is a ValueError: a body nested too deep for the parser raises
    RecursionError, which no caller of a JSON decoder expects."""
    try:
        return json.loads(content)
    except RecursionError:
        raise JsonDecodingError("JSON nested too deep to decode") from None
