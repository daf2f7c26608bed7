"""Checks of rfc6750."""

from __future__ import annotations
