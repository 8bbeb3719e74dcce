"""The certification cases a run covers: LinkedIn's RSC modules (reference §7) for an ATS
tenant, the CRM ids (§8.3) for a CRM tenant, each with what the run checks for it.

Where LinkedIn's own text for an id was not retrieved (RSC-106, the CRM ids), the check is our
reading of its theme and says so: a correction is a change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["RSC", "CRM"]
OUR_READING = " (our reading: LinkedIn's text for this id was not retrieved)"


@dataclass(frozen=True)
class Case:
    id: str
    module: str
    title: str
    checks: str


M1 = "Module 1: onboarding"
M2 = "Module 2: sync ATS -> LinkedIn"
M3 = "Module 3: retrieve data from LinkedIn"
M4 = "Module 4: permissions (ACLs)"
M5 = "Module 5: deletion and API versioning"
AUTH = "Authentication"
CRM_ACLS = "Module 8: ACLs"
CRM_DELETION = "Module 5: deletion"

VERSIONING = Case("RSC-505", M5, "Versioned API",
                  "The report states the API family and LinkedIn-Version in use; the "
                  "configured version is live (a read succeeds) and a sunset version is "
                  "refused with 426.")

RSC_CASES: tuple[Case, ...] = (
    Case("RSC-101", M1, "Integration named, enabled, status shown",
         "recruitlink connect provisions the child app, stores its credentials and the "
         "organization and contract URNs, names every integration; once the Recruiter admin "
         "enables them, the status read back from LinkedIn is ENABLED and kept."),
    Case("RSC-102", M1, "Job availability: PUBLIC or PRIVATE",
         "A job marked public is sent PUBLIC; a job with no choice is sent "
         "PRIVATE_TO_ATS_INTEGRATION."),
    Case("RSC-103", M1, "One application per customer instance",
         "Two tenants connected get two child applications (distinct uniqueForeignId, key and "
         "client id)."),
    Case("RSC-104", M1, "CALLBACK_URL and viewers",
         "CALLBACK_URL is the tenant's push URL; without ACLs JOB_POSTING_VIEWERS and "
         "APPLICATION_VIEWERS are ALL_PRODUCT_USERS (read back)."),
    Case("RSC-105", M1, "JS SDK domain",
         "The child application's validJsSdkDomains hold the server's origin."),
    Case("RSC-106", M1, "Access tokens",
         "Tokens are requested with POST (form-encoded), reused until they expire (one per "
         "application for the whole run) and renewed once on 401." + OUR_READING),
    Case("RSC-201", M2, "Jobs history",
         "Public, private and closed jobs, one over two years old, are sent; every job task "
         "ends SUCCEEDED; counts reconcile (store = synced)."),
    Case("RSC-202", M2, "Candidates history",
         "Every candidate is on LinkedIn (batch_get of each synced key); counts reconcile."),
    Case("RSC-203", M2, "Applications history with notes, stages and feedback",
         "Every application and its notes, stages and interview feedback are on LinkedIn; "
         "counts reconcile."),
    Case("RSC-204", M2, "New candidate; person URN stored",
         "A candidate created after the history reaches LinkedIn through the continuous sync; "
         "LinkedIn's match is read back and its person URN kept on the candidate."),
    Case("RSC-301", M3, "One-Click Export: new candidate",
         "An export from Recruiter into a job creates the candidate on that job, sourced from "
         "LinkedIn and tagged."),
    Case("RSC-302", M3, "Fields ingested from an export",
         "The report lists which candidate fields the export carried into the store."),
    Case("RSC-303", M3, "Re-export: no duplicate",
         "Exporting the same member into another job merges into the same candidate, now on "
         "both jobs."),
    Case("RSC-304", M3, "Manual link persists",
         "Linking a candidate to a member (profile widget) is kept and sent as "
         "manualMatchedMember; unlinking removes it."),
    Case("RSC-305", M3, "Profile widget when signed out",
         "The profile widget on the ATS's page, with nobody signed in to LinkedIn, shows a "
         "sign-in prompt and may be framed by the ATS's origin only (a foreign origin is "
         "refused). How it fits and scrolls in its container is for a person to look at."),
    Case("RSC-401", M4, "Secure job only for its ACL users",
         "With ACL visibility, a job with a hiring team gets an ACL and an assignee per "
         "member; in the One-Click Export picker only ACL users see it."),
    Case("RSC-402", M4, "Secure job's applications follow its ACL",
         "The secure job is sent access-restricted, its ACL names it, and its applications "
         "are synced under it."),
    Case("RSC-403", M4, "Removing an assignee removes visibility",
         "A user taken off (deactivated) loses the assignee record and the job in the picker."),
    Case("RSC-404", M4, "Re-adding the assignee restores visibility",
         "The user back gets the assignee record and the job in the picker again."),
    Case("RSC-501", M5, "Candidate notes, then the candidate",
         "Deleted in the ATS, the note and then the candidate are deleted on LinkedIn: read "
         "back, they are gone."),
    Case("RSC-502", M5, "A whole candidate",
         "A candidate with applications deleted in the ATS is gone from LinkedIn (read back)."),
    Case("RSC-503", M5, "Application notes, stages, feedback, then the application",
         "Each is deleted on LinkedIn and gone when read back."),
    Case("RSC-504", M5, "A whole application",
         "An application deleted in the ATS is gone with its stages (read back)."),
    VERSIONING,
)

CRM_CASES: tuple[Case, ...] = (
    Case("CRM-001", AUTH, "Token request by POST",
         "The token is requested with POST and a form-encoded body, never GET."),
    Case("CRM-002", AUTH, "Token reused until expiry",
         "One token per application for the whole run."),
    Case("CRM-003", AUTH, "401 handling",
         "An expired token answered 401 is renewed once and the call succeeds." + OUR_READING),
    Case("CRM-004", AUTH, "Refused credentials",
         "Wrong credentials are refused with a clear error, not retried in a loop."
         + OUR_READING),
    Case("CRM-005", AUTH, "Token only in the Authorization header",
         "No call carries a token or secret in its URL." + OUR_READING),
    Case("CRM-010", AUTH, "One developer application per tenant",
         "Two tenants connected get two child applications."),
    Case("CRM-155", CRM_ACLS, "ACL for a restricted job",
         "With ACL visibility, a job with a hiring team gets its ACL record." + OUR_READING),
    Case("CRM-156", CRM_ACLS, "Assignees for the hiring team",
         "Each member of the hiring team is an assignee of the ACL." + OUR_READING),
    Case("CRM-157", CRM_ACLS, "Viewers follow the ACL choice",
         "JOB_POSTING_VIEWERS and APPLICATION_VIEWERS are removed with ACLs (ALL_PRODUCT_USERS "
         "without)." + OUR_READING),
    Case("CRM-158", CRM_ACLS, "Only ACL users see the job",
         "In the One-Click Export picker only ACL users see the restricted job."
         + OUR_READING),
    Case("CRM-159", CRM_ACLS, "Removing an assignee removes visibility",
         "A user taken off loses the assignee record." + OUR_READING),
    Case("CRM-160", CRM_ACLS, "Re-adding the assignee restores visibility",
         "The user back gets the assignee record again." + OUR_READING),
    Case("CRM-161", CRM_ACLS, "Restricted pipelines",
         "A pipeline not shared with every recruiter is not sent; a shared one is, with "
         "accessRestricted false." + OUR_READING),
    Case("CRM-162", CRM_DELETION, "Candidate notes, then the candidate",
         "Deleted in the CRM, the note and then the candidate are gone from LinkedIn (read "
         "back)." + OUR_READING),
    Case("CRM-163", CRM_DELETION, "A candidate's place in a pipeline",
         "A pipeline membership deleted in the CRM is gone from LinkedIn." + OUR_READING),
    Case("CRM-164", CRM_DELETION, "A pipeline and its stages",
         "A pipeline deleted in the CRM is gone from LinkedIn with its stages." + OUR_READING),
    Case("CRM-165", CRM_DELETION, "An interaction",
         "An interaction deleted in the CRM is gone from LinkedIn." + OUR_READING),
    VERSIONING,
)


def cases_for(kind: Kind) -> tuple[Case, ...]:
    return RSC_CASES if kind == "RSC" else CRM_CASES
