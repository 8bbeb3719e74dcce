"""The only part of recruitlink that speaks HTTP to LinkedIn (or to the sandbox)."""

from .client import BatchKey, LinkedInClient
from .tokens import TokenCache

__all__ = ["BatchKey", "LinkedInClient", "TokenCache"]
