"""The benchmark's latency proxy (bench/_latency_proxy.py) forwards every byte, in order, both ways; holds
what a client sends for at least its delay; and answers nothing until it knows where to forward."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import httpx2
import pytest

from bench._latency_proxy import LatencyProxy
from oauth_conformance.mock import MockOptions, start_mock


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(4096):
            self.request.sendall(data)


@pytest.fixture
def echo_url() -> Iterator[str]:
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo) as server:
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _receive(sock: socket.socket, size: int) -> bytes:
    received = b""
    while len(received) < size and (data := sock.recv(65536)):
        received += data
    return received


def test_chunks_arrive_whole_and_in_order(echo_url: str) -> None:
    chunks = [f"chunk {n:03d};".encode() * (n + 1) for n in range(60)]
    with LatencyProxy(0.01) as proxy:
        tunnel = proxy.tunnel()
        tunnel.point_at(echo_url)
        with _connect(tunnel.url) as sock:
            for chunk in chunks:
                sock.sendall(chunk)
            expected = b"".join(chunks)
            assert _receive(sock, len(expected)) == expected
            # The client's end of stream is forwarded too: the echo server closes, and so does the proxy.
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(1) == b""


def test_a_request_waits_at_least_the_delay(echo_url: str) -> None:
    with LatencyProxy(0.2) as proxy:
        tunnel = proxy.tunnel()
        tunnel.point_at(echo_url)
        with _connect(tunnel.url) as sock:
            started = time.monotonic()
            sock.sendall(b"ping")
            assert _receive(sock, 4) == b"ping"
            # A lower bound only: a slow machine can make the round trip longer, never shorter.
            assert time.monotonic() - started >= 0.2


def test_before_point_at_a_connection_is_closed_unanswered() -> None:
    with LatencyProxy(0.0) as proxy:
        tunnel = proxy.tunnel()
        with _connect(tunnel.url) as sock:
            # Nothing sent: a socket closed with unread bytes would reset the connection instead.
            assert sock.recv(1) == b""
        assert tunnel.connections == 1


def test_the_mock_behind_the_proxy_announces_and_answers_on_the_proxy() -> None:
    with LatencyProxy(0.0) as proxy:
        creatio, identity = proxy.tunnel(), proxy.tunnel()
        with start_mock(MockOptions(public_creatio_url=creatio.url, public_identity_url=identity.url)) as mock:
            creatio.point_at(mock.creatio_url)
            identity.point_at(mock.identity_url)
            with httpx2.Client(trust_env=False) as client:
                discovery = client.get(f"{identity.url}/.well-known/openid-configuration").json()
                assert discovery["token_endpoint"].startswith(identity.url)
                assert client.get(discovery["jwks_uri"]).json()["keys"]
        assert identity.connections >= 1


def test_point_at_needs_a_port() -> None:
    with LatencyProxy(0.0) as proxy, pytest.raises(ValueError, match="host:port"):
        proxy.tunnel().point_at("http://127.0.0.1")
