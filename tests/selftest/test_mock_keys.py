"""The mock's keys, shared by the mocks of one run through the key file (mock/run_keys.py), and its tokens,
signed off the event loop (mock/signing.py) byte for byte as joserfc signs them.

The sharing is tested across processes for real: a mock started in this process and one started by a
child interpreter that inherits the variable publish the same key under kids of their own.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from oauth_conformance.mock.run_keys import KEY_FILE_ENV, prepare_key_file, rsa_key
from tests.selftest.mock_client import HTTP

JWKS = "/.well-known/openid-configuration/jwks"
CONCURRENT = 32

# A child interpreter's mock: it prints its signing key's modulus and kid.
_CHILD = textwrap.dedent("""
    import httpx2
    from oauth_conformance.mock import MockOptions, start_mock
    with start_mock(MockOptions()) as mock:
        jwks = httpx2.get(mock.identity_url + "/.well-known/openid-configuration/jwks", trust_env=False).json()
        print(jwks["keys"][0]["n"], jwks["keys"][0]["kid"])
""")


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run's key file, not written yet, named in this process's environment (and so its children's)."""
    path = tmp_path / "mock-keys.json"
    monkeypatch.setenv(KEY_FILE_ENV, str(path))
    return path


@pytest.fixture
def mock(key_file: Path) -> Iterator[MockServers]:
    with start_mock(MockOptions()) as servers:
        yield servers


def _signing_jwk(mock: MockServers) -> dict[str, Any]:
    key: dict[str, Any] = HTTP.get(mock.identity_url + JWKS).json()["keys"][0]
    return key


def _token(mock: MockServers) -> str:
    client = mock.seed.oauth_clients[0]
    answer = HTTP.post(mock.identity_url + "/connect/token", data={"grant_type": "client_credentials"},
                       auth=(client.client_id, client.client_secret))
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _api(mock: MockServers, token: str) -> int:
    url = f"{mock.creatio_url}{mock.options.app_prefix}/odata/{mock.seed.allowed_entity}"
    return HTTP.get(url, headers={"Authorization": f"Bearer {token}"}).status_code


def test_mocks_of_one_run_share_the_key_file_and_name_their_keys_apart(mock: MockServers, key_file: Path) -> None:
    """The first mock writes the key file (0600); a mock in a child process that inherits the variable
    loads it: the same modulus under another kid."""
    mine = _signing_jwk(mock)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "signing-2048" in json.loads(key_file.read_text(encoding="ascii"))
    child = subprocess.run([sys.executable, "-c", _CHILD], env=dict(os.environ), capture_output=True, text=True,
                           timeout=120, check=True)
    modulus, kid = child.stdout.split()
    assert modulus == mine["n"] and kid != mine["kid"]
    with start_mock(MockOptions()) as second:  # and a second mock of this process
        theirs = _signing_jwk(second)
        assert theirs["n"] == mine["n"] and theirs["kid"] != mine["kid"]
        # A token of one mock names a kid the other does not publish: its API refuses it.
        assert _api(second, _token(mock)) == 401
        assert _api(second, _token(second)) == 200


def test_keys_that_must_differ_stay_apart_when_shared(key_file: Path) -> None:
    """The stale key of "jwks-stale-key" and the duplicate of "duplicate-kid" are keys of their own roles."""
    with start_mock(MockOptions(defects=frozenset({"jwks-stale-key"}))) as stale:
        published = _signing_jwk(stale)["n"]
        assert _api(stale, _token(stale)) == 200  # the mock's Creatio verifies with the pinned current key
    with start_mock(MockOptions(defects=frozenset({"duplicate-kid"}))) as duplicate:
        first, second = HTTP.get(duplicate.identity_url + JWKS).json()["keys"]
        assert first["kid"] == second["kid"] and first["n"] != second["n"]
    assert published != first["n"]


def test_a_token_signed_off_the_loop_is_what_joserfc_signs_and_verifies_with_the_jwks(mock: MockServers) -> None:
    token = _token(mock)
    decoded = jwt.decode(token, KeySet.import_key_set(HTTP.get(mock.identity_url + JWKS).json()),
                         algorithms=["RS256"])
    assert list(decoded.header) == ["typ", "alg", "kid"] and decoded.header["typ"] == "at+jwt"
    # RS256 is deterministic: joserfc, given the same header, claims and key, writes the same token.
    key = RSAKey.import_key(rsa_key("signing-2048"))
    assert jwt.encode(decoded.header, dict(decoded.claims), key, algorithms=["RS256"]) == token


def test_tokens_signed_at_once_are_all_distinct_and_valid(mock: MockServers) -> None:
    """Token requests in flight together, their signatures in the signing pool: every token verifies,
    names a jti of its own and is served by the API."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(lambda _: _token(mock), range(CONCURRENT)))
        statuses = list(pool.map(lambda token: _api(mock, token), tokens))
    keys = KeySet.import_key_set(HTTP.get(mock.identity_url + JWKS).json())
    jtis = {jwt.decode(token, keys, algorithms=["RS256"]).claims["jti"] for token in tokens}
    assert len(jtis) == CONCURRENT and statuses == [200] * CONCURRENT


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def test_a_key_file_that_cannot_be_used_never_stops_a_mock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its folder gone: the mock starts on keys of its own. Not JSON: written anew. Readable by others:
    neither loaded nor replaced."""
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "gone" / "mock-keys.json"))
    with start_mock(MockOptions()) as mock:
        assert _api(mock, _token(mock)) == 200
    assert not (tmp_path / "gone").exists()

    torn = tmp_path / "torn.json"
    torn.write_text('{"signing-2048": "-----BEGIN', encoding="ascii")
    torn.chmod(0o600)
    monkeypatch.setenv(KEY_FILE_ENV, str(torn))
    with start_mock(MockOptions()) as mock:
        assert _api(mock, _token(mock)) == 200
    assert "signing-2048" in json.loads(torn.read_text(encoding="ascii"))

    planted = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps({"signing-2048": _pem(planted)}), encoding="ascii")
    shared.chmod(0o644)
    monkeypatch.setenv(KEY_FILE_ENV, str(shared))
    assert rsa_key("signing-2048").public_key().public_numbers() != planted.public_key().public_numbers()
    assert json.loads(shared.read_text(encoding="ascii")) == {"signing-2048": _pem(planted)}


def test_prepare_names_a_private_file_once_for_the_children(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_FILE_ENV, "")  # so that the variable prepare sets is undone after the test
    monkeypatch.delenv(KEY_FILE_ENV)
    path = prepare_key_file()
    assert os.environ[KEY_FILE_ENV] == str(path) and prepare_key_file() == path
    assert not path.exists() and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # The process that chose the folder removes it when it exits; this one is the test run, so tidy up now.
    path.parent.rmdir()


def test_tokens_of_the_signing_defects_are_still_what_they_claim(key_file: Path) -> None:
    """PS256 and a plain "JWT" typ come from the same signer; PS256 verifies with the published key."""
    with start_mock(MockOptions(defects=frozenset({"tokens-signed-ps256", "token-typ-jwt"}))) as mock:
        token = _token(mock)
        keys = KeySet.import_key_set(HTTP.get(mock.identity_url + JWKS).json())
        decoded = jwt.decode(token, keys, algorithms=["PS256"])
        assert decoded.header["alg"] == "PS256" and decoded.header["typ"] == "JWT"
        assert mock.sign_token({"sub": "x"}, typ="JWT").count(".") == 2
