"""Checks of rfc8414."""

from __future__ import annotations
