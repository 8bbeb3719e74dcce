"""The only part of recruitlink that speaks HTTP to LinkedIn (or to the sandbox)."""

from .client import BatchKey, BatchOutcomes, JobAnswers, LinkedInClient, TaskAnswers
from .tokens import TokenCache

__all__ = ["BatchKey", "BatchOutcomes", "JobAnswers", "LinkedInClient", "TaskAnswers",
           "TokenCache"]
