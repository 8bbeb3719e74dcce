"""`uvicorn recruitlink.sandbox.asgi:app`: the sandbox configured from the environment.

RECRUITLINK_SANDBOX_DB (default: memory), RECRUITLINK_SANDBOX_PARTNER_CLIENT_ID,
RECRUITLINK_SANDBOX_PARTNER_CLIENT_SECRET, RECRUITLINK_SANDBOX_AUTO_ENABLE=1.
"""

from __future__ import annotations

import os

from .app import create_app
from .config import SandboxConfig

app = create_app(SandboxConfig(
    db=os.environ.get("RECRUITLINK_SANDBOX_DB", ":memory:"),
    partner_client_id=os.environ.get("RECRUITLINK_SANDBOX_PARTNER_CLIENT_ID"),
    partner_client_secret=os.environ.get("RECRUITLINK_SANDBOX_PARTNER_CLIENT_SECRET"),
    auto_enable=os.environ.get("RECRUITLINK_SANDBOX_AUTO_ENABLE") == "1",
))
