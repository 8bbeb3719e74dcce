"""Which LinkedIn API the client speaks (`RECRUITLINK_LINKEDIN_API_VERSION`, reference §2.1).

A version `YYYYMM` means the versioned `/rest` family: every call carries
`LinkedIn-Version: YYYYMM` and speaks Rest.li 2.0, and LinkedIn serves each version for about
two years, then answers 426. `v2` means the unversioned `/v2` family with Rest.li 1.0, which
LinkedIn is leaving (certification item RSC-505 asks for the migration).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recruitlink.core.api_families import Family
from recruitlink.core.restli import PROTOCOL_1, PROTOCOL_2, Protocol

DEFAULT_API_VERSION = "202604"
"""The newest version LinkedIn's RSC docs show (reference §2.1)."""

UNVERSIONED = "v2"
SETTING = "RECRUITLINK_LINKEDIN_API_VERSION"
API_LABEL = "LinkedIn API"

_VERSION = re.compile(r"^20\d\d(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ApiVersion:
    version: str | None
    """`YYYYMM` for the versioned `/rest` family; None for the unversioned `/v2`."""

    @classmethod
    def parse(cls, text: str) -> ApiVersion:
        """The setting's value as an ApiVersion; a ValueError naming the accepted forms."""
        value = text.strip()
        if value.lower() == UNVERSIONED:
            return cls(None)
        if _VERSION.match(value):
            return cls(value)
        raise ValueError(f"{text!r} is not a LinkedIn API version: use a version YYYYMM such "
                         f"as {DEFAULT_API_VERSION} (the versioned /rest API) or "
                         f"{UNVERSIONED!r} (the unversioned /v2 API)")

    @property
    def family(self) -> Family:
        return "v2" if self.version is None else "rest"

    @property
    def protocol(self) -> Protocol:
        """The Rest.li protocol the family speaks: 2.0 on /rest, 1.0 on /v2 (as always)."""
        return PROTOCOL_1 if self.version is None else PROTOCOL_2

    def headers(self) -> dict[str, str]:
        """The headers every call of this family carries (none on /v2)."""
        if self.version is None:
            return {}
        return {"LinkedIn-Version": self.version, "X-RestLi-Protocol-Version": PROTOCOL_2}

    def summary(self) -> str:
        """The family in words, for people (Setup page, `sync status`, the demo's table)."""
        if self.version is None:
            return ("unversioned v2 (Rest.li 1.0) — resumes on applications and Hiring "
                    "Assistant evaluations need the versioned API")
        return f"versioned, LinkedIn-Version {self.version} (Rest.li 2.0)"

    def describe(self) -> str:
        return f"{API_LABEL}: {self.summary()}"

    def __str__(self) -> str:
        return self.version or UNVERSIONED


def is_versioned(api_version: str) -> bool:
    """Whether a RECRUITLINK_LINKEDIN_API_VERSION value names the versioned /rest family."""
    return ApiVersion.parse(api_version).family == "rest"


def describe_api(api_version: str) -> str:
    """A RECRUITLINK_LINKEDIN_API_VERSION value in words (ApiVersion.describe)."""
    return ApiVersion.parse(api_version).describe()
