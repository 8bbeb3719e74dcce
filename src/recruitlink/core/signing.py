"""Push signatures: `X-LI-Signature` = hex HMAC-SHA256(client secret, "hmacsha256=" + body).

From LinkedIn's shared webhook-validation page; which secret signs RSC pushes is assumed to be
the customer (child) app's (see assumed.py).
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = b"hmacsha256="


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), PREFIX + body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header_value: str | None) -> bool:
    """Constant-time check; accepts the header with or without a `hmacsha256=` prefix."""
    if not header_value:
        return False
    value = header_value.strip()
    if value.lower().startswith("hmacsha256="):
        value = value[len("hmacsha256="):]
    if not value.isascii():
        return False  # compare_digest refuses non-ASCII str; such a value is wrong anyway
    return hmac.compare_digest(sign(secret, body), value.lower())
