"""The HTTP client's bounds, against the hostile server itself: the size cap counts decoded bytes, deep
stacks of codings are refused, the deadline covers the whole exchange, a silent host is cut off, and
whatever the body, the exchange is in the evidence.

Durations are asserted only as "within three deadlines"; memory by counting what was inflated and by
tracemalloc's peak, never by wall time.
"""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx2
import pytest
from starlette.requests import Request
from starlette.responses import Response

from oauth_conformance._bounds import ContentDecoder
from oauth_conformance.errors import HostCutOffError, TransportFailedError
from oauth_conformance.http import (
    DEADLINE_FACTOR,
    MAX_RESPONSE_BYTES,
    TIMEOUTS_BEFORE_CUT_OFF,
    DeadlineExceededError,
    EvidenceLog,
    HttpClient,
    JsonDecodingError,
    ResponseTooLargeError,
    StackedEncodingsError,
    TransportPolicy,
    json_object,
)
from oauth_conformance.mock.routing import Router
from oauth_conformance.mock.serving import ServerThread
from tests.selftest.hostile_server import BOMB_DECODED_BYTES, Behaviour, HostileServer, deflate_bomb, gzip_bomb
from tests.unit.cases import Case

# tests/selftest/test_check_registry.py reads the canned cases of every unit module; this one decides no
# requirement, so it has none.
CASES: list[Case] = []

TIMEOUT_S = 0.5
DEADLINE_S = DEADLINE_FACTOR * TIMEOUT_S
# Between trickled bytes: well under the read timeout, so that only the deadline can end the exchange.
TRICKLE_S = 0.1


@pytest.fixture
def evidence() -> EvidenceLog:
    return EvidenceLog()


@pytest.fixture
def client(evidence: EvidenceLog) -> Iterator[HttpClient]:
    with HttpClient(TransportPolicy(timeout=TIMEOUT_S), evidence) as http:
        yield http


def _serving(behaviour: Behaviour, *, metadata: bool = False) -> HostileServer:
    return HostileServer(behaviour, interval=TRICKLE_S, metadata=metadata)


def _failure(client: HttpClient, url: str, method: str = "GET") -> TransportFailedError:
    with pytest.raises(TransportFailedError) as caught:
        client.request(method, url)
    return caught.value


# The size cap counts decoded bytes.


def test_a_gzip_bomb_is_inflated_no_further_than_the_cap() -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 2048 and BOMB_DECODED_BYTES == 512 * 1024 * 1024
    decoder = ContentDecoder(["gzip", "gzip"])
    inflated = 0
    for piece in decoder.decode(bomb):
        inflated += len(piece)
        if inflated > MAX_RESPONSE_BYTES:
            break
    # Stopping at the cap costs at most one more piece than the cap: the rest is never inflated.
    assert MAX_RESPONSE_BYTES < inflated <= MAX_RESPONSE_BYTES + 64 * 1024


@pytest.mark.parametrize("behaviour", ["gzip-bomb", "deflate-bomb"])
def test_a_compression_bomb_is_refused_within_the_cap(client: HttpClient, evidence: EvidenceLog,
                                                      behaviour: Behaviour) -> None:
    with _serving(behaviour) as server:
        server_bytes = gzip_bomb() if behaviour == "gzip-bomb" else deflate_bomb()
        tracemalloc.start()
        try:
            failure = _failure(client, f"{server.url}/token")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(failure.__cause__, ResponseTooLargeError)
    assert "once decoded" in str(failure)
    # Unbounded, the same exchange held 512 MiB (128 for deflate); bounded, a few times the cap.
    assert peak < 8 * MAX_RESPONSE_BYTES + len(server_bytes), peak
    assert evidence.exchanges[-1].error and "ResponseTooLargeError" in evidence.exchanges[-1].error


def test_an_endless_chunked_body_is_refused_at_the_cap_on_the_wire(client: HttpClient) -> None:
    with _serving("infinite-chunked") as server:
        failure = _failure(client, server.url)
    assert isinstance(failure.__cause__, ResponseTooLargeError)
    assert "on the wire" in str(failure)


# Stacked codings: two are decoded, more are refused.


def test_more_than_two_stacked_codings_are_refused_naming_them(client: HttpClient, evidence: EvidenceLog) -> None:
    with _serving("stacked-encodings") as server:
        failure = _failure(client, f"{server.url}/connect/token", "POST")
    assert isinstance(failure.__cause__, StackedEncodingsError)
    assert "Content-Encoding gzip, gzip, gzip: 3 stacked content codings" in str(failure)
    assert "3 stacked content codings" in (evidence.exchanges[-1].error or "")


