"""Secrets at rest (a tenant's LinkedIn client secret): Fernet, keyed by HKDF from the secret
key (keys.py). Previous keys still open what they sealed; only the current key seals. Never
log what goes in or comes out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import ConfigurationError
from .keys import fernet_key, legacy_fernet_key, previous_keys, require_secret_key

if TYPE_CHECKING:
    from .settings import Settings


class SecretBox:
    def __init__(self, secret_key: str, previous: Sequence[str] = ()) -> None:
        if not secret_key:
            raise ConfigurationError("RECRUITLINK_SECRET_KEY is empty")
        self._current = Fernet(fernet_key(secret_key))
        # Tried in order: the current key first; the legacy (pre-HKDF) derivations last.
        keys = [secret_key, *previous]
        self._any = MultiFernet([self._current, *(Fernet(fernet_key(k)) for k in previous),
                                 *(Fernet(legacy_fernet_key(k)) for k in keys)])

    def seal(self, plain: str) -> str:
        return self._current.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._any.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ConfigurationError("a stored secret cannot be decrypted: was "
                                     "RECRUITLINK_SECRET_KEY changed? (list earlier keys in "
                                     "RECRUITLINK_PREVIOUS_SECRET_KEYS)") from exc

    def sealed_with_current(self, sealed: str) -> bool:
        try:
            self._current.decrypt(sealed.encode())
        except InvalidToken:
            return False
        return True

    def reseal(self, sealed: str) -> str:
        """`sealed` opened with any accepted key and sealed again with the current one."""
        return self.seal(self.open(sealed))


def secret_box(settings: Settings) -> SecretBox:
    """The settings' box; refuses a missing, short or public secret key (keys.py)."""
    return SecretBox(require_secret_key(settings), previous=previous_keys(settings))
