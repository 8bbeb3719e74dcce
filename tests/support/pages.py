"""Reading recruitlink's server-rendered pages in tests: the CSRF token and field errors."""

from __future__ import annotations

import re

import httpx


def csrf_of(client: httpx.Client, path: str) -> str:
    """The CSRF token a signed-in page at `path` carries."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert found, page.text
    return found.group(1)


def field_error(html: str, field: str) -> str | None:
    """The error shown next to a form field, or None."""
    found = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else None