@pytest.mark.parametrize(
    ("codings", "encode"),
    [
        (["gzip"], gzip.compress),
        (["x-gzip"], gzip.compress),
        (["gzip", "gzip"], lambda body: gzip.compress(gzip.compress(body))),
        (["deflate"], zlib.compress),
        # Raw deflate, without the zlib wrapper, as some servers send it.
        (["deflate"], lambda body: zlib.compress(body)[2:-4]),
        (["identity"], lambda body: body),
        (["gzip", "identity"], gzip.compress),
        # A coding httpx2 does not decode is left as it is, as httpx2 leaves it.
        (["compress"], lambda body: body),
    ],
)
def test_legal_codings_are_decoded(codings: list[str], encode: object) -> None:
    body = b'{"access_token": "' + b"t" * 300_000 + b'"}'
    assert callable(encode)
    decoder = ContentDecoder(codings)
    decoded = b"".join([*decoder.decode(encode(body)), *decoder.finish()])
    assert decoded == body


def test_a_body_that_is_not_what_its_coding_says_is_a_decoding_error(client: HttpClient) -> None:
    with _serving("corrupt-gzip") as server:
        failure = _failure(client, server.url)
    assert isinstance(failure.__cause__, httpx2.DecodingError)


def test_a_decoded_response_keeps_its_headers_as_received(client: HttpClient) -> None:
    token = b'{"access_token": "abc", "token_type": "Bearer"}'

    async def answer(request: Request) -> Response:
        return Response(gzip.compress(gzip.compress(token)), media_type="application/json",
                        headers={"Content-Encoding": "gzip, gzip"})

    server = ServerThread("gzip-twice", "127.0.0.1", 0)
    server.app = Router(not_found=answer)
    server.start()
    try:
        response = client.get(f"http://127.0.0.1:{server.port}/token")
    finally:
        server.stop()
    assert response.content == token
    assert json_object(response) == {"access_token": "abc", "token_type": "Bearer"}
    assert response.headers["content-encoding"] == "gzip, gzip"


# The deadline covers connecting, sending, the headers and the body.


@pytest.mark.parametrize(
    ("behaviour", "phase"),
    [
        ("trickled-headers", "waiting for the response headers"),
        ("interim-flood", "waiting for the response headers"),
        ("trickled-body", "while reading the body"),
    ],
)
def test_the_whole_exchange_ends_at_its_deadline(client: HttpClient, behaviour: Behaviour, phase: str) -> None:
    with _serving(behaviour) as server:
        started = time.monotonic()
        failure = _failure(client, server.url)
        elapsed = time.monotonic() - started
    assert isinstance(failure.__cause__, DeadlineExceededError)
    assert phase in str(failure)
    # Unbounded, trickled headers held the exchange for as long as the server went on (120 s and more).
    assert elapsed < 3 * DEADLINE_S, elapsed


# A host that times out repeatedly, or refuses connections, is cut off.


def test_a_silent_host_is_cut_off_after_consecutive_timeouts(client: HttpClient, evidence: EvidenceLog) -> None:
    with _serving("never-answers") as server:
        for _ in range(TIMEOUTS_BEFORE_CUT_OFF):
            failure = _failure(client, f"{server.url}/connect/token", "POST")
            assert isinstance(failure.__cause__, httpx2.ReadTimeout)
        later = [_failure(client, f"{server.url}/{path}") for path in ("jwks", "api/resource", "connect/token")]
        connections = server.connections
    # Each later request failed at once: it was never sent.
    assert connections == TIMEOUTS_BEFORE_CUT_OFF
    for failure in later:
        assert isinstance(failure, HostCutOffError)
        assert failure.host == f"127.0.0.1:{server.port}"
        assert f"after {TIMEOUTS_BEFORE_CUT_OFF} consecutive timeouts" in failure.reason
        assert f"127.0.0.1:{server.port} is cut off for the rest of the run" in str(failure)
    assert [e.error is not None and e.error.startswith("not sent") for e in evidence.exchanges] == [
        False] * TIMEOUTS_BEFORE_CUT_OFF + [True] * 3


