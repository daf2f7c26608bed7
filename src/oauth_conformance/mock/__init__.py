"""The bundled mock of Creatio and its Identity Service.

Two ASGI apps on two loopback ports, like the real pair: the Identity Service (discovery, JWKS,
``/connect/token``, introspection, the management API Creatio calls) and Creatio (forms login,
OAuthConfigService, AdministrationService, OData, OAuthHealthCheck, the Bearer-protected API).
Creatio reaches the IS only over HTTP. ``MockOptions.creatio_version`` and ``hosting`` choose the
generation (8.0–8.3) and hosting reproduced (``generations.py``). Behaviour follows
``docs/creatio-oauth.md``; ``[INF]``/``[NF]`` comments mark what those notes only infer or do not
know.

    with start_mock(MockOptions(profile="compliant")) as mock:
        ...  # mock.creatio_url, mock.identity_url, mock.seed
"""

from __future__ import annotations

from .defects import BENIGN, DEFECTS, Defect
from .identity_store import PUBLIC_CLIENT_ID, SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET
from .options import MockOptions
from .seed import SeedClient, SeedInfo
from .server import MockServers, start_mock

__all__ = ["BENIGN", "DEFECTS", "PUBLIC_CLIENT_ID", "SPECIAL_CLIENT_ID", "SPECIAL_CLIENT_SECRET", "Defect",
           "MockOptions", "MockServers", "SeedClient", "SeedInfo", "start_mock"]
