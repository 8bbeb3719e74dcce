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
EXPORT_PUSH: PushType = "EXPORT_CANDIDATE_PROFILE"
STATUS_PUSH: PushType = "INTEGRATION_STATUS_CHANGE"
PUSH_TYPES: tuple[PushType, ...] = (EXPORT_PUSH, STATUS_PUSH)
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


# Rest.li 2.0 keys outside the URL (assumed): batch body `entities` keys, the keys of batch
# answers' `results`/`errors`/`statuses` maps, and `X-RestLi-Id`. Rest.li's spec says
# "reducedEncoded" there (only , ( ) ' : escaped); LinkedIn's own Python client writes them
# URL-encoded exactly like the URL (its `encoder.encode`). The sandbox reads them URL-encoded and
# answers in that same form (core.restli.encode_key), which is the reduced form for URNs and
# plain ids: a key with a space or `%` is where the two would differ.

# -- the versioned /rest family (reference §2.1, §2.5): what the release notes leave open ------

REST_KEPT_SUB_RESOURCES: tuple[str, ...] = ("stages", "interviewFeedback")
"""§2.5 renames application notes to the top-level `applicationNotes` but says nothing of
an application's stages and interview feedback: assumed they stay sub-resources of
`rest/atsApplications`, under the application's `/rest` key (without dataProvider)."""

REST_INTEGRATION_CONFIGURATION_KEY_FIELD = "configurationName"
"""`rest/integrationConfigurations` has no documented key (§2.5 gives none). Assumed: the
integration's `/rest` key fields (integrationContext, integrationType, tenantType) plus this
field naming the configuration (CALLBACK_URL, ...), the v2 sub-resource's simple id."""

REST_NOTE_RECORD_RENAMES: Mapping[str, str] = {"atsCreatedAt": "externalCreatedAt",
                                               "atsLastModifiedAt": "externalLastModifiedAt"}
"""§2.5 names `externalCreatedAt` and a new `externalLastModifiedAt` for candidate notes;
assumed the same for application notes (the table gives them only the key renames)."""

REST_DATA_PROVIDERS: tuple[str, ...] = ("ATS", "PARTNER")
"""A `/rest` key has no dataProvider, while the state (and `/v2`) keeps one: ATS tenants
write ATS, CRM Connect tenants may write PARTNER (§8.2). Assumed: a `/rest` call names the
record whichever of these it was stored under, looked up in this order; a new record is
stored as ATS."""

REST_PROTOCOL_REQUIRED = "2.0.0"
"""`/rest` speaks Rest.li 2.0 only (§2.1: LinkedIn asks for `X-RestLi-Protocol-Version:
2.0.0`). Assumed: a `/rest` request must say so; without the header, or with another version
(1.0.0), it is a 400 naming the header, as 2.0 syntax without its header is on `/v2`.
(LinkedIn's Python client, `linkedin-api-client`, sends the header on every call.)"""

LIVE_API_VERSIONS: tuple[str, ...] = ("202512", "202601", "202604")
"""`LinkedIn-Version` values the sandbox serves by default: the ones §2.1 shows."""

SUNSET_API_VERSIONS: tuple[str, ...] = ("202406", "202407", "202408", "202409", "202410",
                                        "202411")
"""Versions the sandbox answers 426 by default. Assumed: LinkedIn's Talent versions live
about two years, so the 2024 ones before the documented ones are gone; any other YYYYMM
is unknown (400)."""

SUNSET_MESSAGE = ("Requested version {version} is not active. Please use an active version "
                  "of the API (e.g. {latest}).")
"""The 426 answer's message (assumed wording, LinkedIn's error shape)."""

UNKNOWN_ACTOR = "urn:li:person:0"
"""`rest/seatsV2` has `createdAt.actor` (§2.5, §5.4): who gave the seat. The sandbox does not
record it (v2's `created` has only `time`); assumed a placeholder person URN."""


