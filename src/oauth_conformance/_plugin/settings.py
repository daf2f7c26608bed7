"""Subplugin: the suite's options, the env file, and the settings of the run (read once, at configure)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from oauth_conformance.errors import SettingsError
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.settings import SETTINGS, Settings, env_file_in, load_settings, option_value
from oauth_conformance.targets import TARGETS

__all__ = ["add_options", "configure", "override", "settings", "settings_of"]

_SETTINGS = pytest.StashKey[Settings]()


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("oauth-conformance")
    group.addoption("--env-file", metavar="PATH", help="settings file (default: .env in the project root, if any)")
    group.addoption("--waivers", action="append", metavar="PATH", help="waiver file; repeatable")
    group.addoption("--no-waivers", action="store_true", help="apply no waiver file")
    group.addoption(
        "--fail-on-regression", action="store_true",
        help="fail the gate when a requirement's verdict got worse than in --baseline (env OAUTH_FAIL_ON_REGRESSION)",
    )
    for setting in SETTINGS:
        if setting.option:
            group.addoption(
                setting.option,
                dest=setting.env.lower(),
                choices=setting.choices,
                help=f"{setting.help} (env {setting.env}, default {setting.default or 'unset'})",
            )


def _options(config: pytest.Config) -> dict[str, str | None]:
    values = {s.env: option_value(config.getoption(s.env.lower())) for s in SETTINGS if s.option}
    if config.getoption("fail_on_regression"):
        values["OAUTH_FAIL_ON_REGRESSION"] = "true"
    if config.getoption("no_waivers"):
        values["OAUTH_WAIVERS"] = "none"
    elif config.getoption("waivers"):
        values["OAUTH_WAIVERS"] = ",".join(config.getoption("waivers"))
    return values


def configure(config: pytest.Config) -> None:
    """Read the settings, then let the chosen target prepare what it needs before any connection opens.

    A wrong setting is a usage error (exit 4), one line naming the setting and what was expected.
    """
    env_file_option = config.getoption("env_file")
    env_file = Path(env_file_option) if env_file_option else env_file_in(config.rootpath)
    try:
        loaded = load_settings(_options(config), env_file=env_file)
        prepared = TARGETS[loaded.target].prepare(loaded)
    except SettingsError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[_SETTINGS] = prepared
    REDACTOR.register(prepared.admin_password)


def settings_of(config: pytest.Config) -> Settings:
    return config.stash[_SETTINGS]


def override(config: pytest.Config, **changes: Any) -> None:
    """Settings one process of the run holds differently (a pytest-xdist worker's share of the run)."""
    config.stash[_SETTINGS] = replace(settings_of(config), **changes)


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    return settings_of(pytestconfig)
