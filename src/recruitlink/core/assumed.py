"""Shapes LinkedIn does not document, fixed once for the client and the sandbox alike.

Every definition here is an assumption (ARCHITECTURE.md, "Where the docs are silent"). When a
real partner account shows LinkedIn's actual shape, this is the one place to correct it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

IntegrationStatus = Literal["PENDING", "ENABLED", "DISABLED"]
INTEGRATION_STATUSES: tuple[IntegrationStatus, ...] = ("PENDING", "ENABLED", "DISABLED")

PushType = Literal["EXPORT_CANDIDATE_PROFILE", "INTEGRATION_STATUS_CHANGE"]
PUSH_TYPES: tuple[PushType, ...] = ("EXPORT_CANDIDATE_PROFILE", "INTEGRATION_STATUS_CHANGE")
PUSH_MAX_RETRIES = 6
"""Retries after the first attempt when the callback answers non-2xx (as Apply Connect)."""

SIGNATURE_HEADER = "X-LI-Signature"

# serviceErrorCode values seen in LinkedIn error bodies (the numbers themselves are assumed,
# except that 100 is LinkedIn's "not enough permissions").
SERVICE_ERROR_CODES: Mapping[int, int] = {
    400: 400,
    401: 65600,
    403: 100,
    404: 404,
    405: 405,
    409: 409,
    411: 411,
    413: 413,
    414: 414,
    415: 415,
    422: 422,
    429: 101,
    500: 500,
    503: 503,
    504: 504,
}


def error_body(status: int, message: str) -> dict[str, Any]:
    """LinkedIn's top-level (and per-entity) error shape."""
    return {"message": message, "serviceErrorCode": SERVICE_ERROR_CODES.get(status, status),
            "status": status}


def push_body(push_type: PushType, request_id: str, integration_context: str,
              created_at_ms: int) -> dict[str, Any]:
    return {"type": push_type, "requestId": request_id,
            "integrationContext": integration_context, "createdAt": created_at_ms}


def provisioned_app(*, key: str, name: str, description: str, unique_foreign_id: str,
                    valid_js_sdk_domains: Sequence[str], callback_urls: Sequence[str],
                    client_id: str, client_secret: str) -> dict[str, Any]:
    return {"key": key, "name": name, "description": description,
            "uniqueForeignId": unique_foreign_id,
            "validJsSdkDomains": list(valid_js_sdk_domains),
            "oauth2AuthorizedCallbackUrls": list(callback_urls),
            "credentials": {"client_id": client_id, "client_secret": client_secret}}


def integration_record(*, key: Mapping[str, str], name: str | None, status: IntegrationStatus,
                       last_modified_at_ms: int) -> dict[str, Any]:
    """An `atsIntegrations` record. The key fields are echoed so finder elements say which."""
    record: dict[str, Any] = dict(key)
    record.update({"integrationName": name, "status": status,
                   "lastModifiedAt": last_modified_at_ms})
    return record


def finder_page(elements: Sequence[Any], *, start: int, count: int, total: int) -> dict[str, Any]:
    return {"elements": list(elements), "paging": {"start": start, "count": count,
                                                   "total": total}}


EXPORT_SENT_MESSAGE = "Sent to your {system}"
"""What LinkedIn Recruiter can say of a One-Click Export: that it was sent. The reference
(§5.1-5.2) has no channel back for the ATS's verdict: the push is answered 2xx once stored,
the outcome is decided later by the ATS's worker, and `exportedCandidates` carries no status.
So Recruiter (the sandbox's page) never claims more than "sent", and a refusal with its
reason is shown on the ATS's side (its Exports page and the recruiter's "My LinkedIn
exports"). Assumed: if LinkedIn has such a channel, it is not documented."""


# -- files (design16 §5): the reference names hireMediaUrl's parameters, not its answer ----

MEDIA_USAGES = ("tcrmResumeParameters", "rscAttachmentParameters")


def media_upload_answer(upload_url: str, media_urn: str) -> dict[str, Any]:
    """hireMediaUrl's answer: where to PUT the bytes, and the URN that names them after."""
    return {"value": {"uploadUrl": upload_url, "mediaUrn": media_urn}}


def crm_resume(media_urn: str, file_name: str, content_type: str) -> dict[str, str]:
    """A CRM candidate's `resume` field."""
    return {"media": media_urn, "fileName": file_name, "contentType": content_type}


def attachment_record(media_urn: str, file_name: str, content_type: str,
                      created_at: int) -> dict[str, Any]:
    """An application's attachment on the versioned `attachments` resource; its key is
    (atsJobApplicationId, integrationContext, externalAttachmentId)."""
    return {"fileName": file_name, "contentType": content_type, "media": media_urn,
            "externalCreatedAt": created_at}
