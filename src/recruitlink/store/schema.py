"""The ATS/CRM store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Every business record has an internal integer `id` (joins), a per-tenant `external_id` (the
caller's own id, or one we mint), and `created_at` / `modified_at` in epoch milliseconds, the
unit LinkedIn uses. Deletes are real deletes; what they remove is recorded in `changelog`,
which is written in the same transaction as every change (see changelog.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")
Millis = BigInteger


def _record(name: str, *columns: Column[Any] | UniqueConstraint) -> Table:
    """A tenant-owned record table with the common columns and the cursor index."""
    table = Table(
        name, metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
        Column("external_id", String(200), nullable=False),
        *columns,
        Column("created_at", Millis, nullable=False),
        Column("modified_at", Millis, nullable=False),
        UniqueConstraint("tenant_id", "external_id"),
        # Never reuse a deleted row's id on SQLite: the sync's ledger is keyed by it.
        sqlite_autoincrement=True,
    )
    # Listing pages through a tenant's records by (modified_at, id).
    Index(f"ix_{name}_tenant_modified", table.c.tenant_id, table.c.modified_at, table.c.id)
    return table


tenants = Table(
    "tenants", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(8), nullable=False),  # ATS | CRM | BOTH
    Column("created_at", Millis, nullable=False),
    Column("modified_at", Millis, nullable=False),
    sqlite_autoincrement=True,
)

api_keys = Table(
    "api_keys", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    # Only a hash of the key is stored: a leaked database leaks no usable key.
    Column("key_hash", String(64), nullable=False),
    Column("created_at", Millis, nullable=False),
    Column("revoked_at", Millis, nullable=True),
    sqlite_autoincrement=True,
)

users = _record(
    "users",
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("role", String(16), nullable=False),  # recruiter | admin | company_admin
    Column("is_default_integration_user", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("person_urn", String(100), nullable=True),  # the LinkedIn member, once mapped
    # Signs the user into recruitlink's pages (scrypt); never shown by the API.
    Column("password_hash", String(200), nullable=True),
)
Index("ix_users_tenant_email", users.c.tenant_id, users.c.email)

page_sessions = Table(
    "page_sessions", metadata,
    # A signed-in browser. The cookie carries a random nonce; `id` is its SHA-256, so the
    # table alone signs nobody in. Every page request reads the row: signing out (ended_at),
    # idleness (last_seen_at) and the absolute lifetime (expires_at) end it on the server.
    # No foreign keys: users and tenants are really deleted, their sessions just stop working.
    Column("id", String(64), primary_key=True),
    Column("user_id", Id, nullable=False),
    Column("tenant_id", Id, nullable=False),
    Column("created_at", Millis, nullable=False),
    Column("last_seen_at", Millis, nullable=False),
    Column("expires_at", Millis, nullable=False),
    Column("ended_at", Millis, nullable=True),
)
Index("ix_page_sessions_user", page_sessions.c.user_id)
Index("ix_page_sessions_expires", page_sessions.c.expires_at)  # pruning

signin_failures = Table(
    "signin_failures", metadata,
    # Failed sign-ins per budget and fixed window, shared by every server: scope is account
    # (workspace + email), address (client IP, IPv6 /64) or all; `key` is a keyed hash, so no
    # email or address is stored. Windows before the current one are deleted.
    Column("scope", String(16), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("window_start", Millis, primary_key=True),
    Column("failures", Integer, nullable=False),
)
Index("ix_signin_failures_window", signin_failures.c.window_start)

sources = _record(
    "sources",
    Column("name", String(200), nullable=False),
    Column("type", String(64), nullable=True),  # e.g. "Active search", "Referral"
)

source_contacts = _record(
    "source_contacts",
    Column("source_id", Id, ForeignKey("sources.id"), nullable=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=True),
    Column("first_name", String(200), nullable=True),
    Column("last_name", String(200), nullable=True),
    Column("email", String(320), nullable=True),
)

candidates = _record(
    "candidates",
    Column("first_name", String(200), nullable=True),
    Column("last_name", String(200), nullable=True),
    Column("middle_initial", String(20), nullable=True),
    Column("prefix", String(40), nullable=True),
    Column("suffix", String(40), nullable=True),
    Column("emails", Json, nullable=False),  # list[str]
    Column("phones", Json, nullable=False),  # list[{number, extension?, type?}]
    Column("addresses", Json, nullable=False),  # list[{line1, city, region, postal_code, country}]
    Column("headline", String(400), nullable=True),
    Column("current_title", String(400), nullable=True),
    Column("current_company", String(400), nullable=True),
    Column("location", String(400), nullable=True),
    Column("linkedin_url", String(400), nullable=True),
    Column("person_urn", String(100), nullable=True),
    Column("match_method", String(32), nullable=True),  # how person_urn was learned
    Column("confidential", Boolean, nullable=False, default=False),
    Column("do_not_contact", Boolean, nullable=False, default=False),
    Column("tags", Json, nullable=False),  # list[str]
    Column("source_id", Id, ForeignKey("sources.id"), nullable=True),
    Column("source_contact_id", Id, ForeignKey("source_contacts.id"), nullable=True),
    Column("creation_source", String(64), nullable=True),
    Column("resume", Json, nullable=True),  # {filename, content_type, size, url}
    # The purposes the candidate consented to (list[str]); None: none recorded. The policy
    # may share only candidates whose consent covers its purpose.
    Column("consents", Json, nullable=True),
    # Since when and why person_urn is this member (explainable identity, issue 19).
    Column("linked_at", Millis, nullable=True),
    Column("link_evidence", String(400), nullable=True),
)
Index("ix_candidates_tenant_person", candidates.c.tenant_id, candidates.c.person_urn)
Index("ix_candidates_tenant_linkedin_url", candidates.c.tenant_id, candidates.c.linkedin_url)

jobs = _record(
    "jobs",
    Column("title", String(400), nullable=False),
    Column("description", Text, nullable=True),
    Column("location", String(400), nullable=True),
    Column("status", String(16), nullable=False),  # open | closed
    Column("availability", String(16), nullable=True),  # public | private; None: policy default
    Column("confidential", Boolean, nullable=False, default=False),
    Column("published_at", Millis, nullable=True),
    Column("closed_at", Millis, nullable=True),
    Column("apply_url", String(2000), nullable=True),
    Column("requisition_code", String(200), nullable=True),
    Column("owner_id", Id, ForeignKey("users.id"), nullable=True),
    Column("viewer_ids", Json, nullable=False),  # list of users.id allowed to view (ACL)
)

applications = _record(
    "applications",
    Column("candidate_id", Id, ForeignKey("candidates.id"), nullable=False),
    Column("job_id", Id, ForeignKey("jobs.id"), nullable=False),
    Column("source", String(200), nullable=True),
    Column("current_stage", String(200), nullable=True),
    Column("disposition_reason", String(400), nullable=True),
    Column("outcome", String(16), nullable=False),  # active | hired | rejected | withdrawn
    # One hiring process per candidate and position (Comeet seed).
    UniqueConstraint("tenant_id", "candidate_id", "job_id"),
)
Index("ix_applications_candidate", applications.c.candidate_id)
Index("ix_applications_job", applications.c.job_id)

stage_transitions = _record(
    "stage_transitions",
    Column("application_id", Id, ForeignKey("applications.id"), nullable=False),
    Column("stage", String(200), nullable=False),
    Column("entered_at", Millis, nullable=False),
)
Index("ix_stage_transitions_application", stage_transitions.c.application_id)

interview_feedback = _record(
    "interview_feedback",
    Column("application_id", Id, ForeignKey("applications.id"), nullable=False),
    Column("interviewer_id", Id, ForeignKey("users.id"), nullable=True),
    Column("interview_type", String(32), nullable=True),  # phone_screen | onsite
    Column("feedback", Text, nullable=True),
    Column("evaluations", Json, nullable=False),  # list[{attribute, result}]
)
Index("ix_interview_feedback_application", interview_feedback.c.application_id)

notes = _record(
    "notes",
    Column("candidate_id", Id, ForeignKey("candidates.id"), nullable=True),
    Column("application_id", Id, ForeignKey("applications.id"), nullable=True),
    Column("author_id", Id, ForeignKey("users.id"), nullable=True),
    Column("body", Text, nullable=False),
    Column("visibility", String(16), nullable=False),  # public | private
    Column("origin", String(16), nullable=True),  # "linkedin": imported, never sent back
)
Index("ix_notes_candidate", notes.c.candidate_id)
Index("ix_notes_application", notes.c.application_id)

projects = _record(
    "projects",
    Column("title", String(400), nullable=False),
    Column("description", Text, nullable=True),
    Column("shared_with_all", Boolean, nullable=False, default=True),
    Column("owner_id", Id, ForeignKey("users.id"), nullable=True),
    Column("locations", Json, nullable=False),  # list[str]
    Column("job_ids", Json, nullable=False),  # list of jobs.id the project recruits for
)

project_stages = _record(
    "project_stages",
    Column("project_id", Id, ForeignKey("projects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("category", String(16), nullable=False),  # LinkedIn's stageCategory, lower case
    Column("position", Integer, nullable=False, default=0),
)
Index("ix_project_stages_project", project_stages.c.project_id)

project_memberships = _record(
    "project_memberships",
    Column("project_id", Id, ForeignKey("projects.id"), nullable=False),
    Column("candidate_id", Id, ForeignKey("candidates.id"), nullable=False),
    Column("stage_id", Id, ForeignKey("project_stages.id"), nullable=True),
    Column("source", String(200), nullable=True),
    Column("disposition_reason", String(400), nullable=True),
    UniqueConstraint("tenant_id", "project_id", "candidate_id"),
)
Index("ix_project_memberships_candidate", project_memberships.c.candidate_id)

interactions = _record(
    "interactions",
    Column("candidate_id", Id, ForeignKey("candidates.id"), nullable=False),
    Column("project_id", Id, ForeignKey("projects.id"), nullable=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=True),
    Column("type", String(32), nullable=False),  # email | web_session | inmail | note | ...
    Column("direction", String(16), nullable=True),  # inbound | outbound
    Column("occurred_at", Millis, nullable=False),
    Column("subject", String(400), nullable=True),
    Column("content", Text, nullable=True),
    Column("origin", String(16), nullable=True),  # "linkedin": imported, never sent back
)
Index("ix_interactions_candidate", interactions.c.candidate_id)

duplicate_alerts = _record(
    "duplicate_alerts",
    Column("candidate_id", Id, ForeignKey("candidates.id"), nullable=False),
    Column("other_candidate_id", Id, ForeignKey("candidates.id"), nullable=False),
    Column("reason", String(400), nullable=False),
    Column("status", String(16), nullable=False),  # open | resolved | dismissed
)
# The candidate page shows a candidate's alerts, on either side.
Index("ix_duplicate_alerts_candidate", duplicate_alerts.c.candidate_id)
Index("ix_duplicate_alerts_other", duplicate_alerts.c.other_candidate_id)

files = _record(
    "files",
    # A candidate's resume (slot "resume") or an application's attachment (slot: its name).
    # The bytes are in `file_chunks`, so no file is ever held whole in memory, and every
    # server sees the same files. `complete` is False while an upload streams in.
    Column("owner_entity", String(16), nullable=False),  # candidates | applications
    Column("owner_id", Id, nullable=False),
    Column("slot", String(200), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("complete", Boolean, nullable=False, default=False),
)
Index("ix_files_owner", files.c.tenant_id, files.c.owner_entity, files.c.owner_id, files.c.slot)
# One complete file per slot, even when two servers finish uploads to it at once.
Index("uq_files_slot", files.c.tenant_id, files.c.owner_entity, files.c.owner_id, files.c.slot,
      unique=True, sqlite_where=files.c.complete.is_(True),
      postgresql_where=files.c.complete.is_(True))

file_chunks = Table(
    "file_chunks", metadata,
    Column("file_id", Id, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),  # at most core.files.CHUNK_BYTES
)

changelog = Table(
    "changelog", metadata,
    # Allocated at commit time under a lock (changelog.py): sequence order is commit order.
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", Id, nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("op", String(8), nullable=False),  # create | update | delete
    Column("confidentiality", String(8), nullable=True),  # entered | left, when it changed
    Column("at", Millis, nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_changelog_tenant_seq", changelog.c.tenant_id, changelog.c.seq)


# -- sync state (the outbound sync's ledger; see sync/) ----------------------------------------

connections = Table(
    "connections", metadata,
    # A tenant's link to LinkedIn: its child app, organization, contracts and policy.
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("kind", String(8), nullable=False),  # RSC | CRM
    Column("organization", String(100), nullable=False),
    Column("contracts", Json, nullable=False),  # [{"urn", "paused"}]
    Column("app_key", String(100), nullable=True),
    Column("client_id", String(200), nullable=True),
    Column("client_secret", Text, nullable=True),  # encrypted (crypto.py), never plain
    Column("callback_token", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # PENDING|ENABLED|DISABLED|DISCONNECTED
    Column("status_changed_at", Millis, nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("policy", Json, nullable=False),
    Column("last_sync_at", Millis, nullable=True),
    Column("created_at", Millis, nullable=False),
    # LinkedIn's answer per integration: {context URN: {integrationType: status}}.
    Column("integrations", Json, nullable=True),
    # What LinkedIn said of the child app's environment with its last token (the environment
    # guard): PRODUCTION | DEVELOPMENT | UNKNOWN (it said nothing); None: not asked yet.
    Column("app_environment", String(16), nullable=True),
)

sync_runs = Table(
    "sync_runs", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # historical | disconnect
    Column("status", String(16), nullable=False),  # running | done | failed | cancelled
    Column("start_seq", Id, nullable=False),  # changelog position when the run began
    Column("started_at", Millis, nullable=False),
    Column("finished_at", Millis, nullable=True),
    Column("report", Json, nullable=True),
    sqlite_autoincrement=True,
)
Index("ix_sync_runs_tenant", sync_runs.c.tenant_id, sync_runs.c.id)

sync_milestones = Table(
    "sync_milestones", metadata,
    Column("run_id", Id, ForeignKey("sync_runs.id"), primary_key=True),
    Column("name", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("cursor", Id, nullable=False, default=0),  # last store id committed
    Column("total", Integer, nullable=True),
    Column("done", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("excluded", Integer, nullable=False, default=0),
    Column("started_at", Millis, nullable=True),
    Column("finished_at", Millis, nullable=True),
)

sync_batches = Table(
    "sync_batches", metadata,
    # Write-ahead: a batch is recorded, with its items, before anything is sent.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("run_id", Id, nullable=True),  # None: continuous sync
    Column("milestone", String(32), nullable=True),
    Column("status", String(16), nullable=False),  # prepared | committed | failed
    Column("records", Integer, nullable=False),
    Column("synced", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("retryable", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),  # unchanged: not sent
    Column("excluded", Integer, nullable=False, default=0, server_default="0"),  # by policy
    Column("calls", Integer, nullable=False, default=0),
    # Records sent so far while prepared (per call): the pages' progress inside a batch.
    Column("sent", Integer, nullable=False, default=0, server_default="0"),
    Column("cursor_after", Id, nullable=True),  # milestone id or changelog seq it covers
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("created_at", Millis, nullable=False),
    Column("committed_at", Millis, nullable=True),
    sqlite_autoincrement=True,
)
Index("ix_sync_batches_tenant", sync_batches.c.tenant_id, sync_batches.c.id)
Index("ix_sync_batches_status", sync_batches.c.tenant_id, sync_batches.c.status)
# The sync logs page: batches by status or milestone, newest first.
Index("ix_sync_batches_status_id", sync_batches.c.tenant_id, sync_batches.c.status,
      sync_batches.c.id)
Index("ix_sync_batches_milestone_id", sync_batches.c.tenant_id, sync_batches.c.milestone,
      sync_batches.c.id)

sync_batch_items = Table(
    "sync_batch_items", metadata,
    Column("batch_id", Id, ForeignKey("sync_batches.id"), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("entity_id", Id, primary_key=True),
    Column("action", String(8), nullable=False),  # upsert | delete
    Column("outcome", String(16), nullable=True),  # synced|rejected|retryable|skipped|excluded
    # Enough to delete it from LinkedIn if the record is gone when the batch is re-sent.
    Column("external_id", String(200), nullable=False),
    Column("resource", String(48), nullable=False),
    Column("li_key", Json, nullable=True),
)

sync_ledger = Table(
    "sync_ledger", metadata,
    # What LinkedIn holds for each store record: its key there, the hash of what was sent.
    Column("tenant_id", Id, primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("entity_id", Id, primary_key=True),
    Column("external_id", String(200), nullable=False),
    Column("resource", String(48), nullable=False),
    Column("li_key", Json, nullable=False),  # {"key": ..., "parent": ...}
    Column("content_hash", String(64), nullable=True),
    # synced | submitted | closing | rejected | deleted | excluded
    Column("state", String(16), nullable=False),
    Column("job_task", String(100), nullable=True),
    Column("reason", Text, nullable=True),
    Column("source_modified_at", Millis, nullable=True),
    Column("batch_id", Id, nullable=True),
    Column("updated_at", Millis, nullable=False),
)
Index("ix_sync_ledger_state", sync_ledger.c.tenant_id, sync_ledger.c.state)

sync_errors = Table(
    "sync_errors", metadata,
    # Every rejected record with its field and reason; kept, and replayable.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, nullable=False),
    Column("batch_id", Id, nullable=True),
    Column("entity", String(32), nullable=False),
    Column("entity_id", Id, nullable=False),
    # The outbound stream the record failed on (sync/streams.py): a note or a file feeds two,
    # and the sync logs count failures per stream.
    Column("stream", String(32), nullable=True),
    Column("external_id", String(200), nullable=False),
    Column("field", String(200), nullable=True),
    Column("reason", Text, nullable=False),
    Column("source", String(16), nullable=False),  # validation | linkedin | policy
    Column("status", String(16), nullable=False),  # open | replayed | resolved
    Column("created_at", Millis, nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_sync_errors_batch", sync_errors.c.batch_id, sync_errors.c.id)
Index("ix_sync_errors_tenant", sync_errors.c.tenant_id, sync_errors.c.status, sync_errors.c.id)
# A record's error history (auto-replay counts its failures in a row).
Index("ix_sync_errors_record", sync_errors.c.tenant_id, sync_errors.c.entity,
      sync_errors.c.entity_id)

failed_calls = Table(
    "failed_calls", metadata,
    # Calls to LinkedIn that failed, for support bundles (core/failed_calls.py): redacted
    # before they are written (no token, no secret), bodies bounded, kept KEEP_DAYS.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("batch_id", Id, nullable=True),
    Column("method", String(16), nullable=False),
    Column("url", Text, nullable=False),
    Column("request_headers", Json, nullable=False),  # [[name, value]]
    Column("request_body", Text, nullable=True),
    Column("status", Integer, nullable=True),  # None: no answer
    Column("response_headers", Json, nullable=False),
    Column("response_body", Text, nullable=True),
    Column("li_uuid", String(100), nullable=True),
    Column("error", Text, nullable=True),
    Column("records", Json, nullable=False),  # [[entity, id]] it carried that failed
    Column("started_at", Millis, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_failed_calls_batch", failed_calls.c.tenant_id, failed_calls.c.batch_id,
      failed_calls.c.id)
Index("ix_failed_calls_started", failed_calls.c.tenant_id, failed_calls.c.started_at)

sync_cursors = Table(
    "sync_cursors", metadata,
    Column("tenant_id", Id, primary_key=True),
    Column("name", String(32), primary_key=True),  # "changelog"
    Column("position", Id, nullable=False),
    Column("updated_at", Millis, nullable=False),
)

rate_events = Table(
    "rate_events", metadata,
    # The shared rate budget: records sent per app and resource family, last minute and day.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("client_id", String(200), nullable=False),
    Column("family", String(48), nullable=False),
    Column("at_ms", Millis, nullable=False),
    Column("records", Integer, nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_rate_events_lookup", rate_events.c.client_id, rate_events.c.family, rate_events.c.at_ms)

rate_windows = Table(
    "rate_windows", metadata,
    # Per app and family, the records of its rate_events rows: kept equal to their sum by
    # store/rate_budget.py, so a reservation never sums the whole window.
    Column("client_id", String(200), primary_key=True),
    Column("family", String(48), primary_key=True),
    Column("records", Integer, nullable=False),
)

rate_days = Table(
    "rate_days", metadata,
    Column("client_id", String(200), primary_key=True),
    Column("family", String(48), primary_key=True),
    Column("day", String(10), primary_key=True),  # UTC date: LinkedIn resets at midnight
    Column("requests", Integer, nullable=False),
)

rate_blocks = Table(
    "rate_blocks", metadata,
    # A 429's Retry-After, honoured by every process: nobody sends before `until_ms`.
    Column("client_id", String(200), primary_key=True),
    Column("family", String(48), primary_key=True),
    Column("until_ms", Millis, nullable=False),
    # 429s received, ever (the row outlives its block): /metrics reports it as a counter.
    Column("throttled", Integer, nullable=False, default=0, server_default="0"),
)

sync_leases = Table(
    "sync_leases", metadata,
    # One sync at a time per tenant, across processes: a lease renewed while working.
    Column("tenant_id", Id, primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("expires_at", Millis, nullable=False),
    # The holding process (recruitlink.processes): a holder gone from this host is taken
    # over at once instead of waiting for `expires_at`. Released leases have no row.
    Column("holder_host", String(255), nullable=True),
    Column("holder_pid", Integer, nullable=True),
    Column("holder_started", String(100), nullable=True),
)


# -- inbound: what LinkedIn sends back --------------------------------------------------------

inbox_events = Table(
    "inbox_events", metadata,
    # Pushes as received (signature checked), processed by workers. The (tenant, type,
    # request id) key makes a repeated push a no-op.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("type", String(48), nullable=False),
    Column("request_id", String(200), nullable=False),
    Column("body", Json, nullable=False),
    Column("status", String(16), nullable=False),  # pending | processing | done | failed
    Column("attempts", Integer, nullable=False, default=0),  # also the claim's token
    Column("outcome", String(32), nullable=True),  # created | merged | failed | ...
    Column("reason", Text, nullable=True),
    Column("candidate_id", Id, nullable=True),
    Column("received_at", Millis, nullable=False),
    Column("next_attempt_at", Millis, nullable=False),
    Column("processed_at", Millis, nullable=True),
    # An export's seat (urn:li:seat:N) and what it exported ({person, name, job, pipeline}):
    # the exports page and the exporting recruiter's own list read them.
    Column("seat", String(100), nullable=True),
    Column("details", Json, nullable=True),
    UniqueConstraint("tenant_id", "type", "request_id"),
    sqlite_autoincrement=True,
)
Index("ix_inbox_events_due", inbox_events.c.status, inbox_events.c.next_attempt_at)
Index("ix_inbox_events_seat", inbox_events.c.tenant_id, inbox_events.c.seat, inbox_events.c.id)
Index("ix_inbox_events_tenant", inbox_events.c.tenant_id, inbox_events.c.id)

linkedin_seats = Table(
    "linkedin_seats", metadata,
    # The customer's Recruiter seats as last pulled, and the ATS user each maps to.
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("seat", String(100), primary_key=True),  # urn:li:seat:N
    Column("contract", String(100), nullable=False),
    Column("person", String(100), nullable=True),
    Column("email", String(320), nullable=True),
    Column("first_name", String(200), nullable=True),
    Column("last_name", String(200), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("user_id", Id, ForeignKey("users.id"), nullable=True),
    Column("mapping", String(16), nullable=True),  # auto | manual; None: unmapped
    Column("change", String(200), nullable=True),  # last change detected, for the admin
    Column("mapped_at", Millis, nullable=True),
    Column("updated_at", Millis, nullable=False),
)

inbound_items = Table(
    "inbound_items", metadata,
    # Every LinkedIn item brought in (InMail event, note, stub, closure), by LinkedIn's id,
    # and what it became: pollers that re-read a window never apply an item twice.
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("kind", String(24), primary_key=True),  # inmail | note | stub | closure
    Column("li_id", String(200), primary_key=True),
    Column("candidate_id", Id, nullable=True),
    Column("record_id", Id, nullable=True),  # interactions.id / notes.id it became
    Column("outcome", String(32), nullable=False),
    Column("reason", Text, nullable=True),
    Column("li_modified_at", Millis, nullable=True),
    Column("updated_at", Millis, nullable=False),
    # Kept while the item waits for its candidate (an InMail to a member not yet in the ATS):
    # applied once a candidate is linked to `person`.
    Column("person", String(100), nullable=True),
    Column("payload", Json, nullable=True),
)
Index("ix_inbound_items_waiting", inbound_items.c.tenant_id, inbound_items.c.outcome,
      inbound_items.c.person)

linkedin_evaluations = Table(
    "linkedin_evaluations", metadata,
    # LinkedIn Hiring Assistant's evaluations of exported applications (versioned API only),
    # as last read; linked to the candidate and application the export created once they
    # exist. Deleting the candidate deletes its evaluations; deleting the application keeps
    # the evaluation on the candidate.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("li_id", String(200), nullable=False),  # urn:li:hiringAssistantEvaluation:N
    Column("request_id", String(200), nullable=True),  # the export's push request id
    Column("person", String(100), nullable=True),
    Column("job_external_id", String(200), nullable=True),
    Column("candidate_id", Id, ForeignKey("candidates.id", ondelete="CASCADE"),
           nullable=True),
    Column("application_id", Id, ForeignKey("applications.id", ondelete="SET NULL"),
           nullable=True),
    Column("overall_fit", String(32), nullable=False),
    Column("summary", Text, nullable=False),
    Column("qualifications", Json, nullable=False),  # list[{requirement, assessment, evidence}]
    Column("evaluated_at", Millis, nullable=False),  # LinkedIn's createdAt
    Column("updated_at", Millis, nullable=False),
    UniqueConstraint("tenant_id", "li_id"),
    sqlite_autoincrement=True,
)
Index("ix_linkedin_evaluations_candidate", linkedin_evaluations.c.candidate_id)
Index("ix_linkedin_evaluations_unlinked", linkedin_evaluations.c.tenant_id,
      linkedin_evaluations.c.candidate_id)


# -- the host ATS's side: events, webhooks, idempotent writes (issue 18) ----------------------

host_events = Table(
    "host_events", metadata,
    # What LinkedIn-side activity changed, what was refused or rejected, where the integration
    # stands (core/host_events.py), written in the transaction of the change it reports. The
    # sequence is the change feed's cursor; per tenant it is handed out in commit order
    # (host_events.py takes a per-tenant lock on PostgreSQL).
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("type", String(48), nullable=False),
    Column("subject", String(32), nullable=False),  # candidate | application | ... | integration
    Column("subject_id", String(200), nullable=True),  # its external id; deliveries order by it
    Column("data", Json, nullable=False),
    Column("at", Millis, nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_host_events_tenant_seq", host_events.c.tenant_id, host_events.c.seq)

webhook_endpoints = Table(
    "webhook_endpoints", metadata,
    # A tenant's receiver of Standard Webhooks deliveries.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("description", String(200), nullable=False, default=""),
    Column("types", Json, nullable=False),  # event type names; [] = every type
    Column("secret", Text, nullable=False),  # sealed (crypto.SecretBox): "whsec_..." in clear
    # During a rotation the old secret signs too, until `previous_until`.
    Column("previous_secret", Text, nullable=True),
    Column("previous_until", Millis, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=True),  # why it was disabled (by whom or by retries)
    Column("disabled_at", Millis, nullable=True),
    # The newest event sequence already turned into deliveries for this endpoint.
    Column("cursor", Id, nullable=False, default=0),
    # A delivery failed to connect (no answer): the endpoint's deliveries are held until
    # `held_until`, then only `held_by` (that delivery) is tried, until the endpoint answers.
    Column("held_until", Millis, nullable=True),
    Column("held_by", Id, nullable=True),
    Column("created_at", Millis, nullable=False),
    Column("updated_at", Millis, nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_webhook_endpoints_tenant", webhook_endpoints.c.tenant_id, webhook_endpoints.c.id)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    # One event to one endpoint: retried until delivered or given up, replayable.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, nullable=False),
    Column("endpoint_id", Id, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
           nullable=False),
    Column("event_seq", Id, ForeignKey("host_events.seq", ondelete="CASCADE"), nullable=False),
    # "subject:subject_id": a record's deliveries to one endpoint leave in event order.
    Column("record_key", String(240), nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Millis, nullable=False),
    # A worker's claim: a delivery whose claim ran out (its worker died) is taken again.
    Column("claimed_until", Millis, nullable=True),
    Column("last_code", Integer, nullable=True),
    Column("last_latency_ms", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", Millis, nullable=False),
    Column("delivered_at", Millis, nullable=True),
    UniqueConstraint("endpoint_id", "event_seq"),
    sqlite_autoincrement=True,
)
Index("ix_webhook_deliveries_due", webhook_deliveries.c.status,
      webhook_deliveries.c.next_attempt_at)
Index("ix_webhook_deliveries_record", webhook_deliveries.c.endpoint_id,
      webhook_deliveries.c.record_key, webhook_deliveries.c.event_seq)
# A claim round's candidates: each endpoint's first due deliveries, in the order they leave.
Index("ix_webhook_deliveries_endpoint_due", webhook_deliveries.c.endpoint_id,
      webhook_deliveries.c.status, webhook_deliveries.c.next_attempt_at,
      webhook_deliveries.c.id)
# Deliveries in flight (claimed, their claim not run out), counted per endpoint every round.
Index("ix_webhook_deliveries_claimed", webhook_deliveries.c.claimed_until)

webhook_attempts = Table(
    "webhook_attempts", metadata,
    # Every try of a delivery, for the endpoint's delivery log.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", Id, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
           nullable=False),
    Column("at", Millis, nullable=False),
    Column("code", Integer, nullable=True),  # the endpoint's HTTP status; None: no answer
    Column("latency_ms", Integer, nullable=False),
    Column("error", Text, nullable=True),
    sqlite_autoincrement=True,
)
Index("ix_webhook_attempts_delivery", webhook_attempts.c.delivery_id, webhook_attempts.c.id)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    # The data API's stored answers to writes sent with an `Idempotency-Key` (24 hours).
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),  # method, path and body
    Column("status_code", Integer, nullable=True),  # None: the first request is in progress
    Column("response", LargeBinary, nullable=True),
    Column("content_type", String(100), nullable=True),
    Column("created_at", Millis, nullable=False),
    Column("expires_at", Millis, nullable=False),
)
Index("ix_idempotency_keys_expires", idempotency_keys.c.expires_at)

parity_state = Table(
    "parity_state", metadata,
    # Live parity's progress per tenant and ledger entity (`*`: the tenant's round itself,
    # whose `round_at` claims it): where the pass through the ledger's ids stands, and how
    # many records its latest round read back.
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("after_id", Id, nullable=False),  # the last ledger id read back (0: a new pass)
    Column("checked", Integer, nullable=False),
    Column("round_at", Millis, nullable=False),
)

parity_drift = Table(
    "parity_drift", metadata,
    # What the latest parity rounds found LinkedIn holding differently from the ledger.
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("entity_id", Id, primary_key=True),
    Column("external_id", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # missing | stale | extra
    Column("fields", Json, nullable=False),  # stale: the fields that differ
    Column("found_at", Millis, nullable=False),
)

compliance_duties = Table(
    "compliance_duties", metadata,
    # What LinkedIn's terms oblige us to do by a date (core/compliance.py): act on a member's
    # closure, verify an erasure on LinkedIn, purge imported history past its retention.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # closure | erasure | retention
    Column("subject", String(200), nullable=False),  # person URN | candidate id | "history"
    Column("status", String(8), nullable=False),  # open | done
    Column("due_at", Millis, nullable=False),
    Column("created_at", Millis, nullable=False),
    Column("updated_at", Millis, nullable=False),
    Column("done_at", Millis, nullable=True),
    Column("process", String(32), nullable=True),  # who acted last: scheduler | api | cli | page
    Column("outcome", Text, nullable=True),  # what the last look found, for a person
    Column("detail", Json, nullable=True),  # the erasure's certificate; ids only
    UniqueConstraint("tenant_id", "kind", "subject"),
    sqlite_autoincrement=True,
)
Index("ix_compliance_duties_open", compliance_duties.c.tenant_id, compliance_duties.c.status,
      compliance_duties.c.due_at)
# The per-candidate audit view reads one record's rows of these.
Index("ix_sync_batch_items_record", sync_batch_items.c.entity, sync_batch_items.c.entity_id)
Index("ix_inbound_items_candidate", inbound_items.c.tenant_id, inbound_items.c.candidate_id)
Index("ix_host_events_subject", host_events.c.tenant_id, host_events.c.subject_id,
      host_events.c.seq)
identity_reviews = Table(
    "identity_reviews", metadata,
    # LinkedIn items (a stub profile) that could be several candidates: kept, not applied,
    # until an admin links, creates or merges (inbound/review.py).
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # stub
    Column("li_id", String(200), nullable=False),
    Column("person", String(100), nullable=True),
    Column("reason", String(400), nullable=False),
    Column("candidates", Json, nullable=False),  # [{id, name, why}]
    Column("payload", Json, nullable=False),  # the LinkedIn element
    Column("status", String(16), nullable=False),  # open | resolved
    Column("resolution", String(400), nullable=True),
    Column("created_at", Millis, nullable=False),
    Column("resolved_at", Millis, nullable=True),
    UniqueConstraint("tenant_id", "kind", "li_id"),
    sqlite_autoincrement=True,
)
Index("ix_identity_reviews_open", identity_reviews.c.tenant_id, identity_reviews.c.status)

candidate_merges = Table(
    "candidate_merges", metadata,
    # A candidate merged into another: what it was and what moved, so unmerge undoes it.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("kept", String(200), nullable=False),  # external ids
    Column("merged", String(200), nullable=False),
    Column("snapshot", Json, nullable=False),  # the merged candidate, as the data API shows it
    Column("moved", Json, nullable=False),  # {entity: [external ids moved to kept]}
    Column("kept_before", Json, nullable=False),  # kept's fields the merge changed, before
    Column("reason", String(400), nullable=True),
    Column("merged_at", Millis, nullable=False),
    Column("unmerged_at", Millis, nullable=True),
    sqlite_autoincrement=True,
)
Index("ix_candidate_merges_kept", candidate_merges.c.tenant_id, candidate_merges.c.kept)
