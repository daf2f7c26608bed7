"""Glue for the documented Creatio procedure (features/creatio/)."""
