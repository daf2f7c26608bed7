"""Glue for the standards features (features/rfc6749/, rfc6750/, jwt/, discovery/, ...)."""