def test_an_answer_between_timeouts_starts_the_count_again(client: HttpClient) -> None:
    with _serving("never-answers", metadata=True) as server:
        metadata = f"{server.url}/.well-known/openid-configuration"
        _failure(client, f"{server.url}/connect/token", "POST")
        assert client.get(metadata).status_code == 200
        _failure(client, f"{server.url}/connect/token", "POST")
        assert client.get(metadata).status_code == 200  # one timeout in a row, twice: not cut off
        for _ in range(TIMEOUTS_BEFORE_CUT_OFF):
            failure = _failure(client, f"{server.url}/connect/token", "POST")
            assert not isinstance(failure, HostCutOffError)
        with pytest.raises(HostCutOffError):
            client.get(metadata)


def test_a_host_that_refuses_connections_is_cut_off_at_once(client: HttpClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    first = _failure(client, f"http://127.0.0.1:{port}/token")
    assert isinstance(first.__cause__, httpx2.ConnectError)
    second = _failure(client, f"http://127.0.0.1:{port}/other")
    assert isinstance(second, HostCutOffError)
    assert "ConnectError" in second.reason and second.host == f"127.0.0.1:{port}"


def test_a_malformed_answer_does_not_cut_the_host_off(client: HttpClient) -> None:
    with _serving("closes-mid-headers") as server:
        for _ in range(TIMEOUTS_BEFORE_CUT_OFF + 2):
            failure = _failure(client, server.url)
            assert not isinstance(failure, HostCutOffError)
            assert isinstance(failure.__cause__, httpx2.RemoteProtocolError)


# Decoding a body fails only as a decoding error, and the exchange is evidence whatever its body.


def test_deeply_nested_json_is_not_an_object_and_is_recorded(client: HttpClient, evidence: EvidenceLog) -> None:
    with _serving("deep-json") as server:
        response = client.post(f"{server.url}/connect/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 200
    assert json_object(response) is None
    with pytest.raises(ValueError) as caught:
        response.json()
    assert isinstance(caught.value, JsonDecodingError)
    recorded = evidence.exchanges[-1]
    assert recorded.status == 200 and recorded.response_body.startswith('{"a":{"a":')


def test_json_object_of_any_response_survives_deep_nesting() -> None:
    canned = httpx2.Response(200, content=b"[" * 100_000 + b"]" * 100_000)
    assert json_object(canned) is None


@pytest.mark.parametrize("behaviour", ["invalid-utf8", "not-json", "html", "wrong-types"])
def test_a_body_that_is_no_token_response_is_recorded(client: HttpClient, evidence: EvidenceLog,
                                                      behaviour: Behaviour) -> None:
    with _serving(behaviour) as server:
        response = client.post(f"{server.url}/connect/token", data={"grant_type": "client_credentials"})
    body = json_object(response)
    assert body is None or not isinstance(body.get("access_token"), str)
    assert evidence.exchanges[-1].status == 200 and evidence.exchanges[-1].response_body


def test_a_huge_body_under_the_cap_is_recorded_cut_short(client: HttpClient, evidence: EvidenceLog) -> None:
    with _serving("huge-json-string") as server:
        response = client.get(server.url)
    assert len(response.content) > 900_000
    assert len(evidence.exchanges[-1].response_body) < 4100


@pytest.mark.parametrize(
    "behaviour", ["empty-reply", "closes-mid-headers", "garbage-status", "header-flood", "bad-chunks",
                  "content-length-short"]
)
def test_a_broken_answer_is_a_transport_error_in_the_evidence(client: HttpClient, evidence: EvidenceLog,
                                                              behaviour: Behaviour) -> None:
    with _serving(behaviour) as server:
        failure = _failure(client, server.url)
    assert isinstance(failure.__cause__, httpx2.RemoteProtocolError)
    assert failure.exchange_id == evidence.exchanges[-1].id and evidence.exchanges[-1].error


# The transport policy still holds.


def test_bytes_after_the_declared_length_are_never_taken_for_the_next_answer(client: HttpClient) -> None:
    with _serving("content-length-smuggles") as server:
        answers = [client.post(f"{server.url}/connect/token", data={"grant_type": "client_credentials"})
                   for _ in range(3)]
    # Each request its own connection: the forged token response behind the first answer is dropped with it.
    assert [json_object(a) for a in answers] == [{}, {}, {}]
    assert server.connections == 3


def test_a_redirect_to_another_host_is_not_followed(client: HttpClient) -> None:
    with HostileServer("echo") as sink, HostileServer("redirect-other-host", redirect_to=sink.url) as server:
        response = client.post(f"{server.url}/connect/token", data={"client_secret": "never-sent-elsewhere"})
    assert response.status_code == 307
    assert sink.requests == []
