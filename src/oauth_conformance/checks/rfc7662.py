"""Checks of rfc7662."""

from __future__ import annotations
