"""Checks of creatio."""

from __future__ import annotations
