"""The clients the suite's oauth target needs, registered as ordinary DOT Applications.

DOT hashes a client secret when the Application is saved, so each plain secret is captured from the
unsaved instance: the suite has to present it, and after save() only the hash is left.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .target_env import SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET, Credentials, SeededClients

__all__ = ["PUBLIC_REDIRECT_URI", "seed_clients"]

PUBLIC_REDIRECT_URI = "http://127.0.0.1/cb"
_OWNER = "calibration-owner"


def _register(model: Any, owner: Any, name: str, client_type: str, grant: str, **fields: str) -> Credentials:
    """Validate and save one Application; return its id and its secret as issued (not as stored)."""
    from django.db import connections  # type: ignore[import-untyped]

    application = model(name=name, user=owner, client_type=client_type, authorization_grant_type=grant, **fields)
    # The model's defaults (DOT's own id/secret generators) have filled in whatever `fields` left out.
    credentials = Credentials(application.client_id, application.client_secret)
    try:
        application.full_clean()  # DOT's model validation, as its admin and registration views apply it
        application.save()
    finally:
        connections.close_all()  # this worker thread's own connection; nothing else would close it
    return credentials


def seed_clients() -> SeededClients:
    """Create the owning user and the four Applications. Needs a configured, migrated database."""
    from django.contrib.auth import get_user_model  # type: ignore[import-untyped]

    # Imported here, not at module level: DOT's models need Django configured first.
    from oauth2_provider.models import AbstractApplication, get_application_model  # type: ignore[import-untyped]

    model = get_application_model()
    # An owner without a usable password: nobody logs in as it, it only owns the Applications.
    owner = get_user_model().objects.create_user(_OWNER, password=None)
    confidential, public = AbstractApplication.CLIENT_CONFIDENTIAL, AbstractApplication.CLIENT_PUBLIC
    client_credentials = AbstractApplication.GRANT_CLIENT_CREDENTIALS
    # Each save() hashes its secret with Django's PBKDF2 (~0.4 s, GIL released), so the four
    # registrations run side by side; sqlite serialises the INSERTs themselves.
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="dot-seed") as pool:
        client = pool.submit(_register, model, owner, "calibration client 1", confidential, client_credentials)
        client2 = pool.submit(_register, model, owner, "calibration client 2", confidential, client_credentials)
        public_client = pool.submit(
            _register,
            model,
            owner,
            "calibration public client",
            public,
            AbstractApplication.GRANT_AUTHORIZATION_CODE,
            redirect_uris=PUBLIC_REDIRECT_URI,
        )
        special = pool.submit(
            _register,
            model,
            owner,
            "calibration special-characters client",
            confidential,
            client_credentials,
            client_id=SPECIAL_CLIENT_ID,
            client_secret=SPECIAL_CLIENT_SECRET,
        )
        return SeededClients(client.result(), client2.result(), public_client.result().client_id, special.result())
