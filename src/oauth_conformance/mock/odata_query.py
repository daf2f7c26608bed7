"""The sliver of OData 4 query syntax the mock understands: ``$filter`` with ``eq``/``and`` and
``startswith(<Property>,'<literal>')`` (the suite lists what its runs named by their prefix),
``$select``, ``$orderby``, ``$top`` and ``$skip``. Anything else is a 400, so that a caller relying
on more finds out at once instead of getting unfiltered data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .ids import canonical_guid

__all__ = ["QueryError", "parse_query"]

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# ASCII digits only: ``\d`` would take any script's digits. A literal longer than _MAX_DIGITS is refused
# rather than handed to int(), which refuses more than 4300 digits.
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_COUNT = re.compile(r"^[0-9]+$")
_MAX_DIGITS = 30
SUPPORTED_OPTIONS = frozenset({"$filter", "$select", "$orderby", "$top", "$skip"})


class QueryError(ValueError):
    """The query is outside what the mock supports (or plainly malformed)."""


@dataclass(frozen=True)
class _Guid:
    value: str


@dataclass(frozen=True)
class _Prefix:
    """``startswith(<Property>,'<value>')``: OData 4 Part 2 §5.1.1.5.3, case-sensitive."""

    value: str


_STARTSWITH = re.compile(r"^startswith\((\w+),('(?:[^']|'')*')\)$")


def _tokens(text: str) -> list[str]:
    """Split on whitespace outside single-quoted literals (``''`` escapes a quote)."""
    tokens: list[str] = []
    current = ""
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "'":
            if quoted and text[i + 1:i + 2] == "'":
                current += "''"
                i += 2
                continue
            quoted = not quoted
            current += char
        elif char.isspace() and not quoted:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
        i += 1
    if quoted:
        raise QueryError("unterminated string literal in $filter")
    if current:
        tokens.append(current)
    return tokens


def _literal(token: str) -> object:
    if len(token) >= 2 and token[0] == token[-1] == "'":
        return token[1:-1].replace("''", "'")
    lowered = token.lower()
    if lowered.startswith("guid'") and token.endswith("'"):  # OData 3 style, tolerated
        token = token[5:-1]
    if _GUID.match(token):
        return _Guid(token.lower())
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if _NUMBER.fullmatch(token) and len(token) <= _MAX_DIGITS:
        return float(token) if "." in token else int(token)
    raise QueryError(f"unsupported literal {token!r} in $filter")


def _equal(actual: object, expected: object) -> bool:
    if isinstance(expected, _Prefix):
        return isinstance(actual, str) and actual.startswith(expected.value)
    if isinstance(expected, _Guid):
        return isinstance(actual, str) and canonical_guid(actual) == expected.value
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    return actual == expected


@dataclass
class Query:
    conditions: list[tuple[str, object]] = field(default_factory=list)
    select: list[str] | None = None
    order: list[tuple[str, bool]] = field(default_factory=list)
    top: int | None = None
    skip: int = 0

    def apply(self, rows: list[dict[str, Any]], fields: list[str]) -> list[dict[str, Any]]:
        known = set(fields)
        for name in [c[0] for c in self.conditions] + (self.select or []) + [o[0] for o in self.order]:
            if name not in known:
                raise QueryError(f"The entity has no property '{name}'.")
        result = [r for r in rows if all(_equal(r.get(k), v) for k, v in self.conditions)]
        for name, descending in reversed(self.order):
            result.sort(key=partial(_row_key, name), reverse=descending)
        result = result[self.skip:]
        if self.top is not None:
            result = result[:self.top]
        if self.select is not None:
            chosen = [f for f in fields if f in self.select]
            result = [{f: r.get(f) for f in chosen} for r in result]
        return result


def _sort_key(value: object) -> tuple[int, int | float, str]:
    # Numbers compared as they are: float() of a stored integer beyond 1e308 would overflow.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value, "")
    return (1 if value is not None else 2, 0, str(value))


def _row_key(name: str, row: dict[str, Any]) -> tuple[int, int | float, str]:
    return _sort_key(row.get(name))


def _count(name: str, value: str) -> int:
    if not _COUNT.fullmatch(value) or len(value) > _MAX_DIGITS:  # str.isdigit() also takes "²"
        raise QueryError(f"{name} must be a non-negative integer")
    return int(value)


def parse_query(params: Mapping[str, str]) -> Query:
    query = Query()
    for name in params:
        if name.startswith("$") and name not in SUPPORTED_OPTIONS:
            raise QueryError(f"The query option {name} is not supported by the mock.")
    if "$filter" in params:
        tokens = _tokens(params["$filter"])
        while tokens:
            prefix = _STARTSWITH.fullmatch(tokens[0])
            if prefix is not None:
                query.conditions.append((prefix.group(1), _Prefix(prefix.group(2)[1:-1].replace("''", "'"))))
                tokens = tokens[1:]
            elif len(tokens) < 3 or tokens[1].lower() != "eq":
                raise QueryError("The mock supports only \"<Property> eq <literal>\" and "
                                 "\"startswith(<Property>,'<literal>')\" joined by \"and\".")
            else:
                query.conditions.append((tokens[0], _literal(tokens[2])))
                tokens = tokens[3:]
            if tokens:
                if tokens[0].lower() != "and" or len(tokens) == 1:
                    raise QueryError("The mock supports only \"and\" between conditions.")
                tokens = tokens[1:]
    if "$select" in params:
        query.select = [s.strip() for s in params["$select"].split(",") if s.strip()]
    if "$orderby" in params:
        for part in params["$orderby"].split(","):
            words = part.split()
            if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
                raise QueryError("$orderby must be \"<Property> [asc|desc]\".")
            query.order.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    if "$top" in params:
        query.top = _count("$top", params["$top"])
    if "$skip" in params:
        query.skip = _count("$skip", params["$skip"])
    return query
