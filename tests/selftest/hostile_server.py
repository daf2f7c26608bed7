"""A hostile HTTP server on loopback: every answer, to every path, breaks the client in one chosen way.

With ``metadata=True`` the server publishes sound authorization server metadata at the well-known
URLs, pointing every endpoint at itself, and is hostile everywhere else: the suite then gets past
discovery and meets the behaviour at the token endpoint, the key set and the protected resource.

A raw-socket server, not an ASGI app: most of these behaviours (trickled or unfinished headers, a
body shorter than its Content-Length, bytes after the declared end, an endless stream of interim
responses) cannot be produced through a well-behaved HTTP server. One server serves one behaviour;
each accepted connection is handled in a daemon thread of its own, and ``stop`` ends them all.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import socket
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Literal, get_args

__all__ = ["BEHAVIOURS", "BOMB_DECODED_BYTES", "Behaviour", "HostileServer", "deflate_bomb", "gzip_bomb",
           "hostile_server"]

Behaviour = Literal[
    "gzip-bomb",  # Content-Encoding: gzip, gzip; about 1 kB on the wire, 512 MiB decoded
    "deflate-bomb",  # one layer: about 130 kB on the wire, 128 MiB decoded
    "stacked-encodings",  # a small JSON token response under three layers of gzip
    "corrupt-gzip",  # Content-Encoding: gzip on a body that is not gzip
    "trickled-headers",  # the status line, then one header byte per interval, for ever
    "trickled-body",  # complete headers, then one body byte per interval, for ever
    "never-answers",  # accepts the connection and the request, says nothing
    "empty-reply",  # accepts, reads the request, closes without a byte
    "closes-mid-headers",  # half a header block, then the connection is closed
    "garbage-status",  # something that is not HTTP at all
    "header-flood",  # an endless header block, sent as fast as the client reads
    "interim-flood",  # an endless stream of 102 Processing interim responses
    "deep-json",  # 200 application/json nested 100,000 levels deep
    "huge-json-string",  # 200 application/json with a 1 MB string: under the size cap
    "invalid-utf8",  # a token response whose bytes are not UTF-8
    "wrong-types",  # a token-shaped JSON object whose members all have the wrong types
    "content-length-short",  # Content-Length larger than the body, then the connection closes
    "content-length-smuggles",  # Content-Length shorter than the body: the rest is a forged 200 token response
    "bad-chunks",  # Transfer-Encoding: chunked with a chunk size that is not hex
    "infinite-chunked",  # an endless chunked body, as fast as the client reads
    "redirect-loop",  # 302 to the very URL requested
    "redirect-other-host",  # 307 to the same path on another listener (see ``sink``)
    "echo",  # 200 JSON echoing the request line, headers and body
    "html",  # 200 text/html, a login page
    "not-json",  # 200 application/json whose body is not JSON
]
BEHAVIOURS: tuple[Behaviour, ...] = get_args(Behaviour)

_MIB = 1 << 20
BOMB_DECODED_BYTES = 512 * _MIB
_DEFLATE_BOMB_BYTES = 128 * _MIB
# Poll interval of the accept loop and of every wait, so that ``stop`` ends all threads promptly.
_TICK_S = 0.05
_MAX_REQUEST_HEAD = 64 * 1024


@functools.cache
def _raw_deflate_of_zeros(mebibytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``mebibytes`` MiB of zeros, and its CRC-32, built in a fraction of the
    seconds compressing them would take.

    After a full flush the compressor starts afresh, so every MiB of zeros compresses to the same
    bytes: one block compressed once and repeated is a valid stream of the whole.
    """
    zeros = bytes(_MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    return block * mebibytes + end, crc


@functools.cache
def gzip_bomb() -> bytes:
    """gzip(gzip(512 MiB of zeros)): the body of ``gzip-bomb``."""
    deflated, crc = _raw_deflate_of_zeros(BOMB_DECODED_BYTES // _MIB)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no flags, mtime 0, max compression
    inner = header + deflated + struct.pack("<II", crc, BOMB_DECODED_BYTES & 0xFFFFFFFF)
    return gzip.compress(inner, 9, mtime=0)


@functools.cache
def deflate_bomb() -> bytes:
    """zlib-wrapped deflate of 128 MiB of zeros (Content-Encoding: deflate): the body of ``deflate-bomb``."""
    mebibytes = _DEFLATE_BOMB_BYTES // _MIB
    deflated, _ = _raw_deflate_of_zeros(mebibytes)
    adler = 1
    zeros = bytes(_MIB)
    for _ in range(mebibytes):
        adler = zlib.adler32(zeros, adler)
    return b"\x78\xda" + deflated + struct.pack(">I", adler)  # zlib header: deflate, 32 KiB window, level 9


def _response(status: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    head = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers)]
    if not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in headers):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def _json(body: object, status: str = "200 OK") -> bytes:
    return _response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                     json.dumps(body).encode())


