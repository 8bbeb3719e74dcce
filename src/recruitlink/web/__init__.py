"""recruitlink's web app: the versioned REST data API (`/api/v1`), its API keys, `/docs`."""

from .app import create_app

__all__ = ["create_app"]
