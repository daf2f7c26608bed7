"""``WWW-Authenticate`` as RFC 9110 §11.6.1 defines it: one or more challenges, in one field or several,
in any order, each a scheme with either a token68 or comma-separated auth-params.

    WWW-Authenticate = #challenge
    challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
    auth-param       = token BWS "=" BWS ( token / quoted-string )

"Although this grammar allows a list of challenges [...] a user agent needs to take special care in
parsing" (§11.6.1): a comma separates auth-params and challenges alike, so a new challenge starts at a
token that is not followed by ``=``. Auth-param names and schemes are case-insensitive (§11.1, §11.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx2

__all__ = ["Challenge", "challenges", "parse_challenges"]

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_PARAM = re.compile(rf"({_TOKEN})[ \t]*=[ \t]*({_TOKEN}|{_QUOTED})")
_TOKEN68 = re.compile(r"([A-Za-z0-9\-._~+/]+=*)[ \t]*(?=,|$)")
_SCHEME = re.compile(_TOKEN)
_SEPARATORS = re.compile(r"[ \t,]*")
_SPACE = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Challenge:
    """One challenge: its scheme (lower case), its auth-params (names in lower case), or a token68."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)
    token68: str | None = None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_challenges(fields: Iterable[str]) -> list[Challenge]:
    """Every challenge of the given WWW-Authenticate field values, in order. Text that fits no rule ends
    the field's parse (what came before is kept): a malformed header is not read as something it is not."""
    found: list[Challenge] = []
    for value in fields:
        pos, end = 0, len(value)
        current: Challenge | None = None
        while True:
            pos = _SEPARATORS.match(value, pos).end()  # type: ignore[union-attr]
            if pos >= end:
                break
            param = _PARAM.match(value, pos)
            if param and current is not None:
                current.params[param.group(1).lower()] = _unquote(param.group(2))
                pos = param.end()
                continue
            scheme = _SCHEME.match(value, pos)
            if scheme is None:
                break
            current = Challenge(scheme.group(0).lower())
            found.append(current)
            pos = scheme.end()
            space = _SPACE.match(value, pos)
            if space is not None:
                token68 = _TOKEN68.match(value, space.end())
                if token68 is not None and not _PARAM.match(value, space.end()):
                    # A token68 takes no auth-params: what follows it starts the next challenge.
                    found[-1] = Challenge(current.scheme, {}, token68.group(1))
                    pos, current = token68.end(), None
    return found


def challenges(response: httpx2.Response) -> list[Challenge]:
    """The challenges of every WWW-Authenticate field of ``response``."""
    return parse_challenges(response.headers.get_list("www-authenticate"))