_TOKEN = {"access_token": "hostile-token-never-valid", "token_type": "Bearer", "expires_in": 3600}


class _Request:
    """What the server read of one request: enough to answer it."""

    def __init__(self, head: bytes, body: bytes) -> None:
        self.head = head
        self.body = body
        lines = head.decode("latin-1").split("\r\n")
        self.method, self.target, _ = ([*lines[0].split(" ", 2), "", ""])[:3]
        self.headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                self.headers.append((name.strip(), value.strip()))

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class HostileServer:
    """One behaviour on one loopback port. ``requests`` keeps every request head it read, in order."""

    def __init__(self, behaviour: Behaviour, *, interval: float = 0.25, redirect_to: str | None = None,
                 metadata: bool = False) -> None:
        """``interval``: the pause between trickled bytes (keep it below the client's read timeout, so
        that only a whole-exchange deadline can end the exchange). ``redirect_to``: the origin
        ``redirect-other-host`` sends the client to. ``metadata``: publish sound metadata (above)."""
        self.behaviour = behaviour
        self.metadata = metadata
        self.interval = interval
        self.redirect_to = redirect_to
        self.requests: list[bytes] = []
        self.connections = 0
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(_TICK_S)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        # Built before the first request, so that building it never looks like a slow server.
        if behaviour == "gzip-bomb":
            gzip_bomb()
        elif behaviour == "deflate-bomb":
            deflate_bomb()
        self._accepting = threading.Thread(target=self._accept, name=f"hostile-{behaviour}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        self._accepting.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._accepting.join(timeout=5)
        self._listener.close()
        for thread in list(self._threads):
            thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(_TICK_S)
            buffered = b""
            # One connection may carry several requests (keep-alive) where the answer is framed.
            while not self._stopped.is_set():
                request, buffered = self._read_request(conn, buffered)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request.head)
                if self.metadata and request.method == "GET" and request.target.startswith("/.well-known/"):
                    conn.sendall(_json(self._metadata()))
                elif not self._answer(conn, request):
                    return

    def _metadata(self) -> dict[str, object]:
        base = self.url
        return {
            "issuer": base,
            "token_endpoint": f"{base}/connect/token",
            "jwks_uri": f"{base}/jwks",
            "introspection_endpoint": f"{base}/connect/introspect",
            "revocation_endpoint": f"{base}/connect/revocation",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "response_types_supported": ["token"],
        }

    def _read_request(self, conn: socket.socket, buffered: bytes) -> tuple[_Request | None, bytes]:
        data = buffered
        while b"\r\n\r\n" not in data:
            chunk = self._recv(conn)
            if not chunk or len(data) > _MAX_REQUEST_HEAD:
                return None, b""
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        request = _Request(head, b"")
        length = int(request.header("content-length") or 0)
        while len(rest) < length:
            chunk = self._recv(conn)
            if not chunk:
                return None, b""
            rest += chunk
        request.body = rest[:length]
        return request, rest[length:]

    def _recv(self, conn: socket.socket) -> bytes:
        while not self._stopped.is_set():
            try:
                return conn.recv(65536)
            except TimeoutError:
                continue
        return b""

    def _wait(self, seconds: float | None) -> bool:
        """Sleep (for ever when None) unless the server stops; True when it did not."""
        return not self._stopped.wait(seconds)

    def _trickle(self, conn: socket.socket, prefix: bytes, byte: bytes) -> None:
        conn.sendall(prefix)
        while self._wait(self.interval):
            conn.sendall(byte)

    def _flood(self, conn: socket.socket, prefix: bytes, pieces: Callable[[int], bytes]) -> None:
        conn.sendall(prefix)
        conn.settimeout(1.0)  # the client stops reading at its cap: then the send blocks, and ends here
        for index in itertools.count():
            if self._stopped.is_set():
                return
            conn.sendall(pieces(index))

    def _answer(self, conn: socket.socket, request: _Request) -> bool:
        """Answer one request; True when the connection may carry another."""
        kind = self.behaviour
        if kind == "never-answers":
            self._wait(None)
            return False
        if kind == "gzip-bomb":
            body = gzip_bomb()
            conn.sendall(_response("200 OK", [("Content-Type", "application/json"),
                                              ("Content-Encoding", "gzip, gzip")], body))
        elif kind == "deflate-bomb":
            conn.sendall(_response("200 OK", [("Content-Type", "application/json"),
                                              ("Content-Encoding", "deflate")], deflate_bomb()))
        elif kind == "stacked-encodings":
            body = json.dumps(_TOKEN).encode()
            for _ in range(3):
                body = gzip.compress(body, mtime=0)
            conn.sendall(_response("200 OK", [("Content-Type", "application/json"),
                                              ("Content-Encoding", "gzip, gzip, gzip")], body))
        elif kind == "corrupt-gzip":
            conn.sendall(_response("200 OK", [("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                                   b"this body is not gzip at all, whatever its header says"))
        elif kind == "trickled-headers":
            self._trickle(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Trickle: ", b"a")
            return False
        elif kind == "trickled-body":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            self._trickle(conn, head + b'{"access_token": "', b"a")
            return False
        elif kind == "empty-reply":
            return False
        elif kind == "closes-mid-headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: applica")
            return False
        elif kind == "garbage-status":
            conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n")
            return False
        elif kind == "header-flood":
            self._flood(conn, b"HTTP/1.1 200 OK\r\n", lambda i: f"X-Flood-{i}: {'a' * 1000}\r\n".encode())
            return False
        elif kind == "interim-flood":
            # Paced a little, so that a client looping over interim responses does not starve the machine.
            conn.sendall(b"HTTP/1.1 102 Processing\r\n\r\n")
            while self._wait(0.001):
                conn.sendall(b"HTTP/1.1 102 Processing\r\n\r\n")
            return False
        elif kind == "deep-json":
            depth = 100_000
            conn.sendall(_response("200 OK", [("Content-Type", "application/json")],
                                   b'{"a":' * depth + b"{}" + b"}" * depth))
        elif kind == "huge-json-string":
            conn.sendall(_json({"message": "A" * 1_000_000}))
        elif kind == "invalid-utf8":
            conn.sendall(_response("200 OK", [("Content-Type", "application/json; charset=utf-8")],
                                   b'{"access_token": "\xff\xfe\xc3\x28\xa0\xa1", "token_type": "Bearer",'
                                   b' "expires_in": 3600}'))
        elif kind == "wrong-types":
            conn.sendall(_json({"access_token": ["not", "a", "string"], "token_type": 7, "expires_in": "soon",
                                "scope": {"a": 1}, "error": 400, "error_description": [], "issuer": 12,
                                "token_endpoint": None, "jwks_uri": [], "keys": "none", "active": "yes"}))
        elif kind == "content-length-short":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                         b'{"access_token": "cut')
            return False
        elif kind == "content-length-smuggles":
            forged = _json(_TOKEN)
            conn.sendall(_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")],
                                   b"{}") + forged)
        elif kind == "bad-chunks":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"zz\r\n{}\r\n0\r\n\r\n")
            return False
        elif kind == "infinite-chunked":
            chunk = b"10000\r\n" + b"0" * 0x10000 + b"\r\n"
            self._flood(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              b"Transfer-Encoding: chunked\r\n\r\n", lambda _: chunk)
            return False
        elif kind == "redirect-loop":
            conn.sendall(_response("302 Found", [("Location", request.target)], b""))
        elif kind == "redirect-other-host":
            elsewhere = self.redirect_to or "http://127.0.0.2:9"
            conn.sendall(_response("307 Temporary Redirect", [("Location", elsewhere + request.target)], b""))
        elif kind == "echo":
            conn.sendall(_json({"method": request.method, "target": request.target,
                                "headers": dict(request.headers), "body": request.body.decode("latin-1")}))
        elif kind == "html":
            page = b"<!doctype html><html><body><form action=/login>Sign in</form></body></html>"
            conn.sendall(_response("200 OK", [("Content-Type", "text/html; charset=utf-8")], page))
        elif kind == "not-json":
            conn.sendall(_response("200 OK", [("Content-Type", "application/json")], b"OK, not JSON {"))
        return True


@contextmanager
def hostile_server(
    behaviour: Behaviour, *, interval: float = 0.25, metadata: bool = False
) -> Iterator[tuple[HostileServer, HostileServer]]:
    """The server of ``behaviour`` and a sink: another listener (an "other host" on another port) that
    ``redirect-other-host`` points at, and that nothing should ever reach."""
    with HostileServer("echo") as sink, HostileServer(
        behaviour, interval=interval, redirect_to=sink.url, metadata=metadata
    ) as server:
        yield server, sink
