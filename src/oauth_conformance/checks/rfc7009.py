"""Checks of rfc7009."""

from __future__ import annotations
