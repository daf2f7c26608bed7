"""Waivers: applied while valid, counted again once expired, reported when stale; bad files named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from oauth_conformance.catalogue import Level, load_catalogue
from oauth_conformance.errors import SettingsError
from oauth_conformance.verdicts import Verdict
from oauth_conformance.verdicts.waivers import Waiver, apply_waivers, load_waivers

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 28)


def _waiver(rid: str, expires: dt.date = dt.date(2027, 1, 1)) -> Waiver:
    return Waiver(rid, "known deviation", expires, "test")


def test_valid_waiver_turns_fail_and_warn_into_waived() -> None:
    verdicts, outcomes = apply_waivers({"A": Verdict.FAIL, "B": Verdict.WARN}, [_waiver("A"), _waiver("B")], TODAY)
    assert verdicts == {"A": Verdict.WAIVED, "B": Verdict.WAIVED}
    assert [o.status for o in outcomes] == ["applied", "applied"]


def test_expired_waiver_no_longer_applies() -> None:
    verdicts, outcomes = apply_waivers({"A": Verdict.FAIL}, [_waiver("A", dt.date(2026, 11, 27))], TODAY)
    assert verdicts["A"] is Verdict.FAIL and outcomes[0].status == "expired"


def test_waiver_of_a_passing_check_is_stale() -> None:
    verdicts, outcomes = apply_waivers({"A": Verdict.PASS}, [_waiver("A")], TODAY)
    assert verdicts["A"] is Verdict.PASS and outcomes[0].status == "stale"


def test_error_is_never_waived() -> None:
    verdicts, outcomes = apply_waivers({"A": Verdict.ERROR}, [_waiver("A")], TODAY)
    assert verdicts["A"] is Verdict.ERROR and outcomes[0].status == "not run"


def test_creatio_waivers_load_and_cite_the_reference() -> None:
    waivers = load_waivers((ROOT / "profiles" / "creatio.toml",), load_catalogue())
    assert len(waivers) >= 9
    assert all("creatio-oauth.md" in w.reason or "requirements.md" in w.reason for w in waivers)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[waiver]]\nid = "NOPE"\nreason = "x"\nexpires = 2027-01-01\n', r"id 'NOPE' is not a catalogue requirement"),
        ('[[waiver]]\nid = "RFC6749-5.1-pragma"\nreason = ""\nexpires = 2027-01-01\n', r"reason is empty"),
        ('[[waiver]]\nid = "RFC6749-5.1-pragma"\nreason = "r"\nexpires = "soon"\n', r"expires must be a date"),
        ("[[waiver]\n", r"not valid TOML"),
    ],
)
def test_bad_waiver_files_are_named(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "w.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=expected):
        load_waivers((path,), load_catalogue())


def test_oidf_profile_relaxes_its_two_knobs() -> None:
    catalogue = load_catalogue()
    for rid in ("RFC6749-5.2-invalid-client-401", "RFC6749-5.1-pragma"):
        assert catalogue[rid].level_for("rfc-strict") is Level.MUST
        assert catalogue[rid].level_for("oidf-compatible") is Level.SHOULD
