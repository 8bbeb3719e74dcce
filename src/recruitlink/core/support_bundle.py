"""A support bundle (issue 19.6): what LinkedIn support asks for about a failed record, batch
or call (reference §4, §9: the API key, i.e. the client id, the full request and response,
and the `x-li-uuid`), in one zip an admin downloads and attaches to a ticket:

    README.md     what failed, when, each call's x-li-uuid, and what to send where
    calls.har     the calls as HAR 1.2 (what browsers' and proxies' tools read)
    bundle.json   the same, and the failed records, as one JSON document

Built only from what was kept (already redacted, core/failed_calls.py); every file is passed
through the redaction once more with the secrets the caller knows, so a secret that slipped
into a stored body still never leaves.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from .failed_calls import FailedCall
from .redaction import clean

Subject = Literal["record", "batch", "call"]
SUPPORT = ("LinkedIn partner support (linkedin.zendesk.com): attach this zip; they ask for the "
           "API key (client id), the full request and response and the x-li-uuid of each "
           "call, all below.")


@dataclass(frozen=True)
class BundleFacts:
    subject: Subject
    subject_id: int
    tenant: str
    client_id: str | None
    version: str
    """recruitlink's version."""
    created_at_ms: int
    api: str
    """Which LinkedIn API the instance speaks (e.g. the LinkedIn-Version)."""


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds"
                                                             ).replace("+00:00", "Z")


def filename(facts: BundleFacts) -> str:
    stamp = datetime.fromtimestamp(facts.created_at_ms / 1000, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"recruitlink-support-{facts.tenant}-{facts.subject}-{facts.subject_id}-{stamp}.zip"


def _call_json(call: FailedCall) -> dict[str, Any]:
    return {"id": call.id, "startedAt": iso(call.started_at_ms), "durationMs": call.duration_ms,
            "xLiUuid": call.li_uuid,
            "request": {"method": call.method, "url": call.url,
                        "headers": dict(call.request_headers), "body": call.request_body},
            "response": None if call.status is None else {
                "status": call.status, "headers": dict(call.response_headers),
                "body": call.response_body},
            "error": call.error,
            # recruitlink's own row ids of the records it carried that failed (the records'
            # ids in the ATS are under "records" at the top).
            "records": [{"entity": e, "storeId": i} for e, i in call.records]}


def _record_json(error: Mapping[str, Any]) -> dict[str, Any]:
    return {"errorId": error["id"], "batchId": error.get("batch_id"),
            "entity": error["entity"], "id": error["external_id"], "field": error.get("field"),
            "reason": error["reason"], "foundBy": error["source"], "status": error["status"],
            "at": iso(error.get("created_at"))}


def _har_entry(call: FailedCall) -> dict[str, Any]:
    parts = urlsplit(call.url)
    content_type = dict((k.lower(), v) for k, v in call.request_headers).get("content-type")
    request: dict[str, Any] = {
        "method": call.method, "url": call.url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": [{"name": n, "value": v} for n, v in call.request_headers],
        "queryString": [{"name": n, "value": v} for n, v in parse_qsl(parts.query,
                                                                       keep_blank_values=True)],
        "headersSize": -1, "bodySize": len((call.request_body or "").encode())}
    if call.request_body is not None:
        request["postData"] = {"mimeType": content_type or "application/json",
                               "text": call.request_body}
    answered = dict((k.lower(), v) for k, v in call.response_headers)
    response = {
        "status": call.status or 0, "statusText": "" if call.status else (call.error or ""),
        "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": [{"name": n, "value": v} for n, v in call.response_headers],
        "content": {"size": len((call.response_body or "").encode()),
                    "mimeType": answered.get("content-type", ""),
                    "text": call.response_body or ""},
        "redirectURL": "", "headersSize": -1, "bodySize": -1}
    entry: dict[str, Any] = {
        "startedDateTime": iso(call.started_at_ms), "time": call.duration_ms,
        "request": request, "response": response, "cache": {},
        "timings": {"send": 0, "wait": call.duration_ms, "receive": 0}}
    if call.li_uuid:
        entry["comment"] = f"x-li-uuid: {call.li_uuid}"
    return entry


def _readme(facts: BundleFacts, records: Sequence[Mapping[str, Any]],
            calls: Sequence[FailedCall]) -> str:
    lines = [f"# recruitlink support bundle: {facts.subject} {facts.subject_id}", "",
             SUPPORT, "",
             f"- Workspace: {facts.tenant}",
             f"- LinkedIn app (API key / client id): {facts.client_id or 'not connected'}",
             f"- LinkedIn API: {facts.api}",
             f"- recruitlink version: {facts.version}",
             f"- Made at: {iso(facts.created_at_ms)}", ""]
    lines += ["## Failed calls", ""]
    if calls:
        lines += ["| When (UTC) | Call | Status | x-li-uuid |", "|---|---|---|---|"]
        for call in calls:
            path = urlsplit(call.url).path
            status = (f"no answer: {call.error}" if call.status is None else
                      f"{call.status}, records refused" if call.status < 400 else call.status)
            lines.append(f"| {iso(call.started_at_ms)} | {call.method} {path} | {status} | "
                         f"{call.li_uuid or '(none)'} |")
        lines += ["", "Each call's request (headers, body) and response (status, headers, "
                  "body) are in calls.har and bundle.json; Authorization and every other "
                  "secret are removed."]
    else:
        lines.append("No call to LinkedIn is kept for this: the records below were refused "
                     "before sending (recruitlink's checks or policy), or the calls are older "
                     "than the kept days.")
    if records:
        lines += ["", "## Failed records", "", "| Record | Field | Reason | Found by |",
                  "|---|---|---|---|"]
        for r in records:
            reason = str(r["reason"]).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {r['entity']} {r['external_id']} | {r.get('field') or ''} | "
                         f"{reason} | {r['source']} |")
    return "\n".join(lines) + "\n"


def build(facts: BundleFacts, records: Sequence[Mapping[str, Any]],
          calls: Sequence[FailedCall], *, secrets: Sequence[str] = ()) -> bytes:
    """The bundle's zip bytes."""
    har = {"log": {"version": "1.2",
                   "creator": {"name": "recruitlink", "version": facts.version},
                   "comment": f"{facts.subject} {facts.subject_id} of {facts.tenant}",
                   "entries": [_har_entry(c) for c in calls]}}
    document = {"bundle": {"subject": facts.subject, "id": facts.subject_id,
                           "tenant": facts.tenant, "clientId": facts.client_id,
                           "linkedinApi": facts.api, "recruitlinkVersion": facts.version,
                           "createdAt": iso(facts.created_at_ms)},
                "xLiUuids": [c.li_uuid for c in calls if c.li_uuid],
                "records": [_record_json(r) for r in records],
                "calls": [_call_json(c) for c in calls]}
    files = {"README.md": _readme(facts, records, calls),
             "calls.har": json.dumps(har, indent=2, ensure_ascii=False),
             "bundle.json": json.dumps(document, indent=2, ensure_ascii=False)}
    out = io.BytesIO()
    # Stored, not compressed: the bytes are searchable as they are (a check, or a person,
    # can grep the zip itself for a secret), and the files are small (bodies are bounded).
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=datetime.fromtimestamp(
                facts.created_at_ms / 1000, UTC).timetuple()[:6])
            archive.writestr(info, clean(text, secrets).encode())
    return out.getvalue()
