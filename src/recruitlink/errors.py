"""recruitlink's one exception tree: every exception the product raises is defined here,
except the few marked * (see the notes below the tree).

    Exception
    ├── RecruitlinkError             shown to people and kept in sync logs, with what it is about
    │   ├── TransientError           the same call may succeed later: retry (after `retry_after`)
    │   │   ├── LinkedInUnavailable  5xx, timeouts, refused or dropped connections
    │   │   ├── LinkedInThrottled    429 from LinkedIn (its Retry-After), or our budget says wait
    │   │   └── LeaseLost            another process took this tenant's sync lease
    │   └── TerminalError            retrying unchanged cannot succeed: fix something first
    │       ├── LinkedInAuthError    credentials refused (token endpoint, or 401 after one renewal)
    │       ├── LinkedInForbidden    403: wrong app, or the integration is not ENABLED
    │       ├── LinkedInRequestError a whole request refused (400, 404, 409, 413, 414, 422, ...)
    │       ├── LinkedInVersionSunset 426: LinkedIn no longer serves the configured API version
    │       ├── EnvironmentRefused   a non-production instance and a production LinkedIn app
    │       ├── ConfigurationError   recruitlink is set up wrongly (missing credentials, bad URL)
    │       └── TransferError        a tenant's state cannot be moved to another database
    ├── Stopped                      a wait (for the rate budget) was given up: the caller stops
    │   └── Disconnecting            ... because the tenant is being disconnected
    ├── RuntimeError                 another worker or process got there first
    │   ├── ClaimLost                another worker settled this push first
    │   ├── PollBusy                 another poll round of this tenant is running
    │   └── PollDeferred             LinkedIn's budget for a poll is spent: retry after `wait_s`
    ├── ValueError                   input refused; the message names the field and why
    │   ├── JsonRefused              a request body that is not JSON we accept
    │   ├── CursorError              a page cursor we did not hand out
    │   ├── NotReplayable            an inbound item with nothing to apply again
    │   ├── SeedError                `db seed` cannot run as asked
    │   ├── IdentityRequestInvalid   a review resolution or merge asked wrongly (not: refused)
    │   ├── UnknownEventType         a host event type not in core/host_events.py's catalogue
    │   ├── RestliSyntaxError *      Rest.li syntax that cannot be read (core/restli.py)
    │   └── FileRefused *            a file that may not be stored or sent (core/files.py)
    ├── LookupError
    │   └── OwnerMissing             the record an uploaded file was for is gone
    ├── BodyTooBig                   a form upload past the largest a file can make
    ├── RefusedAddress               a webhook's host resolves where deliveries never go
    ├── CaseFailed                   certify: a check of a case did not hold
    ├── Aborted                      certify: the run cannot go on
    └── HTTPException (Starlette)    an error answer, raised inside a request:
        ├── ApiError *               the JSON API's (web/auth.py)
        └── PageError *              a page's, or a redirect (web/pages/security.py)

Only a RecruitlinkError is caught as "what went wrong" (pages, CLI, sync logs); the other
branches keep their standard base, which is what their callers catch.

* Defined elsewhere on purpose: this module is standard-library only and below every layer,
  so the web's HTTP answers (Starlette subclasses) live in web/; and the sandbox may import
  only `core`, so the errors it shares with the product (Rest.li syntax, refused files) live
  in core/. The sandbox's own errors (sandbox/errors.py: ApiError, OAuthError; RecruiterError,
  Refused, InjectedDrop) are LinkedIn's side, not the product's, and stay in the sandbox;
  `processes._Gone` is that module's private signal (a process that is not there).

Every RecruitlinkError carries what it is about (tenant, batch, record) when known, for sync
logs.
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


class LeaseLost(TransientError):
    """Another process took this tenant's lease: stop without committing."""


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


class EnvironmentRefused(TerminalError):
    """The environment guard (core/environment.py): this instance is not production and the
    LinkedIn app is (or LinkedIn did not say): nothing was sent. `app_environment` is what
    LinkedIn said of the app (None: nothing)."""

    def __init__(self, message: str, *, app_environment: str | None = None,
                 **context: object) -> None:
        super().__init__(message, **context)  # type: ignore[arg-type]
        self.app_environment = app_environment


class ConfigurationError(TerminalError):
    pass


class TransferError(TerminalError):
    """`db migrate-state` refused: unknown tenant, or its ids are already taken in the target."""


# -- outside RecruitlinkError: their callers catch the standard base -----------------------


class Stopped(Exception):
    """Waiting (for the rate budget) was abandoned because the caller asked to stop (pause)."""


class Disconnecting(Stopped):
    """The tenant is being disconnected: the sync stops before its next call and lets go of
    the tenant's lease. A half-sent batch stays prepared; the disconnect recovers it."""


class ClaimLost(RuntimeError):
    """Another worker settled this push first; this one's work is rolled back."""


class PollBusy(RuntimeError):
    """Another poll round of this tenant is running."""


class PollDeferred(RuntimeError):
    """LinkedIn's budget for prospect interactions is spent for now: retry after `wait_s`."""

    def __init__(self, message: str, wait_s: float) -> None:
        super().__init__(message)
        self.wait_s = wait_s


class JsonRefused(ValueError):
    """A body that is not JSON we accept: `reason` says why (`detail`: the same without
    "is not valid JSON"), `field` where (dotted path; empty for the whole body),
    `line`/`column` where the parser stopped, if it did."""

    def __init__(self, reason: str, field: str = "", *, detail: str | None = None,
                 line: int = 1, column: int = 1) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.malformed = detail is not None
        """Not JSON at all (syntax, encoding), rather than JSON past a limit."""
        self.detail = detail or reason
        self.field = field
        self.line = line
        self.column = column


class CursorError(ValueError):
    """A page cursor we did not hand out."""


class NotReplayable(ValueError):
    """The item exists but there is nothing to apply again (the message says why)."""


class SeedError(ValueError):
    """The seed cannot run as asked (e.g. the tenant already holds data)."""


class OwnerMissing(LookupError):
    """The candidate or application a file was for does not exist (or was deleted meanwhile)."""


class BodyTooBig(Exception):
    """The request's body went past the largest form a file upload can make."""


class CaseFailed(Exception):
    """A check of the case did not hold; the message says which."""


class Aborted(Exception):
    """The run cannot go on (no tenant connected, never enabled)."""


class IdentityRequestInvalid(ValueError):
    """A review resolution, merge or unmerge asked wrongly (a field left out, or not for this
    action): a 422, where another ValueError of inbound/identity.py is what the records'
    state refuses (a 409)."""


class UnknownEventType(ValueError):
    """A writer used a host event type that is not in the catalogue (a programming error)."""


class RefusedAddress(Exception):
    """A delivery's host resolves to an address deliveries never go to."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        what = "is" if host == address else f"resolves to {address},"
        super().__init__(f"refused: {host} {what} a {kind} address")
        self.host, self.address, self.kind = host, address, kind
