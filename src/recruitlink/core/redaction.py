"""Taking secrets out of what is kept or shown of a call to LinkedIn: the certification report
(certify/recorder.py) and support bundles (core/support_bundle.py) alike.

Three nets: headers that carry credentials are withheld by name; in JSON, the value under any
key that names a secret is replaced; and any string known to be a secret (a client secret, a
token) or shaped like one (a push URL's token) is replaced wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"
SECRET_KEY_NAMES = re.compile(r"secret|token|password|credential|authorization|api_?key|"
                              r"cookie|signature", re.IGNORECASE)
"""A header or JSON key whose value is withheld."""
PUSH_URL_TOKEN = re.compile(r"(/linkedin/push/)[A-Za-z0-9_\-]+")
"""A tenant's push URL: its last segment is the tenant's callback secret."""


def scrub(value: Any) -> Any:
    """JSON with the values of secret-named keys replaced (a provisioned app's credentials)."""
    if isinstance(value, dict):
        return {k: (REDACTED if SECRET_KEY_NAMES.search(str(k)) else scrub(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def clean(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret, and any push URL's token, replaced."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return PUSH_URL_TOKEN.sub(rf"\g<1>{REDACTED}", text)


def headers(pairs: Iterable[tuple[str, str]], secrets: Iterable[str] = ()
            ) -> list[tuple[str, str]]:
    """Headers with the credential-bearing ones withheld and known secrets replaced."""
    known = list(secrets)
    return [(name, REDACTED if SECRET_KEY_NAMES.search(name) else clean(value, known))
            for name, value in pairs]


def header_map(values: Mapping[str, str], secrets: Iterable[str] = ()) -> dict[str, str]:
    return dict(headers(values.items(), secrets))
