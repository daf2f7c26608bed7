"""The calibration servers: two independent OAuth 2.0 implementations, each with its own waiver file.

django-oauth-toolkit is built on oauthlib; Authlib is an implementation of its own. A verdict both
agree on comes from the standards rather than from one library's reading of them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from tools.childrun import ROOT

__all__ = ["SERVERS", "SERVER_NAMES", "CalibrationServer", "ServerName"]

ServerName = Literal["django-oauth-toolkit", "authlib"]
SERVER_NAMES: tuple[ServerName, ...] = get_args(ServerName)


def _dot() -> AbstractContextManager[dict[str, str]]:
    # Imported on use: each server module pulls in its own framework (Django, Flask).
    from .dot_server import running_dot_server

    return running_dot_server()


def _authlib() -> AbstractContextManager[dict[str, str]]:
    from .authlib_server import running_authlib_server

    return running_authlib_server()


@dataclass(frozen=True)
class CalibrationServer:
    name: ServerName
    # Its known deviations: each waiver names what the server sent and the code that decides it.
    waivers: Path
    # Starts the server and yields the suite's oauth-target settings while it runs.
    running: Callable[[], AbstractContextManager[dict[str, str]]]


SERVERS: dict[ServerName, CalibrationServer] = {
    "django-oauth-toolkit": CalibrationServer(
        "django-oauth-toolkit", ROOT / "profiles" / "calibration-django-oauth-toolkit.toml", _dot
    ),
    "authlib": CalibrationServer("authlib", ROOT / "profiles" / "calibration-authlib.toml", _authlib),
}
