"""The secret key and every key derived from it: the one place that checks, makes and derives
keys. `RECRUITLINK_SECRET_KEY` is a root key; HKDF (SHA-256) derives a separate key per
purpose from it (`info` names the purpose), so the key that encrypts secrets at rest never
signs a cookie and the other way round. Never log a key or anything derived from one."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import ConfigurationError

if TYPE_CHECKING:
    from .settings import Settings

MIN_KEY_LENGTH = 32
# Published in earlier releases as the default: whoever holds a database sealed with it can
# read every secret, so it is refused by name whatever its length.
PUBLIC_KEYS = frozenset({"dev-only-change-me"})
HOW_TO_MAKE = ("make one with `recruitlink keys generate` and set RECRUITLINK_SECRET_KEY to "
               "it (the same value on every server and worker)")

AT_REST = b"recruitlink/v1/secrets-at-rest"
SIGNING = "recruitlink/v1/signing/"


def generate() -> str:
    """A fresh secret key: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def check(key: str | None) -> str:
    """`key` if it may be the secret key, else a ConfigurationError saying why and what to do."""
    if not key:
        raise ConfigurationError(f"RECRUITLINK_SECRET_KEY is not set: {HOW_TO_MAKE}")
    if key in PUBLIC_KEYS:
        raise ConfigurationError(f"RECRUITLINK_SECRET_KEY is the public development value "
                                 f"{key!r}, which anyone can read: {HOW_TO_MAKE}")
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigurationError(f"RECRUITLINK_SECRET_KEY is too short ({len(key)} characters; "
                                 f"at least {MIN_KEY_LENGTH}): {HOW_TO_MAKE}")
    return key


def require_secret_key(settings: Settings) -> str:
    """The settings' secret key, checked: call it wherever a key is about to be used."""
    return check(settings.secret_key.get_secret_value() if settings.secret_key else None)


def previous_keys(settings: Settings) -> list[str]:
    """Earlier secret keys, still accepted to decrypt (never to encrypt or sign). Not checked
    for length: they only open what was sealed with them (the old public default too)."""
    raw = settings.previous_secret_keys.get_secret_value() if settings.previous_secret_keys \
        else ""
    return [k.strip() for k in raw.split(",") if k.strip()]


def derive(key: str, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(
        key.encode())


def fernet_key(key: str) -> bytes:
    """The Fernet key that encrypts secrets at rest."""
    return base64.urlsafe_b64encode(derive(key, AT_REST))


def legacy_fernet_key(key: str) -> bytes:
    """How releases before HKDF derived the Fernet key: tried last, so what they sealed still
    opens (and `recruitlink keys rotate` re-seals it)."""
    digest = hashlib.sha256(b"recruitlink-secrets:" + key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def signing_key(settings: Settings, purpose: str) -> bytes:
    """The HMAC key for one signing purpose (a session cookie, a CSRF token, ...). Only the
    current key signs: what a previous key signed no longer verifies."""
    return derive(require_secret_key(settings), (SIGNING + purpose).encode())



KEY_FILE_NAME = "recruitlink.key"
"""The demo's key file, beside its SQLite database."""


def sqlite_directory(database_url: str) -> Path | None:
    """The directory of a SQLite database file (relative paths: from the working directory,
    as SQLite opens them); None for any other database, or one in memory."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).parent


def key_beside_database(database_url: str) -> str | None:
    """The key a demo kept beside its SQLite database (`recruitlink.key`), if there is one:
    so that CLI commands run beside a demo need no RECRUITLINK_SECRET_KEY. Only for SQLite
    (the embedded setup); a server on PostgreSQL always takes its key from the environment."""
    directory = sqlite_directory(database_url)
    if directory is None:
        return None
    try:
        return (directory / KEY_FILE_NAME).read_text().strip() or None
    except OSError:  # no file (the usual case), or not readable by this user
        return None


def key_file(path: Path) -> str:
    """The key kept in `path`, made on first use: a file only its owner can read or write
    (0600), for the demo. A file left readable by others is tightened back to 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
        try:
            return check(path.read_text().strip())
        except ConfigurationError as exc:
            raise ConfigurationError(f"{path}: {exc.message}; or delete the file to make a "
                                     "new one") from exc
    key = generate()
    with os.fdopen(fd, "w") as out:
        os.fchmod(out.fileno(), 0o600)  # whatever the umask
        out.write(key + "\n")
    return key
