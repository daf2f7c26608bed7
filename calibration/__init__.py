"""Calibration targets: independent, widely used OAuth 2.0 servers the suite can be pointed at.

A suite that only ever ran against its own mock could share the mock's misreadings of the RFCs.
Running it against a server somebody else wrote shows which verdicts come from the standards and
which from our own assumptions.

Only configuration and glue live here; the server implementations are the upstream packages'.
``calibration.dot_server`` runs django-oauth-toolkit. The package deliberately imports nothing at
load time, so ``python -m calibration.dot_server`` does not import its module twice.
"""
