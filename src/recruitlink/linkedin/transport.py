"""The HTTP client calls to LinkedIn go through, made in one place."""

from __future__ import annotations

import httpx


def linkedin_http() -> httpx.Client:
    """The HTTP client of an engine or a client pool (shared by its threads): a minute for
    LinkedIn to answer, ten seconds to connect. (An httpx transport on urllib3 was tried:
    its CPU per call was within 15% of httpx's own, whose request and response models
    cost most of a call.)"""
    return httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))
