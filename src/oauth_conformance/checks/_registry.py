"""The registry of checks: each a documented function registered under the one requirement ID it decides.

A check is pure: it looks only at the observation it is handed (responses, decoded tokens, measured
times) and returns an ``Outcome``. Which verdict a violation means is not its business: the catalogue's
level decides that (``verdicts``). Its docstring says which answers it accepts and why; the
observation type's docstring says what it looks at (both go into ``docs/checks.md``).
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from oauth_conformance.catalogue import load_catalogue
from oauth_conformance.checks._outcome import Outcome

__all__ = ["CHECKS", "Check", "Family", "check", "checks_in"]

Observed = TypeVar("Observed")


class Family(enum.StrEnum):
    """Checks that one shared Then step decides: the scenario's tags pick the members that apply.

    A step text such as "a token is issued" serves several requirements; each has its own check in
    the family, and a scenario tagged with one of them runs that one.
    """

    TOKEN_ISSUED = "a token is issued"
    TOKEN_NOT_ISSUED = "no token is issued"
    TOKEN_REFUSED_WITH = "the token request is refused with an error code"
    TOKEN_LIFETIME = "the token lifetime is bounded"
    BEARER_INVALID_REQUEST = "the protected resource answers 400 invalid_request"
    FORGED_TOKEN_REFUSED = "the protected resource refuses a forged token"
    JWT_TYPED = "the access token declares its type"
    JWT_AUDIENCE = "the access token names an audience"
    JWT_SUBJECT_REVIEW = "the access token's subject and privileges, for review"
    METADATA_PUBLISHED = "the metadata is published"
    PLAIN_HTTP_TOKEN_ENDPOINT = "the token endpoint does not serve plain http"
    REVOCATION_ANSWERED = "the revocation endpoint answers 200"
    CRE_TOKEN_ISSUED = "an integration obtains a token"
    CRE_STILL_OBTAINS_TOKEN = "an integration's credentials still obtain a token"
    CRE_CREDENTIALS_UNCHANGED = "an integration's Client Id and secret are unchanged"
    CRE_NEW_TOKEN_READS = "an integration's new token reads the permitted entity"


@dataclass(frozen=True)
class Check(Generic[Observed]):
    """One registered check: call it with its observation to get an ``Outcome``."""

    requirement: str
    function: Callable[[Observed], Outcome]
    families: frozenset[Family] = frozenset()

    def __call__(self, observation: Observed) -> Outcome:
        return self.function(observation)

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def module(self) -> str:
        return self.function.__module__.rsplit(".", 1)[-1]

    @property
    def accepts(self) -> str:
        """Which answers hold, and why (the check's docstring)."""
        return inspect.cleandoc(self.function.__doc__ or "")

    @property
    def observation_types(self) -> tuple[type[Any], ...]:
        """The observation's type, or each member of a union: one check may weigh several kinds of evidence."""
        hints = typing.get_type_hints(self.function)
        observed = next(value for key, value in hints.items() if key != "return")
        members = typing.get_args(observed) if isinstance(observed, types.UnionType) else (observed,)
        return tuple(typing.cast(type[Any], typing.get_origin(m) or m) for m in members)

    @property
    def needs_control(self) -> bool:
        """Whether the check's judgement rests on a positive control (a field ``control`` of its
        observation): without one that held, it is undecided."""
        return any(
            dataclasses.is_dataclass(kind) and any(f.name == "control" for f in dataclasses.fields(kind))
            for kind in self.observation_types
        )

    @property
    def observes(self) -> str:
        """What the check looks at: each observation type's docstring, first paragraph."""
        return "; ".join(_summary(kind) for kind in self.observation_types)


def _summary(kind: type[Any]) -> str:
    doc = inspect.cleandoc(kind.__doc__ or "") if kind.__module__ not in ("builtins", "httpx2") else ""
    if kind.__module__ == "httpx2":
        return "the HTTP response to the scenario's request: status, headers and body"
    return doc.split("\n\n", 1)[0].replace("\n", " ") or kind.__name__


# Requirement ID -> its one check. Filled as the document modules are imported (``checks/__init__``).
CHECKS: dict[str, Check[Any]] = {}


def check(
    requirement_id: str, *families: Family
) -> Callable[[Callable[[Observed], Outcome]], Check[Observed]]:
    """Register the decorated function as the check of ``requirement_id``, a member of ``families``."""

    def register(function: Callable[[Observed], Outcome]) -> Check[Observed]:
        catalogue = load_catalogue()
        if requirement_id not in catalogue:
            raise ValueError(f"{function.__qualname__}: {requirement_id} is not a catalogue requirement")
        if requirement_id in CHECKS:
            raise ValueError(f"{requirement_id} has two checks: {CHECKS[requirement_id].name} and {function.__name__}")
        if not (function.__doc__ or "").strip():
            raise ValueError(f"{function.__qualname__}: a check says in its docstring what it accepts and why")
        registered = Check(requirement_id, function, frozenset(families))
        CHECKS[requirement_id] = registered
        return registered

    return register


def checks_in(family: Family) -> Iterator[Check[Any]]:
    return (c for c in CHECKS.values() if family in c.families)
