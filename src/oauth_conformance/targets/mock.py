"""The ``mock`` target: start the bundled mock and drive it through the same Creatio adapter."""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import tempfile
from pathlib import Path

from oauth_conformance.http import HttpClient
from oauth_conformance.mock import MockOptions, start_mock
from oauth_conformance.mock.tls import issue_loopback_tls
from oauth_conformance.settings import Settings
from oauth_conformance.targets import CreatioEnvironment
from oauth_conformance.targets.creatio import CreatioAdapter, CreatioConnection
from oauth_conformance.targets.identity import IdentityClient

__all__ = ["open_mock_environment", "with_mock_tls"]


def with_mock_tls(settings: Settings) -> Settings:
    """With ``--mock-tls``, issue the mock's certificate files and make the run trust their CA.

    Done before anything opens a connection, so the one HTTP client of the run verifies the mock's
    chain and host name like any other server's; the files go when the process ends.
    """
    if settings.target != "mock" or not settings.mock_tls:
        return settings
    folder = Path(tempfile.mkdtemp(prefix="oauth-conformance-tls-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    files = issue_loopback_tls(folder)
    return dataclasses.replace(settings, tls_verify=str(files.ca), mock_tls_files=files)


def open_mock_environment(settings: Settings, http: HttpClient) -> CreatioEnvironment:
    options = MockOptions(
        profile=settings.mock_profile,  # type: ignore[arg-type]
        deactivation=settings.mock_deactivation,  # type: ignore[arg-type]
        path_style=settings.mock_path_style,  # type: ignore[arg-type]
        defects=settings.mock_defects,
        tls=settings.mock_tls_files,
    )
    servers = start_mock(options)
    connection = CreatioConnection(
        site_url=servers.creatio_url,
        identity_url=servers.identity_url,
        # "auto" on purpose: every mock run exercises the adapter's path-style detection.
        path_style="auto",
        admin_user=servers.admin_user,
        admin_password=servers.admin_password,
        tech_user=servers.seed.technical_user_name,
        allowed_entity=servers.seed.allowed_entity,
        denied_entity=servers.seed.denied_entity,
    )
    defects = f", defects: {', '.join(sorted(options.defects))}" if options.defects else ""
    return CreatioEnvironment(
        kind="mock",
        description=f"bundled mock ({options.profile} profile, {options.deactivation} deactivation{defects})",
        connection=connection,
        adapter=CreatioAdapter(http, connection),
        identity=IdentityClient(http, servers.identity_url),
        mock=servers,
    )
