"""A faithful local imitation of LinkedIn's side of RSC and CRM Connect.

It shares no state with the rest of recruitlink: it *is* LinkedIn, for the embedded default
and for every test. Import `create_app` for the ASGI app.
"""

from .app import create_app
from .config import SandboxConfig

__all__ = ["SandboxConfig", "create_app"]
