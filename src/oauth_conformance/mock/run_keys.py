"""The mock's private keys, generated once per run and shared by the mock processes the run starts.

An RSA-2048 key takes 20 to 200 ms to generate, as long as the rest of a mock's start. So the first
mock of a run writes each key it generates into one private file, and every later mock of the run (in
this process, in an xdist worker, in a child pytest run, in a standalone mock the run starts) loads it
from there instead.

``OAUTH_CONFORMANCE_MOCK_KEY_FILE`` names that file. It is internal, not a setting: a process that needs
a key and finds the variable unset picks a fresh file in a private temporary folder (mode 0700), sets
the variable in its own environment (so that the processes it starts afterwards inherit it) and removes
the folder when it exits. ``prepare_key_file()`` does that without generating anything, for a process
that starts mocks only in its children (the xdist controller, the kill matrix). The file is a JSON object
of PEM texts by key role, mode 0600; it is rewritten whole (a new file renamed over the old one) under
an exclusive lock, so that two processes adding keys at once lose neither.

Whatever goes wrong with the file (missing, its folder gone, not owned by this user or readable by
others, not JSON, a key that does not parse, a disk that refuses the write), the mock generates the key
in memory as before and starts: the file only saves time. Keys are shared, ``kid``s are not: each mock
names its keys anew (keys.py), so a token of one mock still names a key the others do not publish.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

__all__ = ["KEY_FILE_ENV", "EcRole", "RsaRole", "ec_key", "prepare_key_file", "rsa_key"]

KEY_FILE_ENV = "OAUTH_CONFORMANCE_MOCK_KEY_FILE"

# What each key is for (keys.py): one key per role, so that keys that must differ (the signing key and
# the stale key of "jwks-stale-key", or the duplicate of "duplicate-kid") never coincide.
RsaRole = Literal["signing-2048", "signing-1024", "stale", "encryption", "second", "duplicate"]
EcRole = Literal["ec-p256"]
_RSA_BITS: dict[RsaRole, int] = {"signing-2048": 2048, "signing-1024": 1024, "stale": 2048, "encryption": 2048,
                                 "second": 2048, "duplicate": 2048}

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_lock = threading.Lock()  # the variable, the cache and this process's writes of the file
_loaded: dict[tuple[str, str], PrivateKey] = {}  # by (file, role)


class _Unusable(Exception):
    """The file is there but not one to trust or to overwrite."""


def prepare_key_file() -> Path:
    """The run's key file: the one the variable names, else a fresh one that this process's children
    will share (the variable is set; nothing is generated yet)."""
    with _lock:
        return _key_file()


def rsa_key(role: RsaRole) -> rsa.RSAPrivateKey:
    """The run's RSA key for ``role``, generated (and shared) if the run has none yet."""
    key = _shared(role, lambda: rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS[role]),
                  lambda found: isinstance(found, rsa.RSAPrivateKey) and found.key_size == _RSA_BITS[role])
    assert isinstance(key, rsa.RSAPrivateKey)  # _shared returns only what the check accepted, or a new one
    return key


def ec_key(role: EcRole) -> ec.EllipticCurvePrivateKey:
    """The run's EC P-256 key for ``role``."""
    key = _shared(role, lambda: ec.generate_private_key(ec.SECP256R1()),
                  lambda found: isinstance(found, ec.EllipticCurvePrivateKey) and found.curve.name == "secp256r1")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _key_file() -> Path:
    named = os.environ.get(KEY_FILE_ENV)
    if named:
        return Path(named)
    folder = Path(tempfile.mkdtemp(prefix="oauth-conformance-keys-"))  # mode 0700
    atexit.register(_remove, folder, os.getpid())
    path = folder / "mock-keys.json"
    os.environ[KEY_FILE_ENV] = str(path)
    return path


def _remove(folder: Path, creator: int) -> None:
    # Only by the process that made it: a forked child inherits the exit handler, not the ownership.
    if os.getpid() == creator:
        shutil.rmtree(folder, ignore_errors=True)


def _shared(role: str, generate: Callable[[], PrivateKey], fits: Callable[[PrivateKey], bool]) -> PrivateKey:
    with _lock:
        path = _key_file()
        cached = _loaded.get((str(path), role))
        if cached is not None:
            return cached
        key = _from_file(path, role, generate, fits)
        _loaded[(str(path), role)] = key
        return key


def _from_file(path: Path, role: str, generate: Callable[[], PrivateKey],
               fits: Callable[[PrivateKey], bool]) -> PrivateKey:
    try:
        with _exclusive(path):
            entries = _read(path)
            found = _parse(entries.get(role))
            if found is not None and fits(found):
                return found
            key = generate()
            entries[role] = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()).decode("ascii")
            with contextlib.suppress(OSError):  # a read-only or full disk: this process keeps its key
                _write(path, entries)
            return key
    except (OSError, _Unusable):
        return generate()


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Held while the file is read and rewritten, against the other processes of the run."""
    if sys.platform == "win32":  # no flock: concurrent first starts may each add a key, the last one stays
        yield
        return
    import fcntl

    descriptor = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _read(path: Path) -> dict[str, str]:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return {}
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        # Private keys of this user only: a file anyone else could have written is not loaded (nor replaced).
        if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o077):
            raise _Unusable(path)
        try:
            document = json.loads(file.read())
        except ValueError:  # torn or foreign content: written anew below
            return {}
    if not isinstance(document, dict):
        return {}
    return {name: text for name, text in document.items() if isinstance(text, str)}


def _parse(text: str | None) -> PrivateKey | None:
    if text is None:
        return None
    try:
        # The file is this user's own and private (checked in _read): skipping the RSA consistency check
        # makes a load take microseconds instead of the 40 ms that check costs.
        key = serialization.load_pem_private_key(text.encode("ascii"), None, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError, UnicodeEncodeError):
        return None
    return key if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) else None


def _write(path: Path, entries: dict[str, str]) -> None:
    """Replace the file whole, so that no reader ever sees half of it."""
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)  # a crashed writer's leftover: created anew, so that the mode is 0600
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            json.dump(entries, file)
        os.replace(staging, path)
    except OSError:
        staging.unlink(missing_ok=True)
        raise
