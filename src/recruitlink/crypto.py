"""Secrets at rest (a tenant's LinkedIn client secret): Fernet, keyed from the settings'
secret key. Never log what goes in or comes out."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from .errors import ConfigurationError


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ConfigurationError("RECRUITLINK_SECRET_KEY is empty")
        digest = hashlib.sha256(b"recruitlink-secrets:" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ConfigurationError("a stored secret cannot be decrypted: was "
                                     "RECRUITLINK_SECRET_KEY changed?") from exc
