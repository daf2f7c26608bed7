"""The mock over https: its own CA, a certificate that verifies for loopback, and plain http refused
unless a defect opens the port to it; the suite's creatio target runs against it with OAUTH_CA_BUNDLE."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from oauth_conformance.mock.tls import TlsFiles, issue_loopback_tls
from tests.selftest.suite_runner import run_suite

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_mock_tls")

DISCOVERY = "/.well-known/openid-configuration"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return issue_loopback_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def https_mock(tls: TlsFiles) -> Iterator[MockServers]:
    with start_mock(MockOptions(profile="compliant", tls=tls)) as servers:
        yield servers


def _trusting(tls: TlsFiles) -> httpx2.Client:
    return httpx2.Client(verify=ssl.create_default_context(cafile=str(tls.ca)), trust_env=False, timeout=10)


def test_the_mock_serves_https_that_verifies_with_its_ca(https_mock: MockServers, tls: TlsFiles) -> None:
    assert https_mock.identity_url.startswith("https://") and https_mock.creatio_url.startswith("https://")
    with _trusting(tls) as client:
        assert client.get(https_mock.identity_url + DISCOVERY).json()["issuer"] == https_mock.identity_url


def test_a_client_without_the_ca_does_not_trust_it(https_mock: MockServers) -> None:
    with pytest.raises(httpx2.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx2.get(https_mock.identity_url + DISCOVERY, trust_env=False)


def test_plain_http_on_the_https_port_gets_no_answer(https_mock: MockServers) -> None:
    with pytest.raises(httpx2.HTTPError):
        httpx2.get(https_mock.identity_url.replace("https://", "http://") + DISCOVERY, trust_env=False)


def test_the_plain_http_defect_opens_the_same_port_to_plain_http(tls: TlsFiles) -> None:
    options = MockOptions(profile="compliant", tls=tls, defects=frozenset({"plain-http-on-tls-port"}))
    with start_mock(options) as servers, _trusting(tls) as client:
        assert client.get(servers.identity_url + DISCOVERY).status_code == 200
        plain = httpx2.get(servers.identity_url.replace("https://", "http://") + DISCOVERY, trust_env=False)
        assert plain.status_code == 200


def test_the_creatio_target_runs_against_the_https_mock(https_mock: MockServers, tmp_path: Path) -> None:
    run = run_suite(tmp_path, "tests/conformance", env_file=https_mock.env())
    verdicts = run.verdicts()
    assert run.returncode == 0, run.stdout[-3000:]
    assert "ERROR" not in verdicts.values()
    # Over https the transport checks run instead of skipping as they do on plain-http loopback.
    assert verdicts["RFC6749-3.2-tls"] == "PASS" and verdicts["RFC6819-5.1.2-server-auth"] == "PASS"
