"""Security headers on every answer of the server: pages, API, static files and errors.

The Content-Security-Policy allows scripts only from our own origin and from LinkedIn's (the
JS SDK, `{linkedin_api_url}/sdk.js`, which frames its widgets and calls `/widgets/init` from
there), and no inline script at all: a stored value that slipped past the store's checks
cannot run. The API docs pages (FastAPI's Swagger UI and ReDoc, served from a CDN) carry an
inline start-up script of their own: on those pages exactly that script is allowed, by hash.

Every answer but a static file is `Cache-Control: no-store` (unless it says otherwise): pages,
downloads and API answers hold personal data and secrets (a webhook's signing secret, an
erasure certificate), which no browser or proxy cache should keep after the user signs out.

HSTS only when the server is reached over https (`public_url`, or the request's scheme behind
a TLS proxy that says so): over plain http it would be ignored, and a development server on
http://127.0.0.1 must not pin a browser to https.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
CACHEABLE = "/static/"
"""The only answers a cache may keep: the same for everyone, nothing personal."""
DOCS_CDN = "https://cdn.jsdelivr.net"
HSTS = "max-age=31536000"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL | re.IGNORECASE)

_COMMON = ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'",
           "form-action 'self'")


def origin_of(url: str) -> str:
    """scheme://host[:port] of an absolute URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page_policy(linkedin_url: str) -> str:
    """The policy of every answer: our pages load our own styles, images and scripts, plus
    LinkedIn's SDK, its widget iframes and its start-up call."""
    linkedin = origin_of(linkedin_url)
    return "; ".join(("default-src 'self'", f"script-src 'self' {linkedin}",
                      f"frame-src {linkedin}", f"connect-src 'self' {linkedin}",
                      "img-src 'self' data:", "style-src 'self'", *_COMMON))


def docs_policy(body: bytes) -> str:
    """The API docs pages: their CDN, and exactly the inline scripts `body` holds."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(body))
    return "; ".join((
        "default-src 'self'", f"script-src 'self' {DOCS_CDN} {hashes}".rstrip(),
        # ReDoc and Swagger UI style themselves at run time, and ReDoc uses Google Fonts.
        f"style-src 'self' 'unsafe-inline' {DOCS_CDN} https://fonts.googleapis.com",
        "font-src 'self' https://fonts.gstatic.com", "worker-src 'self' blob:",
        "img-src 'self' data: https:", *_COMMON))


class SecurityHeaders:
    """ASGI middleware: adds the headers to each http answer (a header the answer already
    sets is kept)."""

    def __init__(self, app: ASGIApp, *, linkedin_url: str, public_url: str) -> None:
        self.app = app
        self.policy = page_policy(linkedin_url)
        self.public_https = urlsplit(public_url).scheme.lower() == "https"

    def headers(self, scope: Scope, policy: str) -> dict[str, str]:
        out = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin", "X-Frame-Options": "SAMEORIGIN"}
        if self.public_https or scope.get("scheme") == "https":
            out["Strict-Transport-Security"] = HSTS
        if not str(scope.get("path", "")).startswith(CACHEABLE):
            out["Cache-Control"] = "no-store"
        return out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") in DOCS_PATHS:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add(scope, message, self.policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _add(self, scope: Scope, start: Message, policy: str) -> None:
        headers = MutableHeaders(scope=start)
        for name, value in self.headers(scope, policy).items():
            if name not in headers:
                headers[name] = value

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold the (small) docs page until its body is known, to hash its inline script."""
        start: Message | None = None
        body: list[bytes] = []

        async def held(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            whole = b"".join(body)
            self._add(scope, start, docs_policy(whole))
            await send(start)
            await send({"type": "http.response.body", "body": whole})

        await self.app(scope, receive, held)