def seat_created_at(created: Mapping[str, Any]) -> dict[str, Any]:
    """v2's `created` ({time}) as `/rest`'s `createdAt` ({time, actor})."""
    return {"time": created.get("time"), "actor": created.get("actor", UNKNOWN_ACTOR)}

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

# -- LinkedIn Hiring Assistant evaluations (`rest/exportedApplicationEvaluations`) -------------
# Reference §5.9 names the finder (versioned /rest only) and what it returns, "Hiring
# Assistant evaluations of exported applications"; the schema was not retrieved. Assumed, the
# smallest shape that serves an ATS: the finder is keyed by the customer's organization like
# every RSC finder (q=integrationContext), with `createdAfter` (epoch ms, exclusive) to poll
# forward; each element names the export it evaluates by its push `requestId` and the member's
# person URN (how the ATS links it to the candidate and application the export created), the
# job by `externalJobPostingId`, and carries an overall fit, a summary and per-requirement
# assessments with evidence, as LinkedIn's Hiring Assistant shows them in Recruiter.

OverallFit = Literal["STRONG_FIT", "GOOD_FIT", "PARTIAL_FIT", "NOT_A_FIT"]
OVERALL_FITS: tuple[OverallFit, ...] = ("STRONG_FIT", "GOOD_FIT", "PARTIAL_FIT", "NOT_A_FIT")
Assessment = Literal["MEETS", "PARTIALLY_MEETS", "DOES_NOT_MEET", "UNKNOWN"]
ASSESSMENTS: tuple[Assessment, ...] = ("MEETS", "PARTIALLY_MEETS", "DOES_NOT_MEET", "UNKNOWN")
EVALUATIONS_RESOURCE = "exportedApplicationEvaluations"
EVALUATIONS_FINDER = "integrationContext"
EVALUATION_URN_PREFIX = "urn:li:hiringAssistantEvaluation:"


def evaluation_record(*, evaluation_id: int, integration_context: str, request_id: str,
                      person: str, job: str | None, created_at_ms: int, overall_fit: OverallFit,
                      summary: str, qualifications: Sequence[Mapping[str, str]]
                      ) -> dict[str, Any]:
    """One `exportedApplicationEvaluations` element."""
    return {"id": f"{EVALUATION_URN_PREFIX}{evaluation_id}",
            "integrationContext": integration_context, "requestId": request_id,
            "candidate": person,
            "job": {"externalJobPostingId": job} if job is not None else None,
            "createdAt": created_at_ms, "overallFit": overall_fit, "summary": summary,
            "qualifications": [{"requirement": q["requirement"],
                                "assessment": q["assessment"], "evidence": q["evidence"]}
                               for q in qualifications]}

# -- the environment of a LinkedIn app (issue 19.7) ---------------------------------------------
# Reference §9: partners get two API apps, one for production and one for dev/test; child apps
# are provisioned under one of them. LinkedIn does not say how a client learns which kind an app
# is. Assumed: the client-credentials token answer names it (`app_environment`), so a client
# knows its app's environment before its first API call, with every token it mints; a child app
# has its partner app's environment. An answer without the field says nothing (None).

AppEnvironment = Literal["PRODUCTION", "DEVELOPMENT"]
APP_ENVIRONMENTS: tuple[AppEnvironment, ...] = ("PRODUCTION", "DEVELOPMENT")
APP_ENVIRONMENT_FIELD = "app_environment"


def token_answer(access_token: str, expires_in: int,
                 environment: AppEnvironment) -> dict[str, Any]:
    """The token endpoint's 200 answer (reference §1.1, plus the app's environment)."""
    return {"access_token": access_token, "expires_in": expires_in,
            APP_ENVIRONMENT_FIELD: environment}


def app_environment_of(answer: Mapping[str, Any]) -> AppEnvironment | None:
    """The app's environment a token answer names; None when it names none we know."""
    value = answer.get(APP_ENVIRONMENT_FIELD)
    return value if value in APP_ENVIRONMENTS else None
