"""sync errors: the outbound stream each record failed on (a note feeds candidate_notes or
application_notes, a file candidate_resumes or application_attachments), so the sync logs
count failed records per stream; existing errors get theirs from their batch's item, else
from their entity's only stream, else from the note's or file's owner

Revision ID: 0024_sync_error_streams
Revises: 0023_compliance
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_sync_error_streams"
down_revision = "0023_compliance"
branch_labels = None
depends_on = None

# sync/streams.py as of this revision (a migration must not follow later edits of it).
BY_RESOURCE = {
    "simpleJobPostings": "jobs", "atsEntityAcls": "job_acls",
    "atsEntityAclAssignees": "acl_assignees", "atsCandidates": "candidates",
    "atsCandidates/resume": "candidate_resumes", "atsApplications": "applications",
    "atsApplications/stages": "stage_transitions", "attachments": "application_attachments",
    "atsCandidates/notes": "candidate_notes", "atsApplications/notes": "application_notes",
    "atsApplications/interviewFeedback": "interview_feedback", "tcrmPipelines": "projects",
    "tcrmPipelineStages": "project_stages", "tcrmCandidatePipelines": "project_memberships",
    "tcrmInteractions": "interactions",
}
ONLY_STREAM = {
    "jobs": "jobs", "job_acls": "job_acls", "users": "acl_assignees",
    "candidates": "candidates", "applications": "applications",
    "stage_transitions": "stage_transitions", "interview_feedback": "interview_feedback",
    "projects": "projects", "project_stages": "project_stages",
    "project_memberships": "project_memberships", "interactions": "interactions",
}


def upgrade() -> None:
    with op.batch_alter_table("sync_errors") as batch:
        batch.add_column(sa.Column("stream", sa.String(32), nullable=True))
    errors = sa.table("sync_errors", sa.column("stream"), sa.column("batch_id"),
                      sa.column("entity"), sa.column("entity_id"))
    items = sa.table("sync_batch_items", sa.column("batch_id"), sa.column("entity"),
                     sa.column("entity_id"), sa.column("resource"))
    notes = sa.table("notes", sa.column("id"), sa.column("candidate_id"))
    files = sa.table("files", sa.column("id"), sa.column("owner_entity"))
    unset = errors.c.stream.is_(None)
    for resource, stream in BY_RESOURCE.items():
        op.execute(errors.update().where(unset, sa.exists().where(
            items.c.batch_id == errors.c.batch_id, items.c.entity == errors.c.entity,
            items.c.entity_id == errors.c.entity_id, items.c.resource == resource))
            .values(stream=stream))
    for entity, stream in ONLY_STREAM.items():
        op.execute(errors.update().where(unset, errors.c.entity == entity).values(stream=stream))
    op.execute(errors.update().where(unset, errors.c.entity == "notes", sa.exists().where(
        notes.c.id == errors.c.entity_id, notes.c.candidate_id.is_not(None)))
        .values(stream="candidate_notes"))
    op.execute(errors.update().where(unset, errors.c.entity == "notes")
               .values(stream="application_notes"))
    op.execute(errors.update().where(unset, errors.c.entity == "files", sa.exists().where(
        files.c.id == errors.c.entity_id, files.c.owner_entity == "candidates"))
        .values(stream="candidate_resumes"))
    op.execute(errors.update().where(unset, errors.c.entity == "files")
               .values(stream="application_attachments"))


def downgrade() -> None:
    with op.batch_alter_table("sync_errors") as batch:
        batch.drop_column("stream")
