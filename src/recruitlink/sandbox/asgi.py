"""`uvicorn recruitlink.sandbox.asgi:app`: the sandbox configured from the environment.

RECRUITLINK_SANDBOX_DB (default: memory), RECRUITLINK_SANDBOX_PARTNER_CLIENT_ID,
RECRUITLINK_SANDBOX_PARTNER_CLIENT_SECRET, RECRUITLINK_SANDBOX_AUTO_ENABLE=1,
RECRUITLINK_SANDBOX_LIVE_VERSIONS and RECRUITLINK_SANDBOX_SUNSET_VERSIONS (comma-separated
YYYYMM lists for `/rest`'s LinkedIn-Version; default: SandboxConfig's).
"""

from __future__ import annotations

import os

from .app import create_app
from .config import SandboxConfig, versions_from_text

config = SandboxConfig(
    db=os.environ.get("RECRUITLINK_SANDBOX_DB", ":memory:"),
    partner_client_id=os.environ.get("RECRUITLINK_SANDBOX_PARTNER_CLIENT_ID"),
    partner_client_secret=os.environ.get("RECRUITLINK_SANDBOX_PARTNER_CLIENT_SECRET"),
    auto_enable=os.environ.get("RECRUITLINK_SANDBOX_AUTO_ENABLE") == "1",
)
if "RECRUITLINK_SANDBOX_LIVE_VERSIONS" in os.environ:
    config.live_api_versions = versions_from_text(os.environ["RECRUITLINK_SANDBOX_LIVE_VERSIONS"])
if "RECRUITLINK_SANDBOX_SUNSET_VERSIONS" in os.environ:
    config.sunset_api_versions = versions_from_text(
        os.environ["RECRUITLINK_SANDBOX_SUNSET_VERSIONS"])
app = create_app(config)
