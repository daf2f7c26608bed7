"""Calibration targets: independent, widely used OAuth 2.0 servers the suite can be pointed at.

A suite that only ever ran against its own mock could share the mock's misreadings of the RFCs.
Running it against servers somebody else wrote shows which verdicts come from the standards and
which from our own assumptions; two servers of different implementation families show which come
from one library's reading.

Only configuration and glue live here; the server implementations are the upstream packages'.
``calibration.dot_server`` runs django-oauth-toolkit (built on oauthlib), ``calibration.authlib_server``
Authlib's own implementation under Flask; ``calibration.servers`` lists both for ``calibration.run``.
The package deliberately imports nothing at load time, so ``python -m calibration.dot_server`` does not
import its module twice.
"""

__all__: list[str] = []
