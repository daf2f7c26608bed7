"""The calibration server's client-secret hasher: Django's PBKDF2-SHA256, with fewer iterations.

django-oauth-toolkit hashes every client secret with Django's default hasher, and checks the secret of
every token request against that hash: PBKDF2 with a million iterations, some 0.3 s of CPU a request.
The calibration's token endpoint search sends 150 requests, so the hashing was most of the calibration.
The algorithm, the stored form (``pbkdf2_sha256$<iterations>$<salt>$<hash>``) and the comparison are
Django's own; only the work factor differs, which no OAuth behaviour depends on (as with the throwaway
database's PRAGMAs in ``dot_settings``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher  # type: ignore[import-untyped]

__all__ = ["CalibrationPBKDF2Hasher"]


class CalibrationPBKDF2Hasher(PBKDF2PasswordHasher):  # type: ignore[misc]
    iterations = 1_000
