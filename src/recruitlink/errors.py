"""recruitlink's one exception tree.

    RecruitlinkError
    ├── TransientError           the same call may succeed later: retry (after `retry_after`)
    │   ├── LinkedInUnavailable  5xx, timeouts, refused or dropped connections
    │   └── LinkedInThrottled    429 from LinkedIn (its Retry-After), or our shared budget says wait
    └── TerminalError            retrying unchanged cannot succeed: fix something first
        ├── LinkedInAuthError    credentials refused (token endpoint, or 401 after one renewal)
        ├── LinkedInForbidden    403: wrong app, or the integration is not ENABLED
        ├── LinkedInRequestError a whole request refused (400, 404, 409, 413, 414, 422, ...)
        ├── LinkedInVersionSunset 426: LinkedIn no longer serves the configured API version
        ├── ConfigurationError   recruitlink is set up wrongly (missing credentials, bad URL)
        └── TransferError        a tenant's state cannot be moved to another database

Every error carries what it is about (tenant, batch, record) when known, for sync logs.
"""

from __future__ import annotations


class RecruitlinkError(Exception):
    transient = False

    def __init__(self, message: str, *, tenant: str | None = None, batch: int | None = None,
                 record: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.tenant = tenant
        self.batch = batch
        self.record = record
        self.status = status

    def context(self) -> dict[str, object]:
        return {k: v for k, v in (("tenant", self.tenant), ("batch", self.batch),
                                  ("record", self.record), ("status", self.status))
                if v is not None}


class TransientError(RecruitlinkError):
    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None,
                 **context: object) -> None:
        super().__init__(message, **context)  # type: ignore[arg-type]
        self.retry_after = retry_after


class LinkedInUnavailable(TransientError):
    pass


class LinkedInThrottled(TransientError):
    pass


class TerminalError(RecruitlinkError):
    pass


class LinkedInAuthError(TerminalError):
    pass


class LinkedInForbidden(TerminalError):
    pass


class LinkedInRequestError(TerminalError):
    pass


class LinkedInVersionSunset(TerminalError):
    """LinkedIn answered 426: the API version in RECRUITLINK_LINKEDIN_API_VERSION is past its
    support window. Nothing the records hold can help (unlike a LinkedInRequestError, which
    fails the records it carried): the sync stops until the setting names a live version."""


class ConfigurationError(TerminalError):
    pass


class TransferError(TerminalError):
    """`db migrate-state` refused: unknown tenant, or its ids are already taken in the target."""
