"""`recruitlink seed`: realistic synthetic ATS/CRM data with three years of history.

What the seeds describe an ATS/CRM as holding, with the mess a real one has: users (recruiters,
admins, a company admin), sources and source contacts (Comeet's "[user] (LinkedIn Recruiter)",
type "Active search"), jobs open and closed (public, private or unset availability, a few
confidential), candidates (0-3 emails, phones with extensions, addresses, LinkedIn URLs, tags;
~2% confidential, ~1% do-not-contact, ~2% with an invalid email and ~2% with an invalid phone,
the sync errors PageUp names; ~1% duplicate-looking pairs, with some duplicate alerts),
applications with stage histories and outcomes, interview feedback, notes public and private,
and for CRM tenants projects (some not shared with all recruiters), project stages, memberships
and interactions.

Which entities a tenant gets follows its kind: ATS tenants get no projects, CRM tenants no
applications (and what hangs off them); BOTH gets everything.

The output is a function of (seed, candidates, kind, now_ms, tenant slug) alone: one
`random.Random(seed)` drives everything, times are whole seconds (so epoch milliseconds
round-trip exactly through datetimes), and external ids are sequence numbers (C000001,
J0001, A0000001, ...). Records are generated and written in chunks of candidates, each chunk
with everything that hangs off its candidates in one transaction, so memory stays flat.
Models are built with `model_construct` (valid by construction; a test validates a sample).
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Connection, exists, select

from recruitlink.core import records as m
from recruitlink.errors import SeedError

from . import Store
from .changelog import ChangeSet
from .entities import ENTITIES
from .tenants import KINDS, Tenant, create_tenant, tenant_by_slug

__all__ = ["CHUNK_CANDIDATES", "SeedData", "SeedError", "Step", "seed"]

CHUNK_CANDIDATES = 2000
"""Candidates (with their applications, notes, ...) generated and written per transaction."""

DAY = 86_400
HOUR = 3_600
YEARS = 3
WINDOW = YEARS * 365 * DAY

# The order records are written in: parents before the records that point at them.
ORDER = ("users", "sources", "source_contacts", "jobs", "projects", "project_stages",
         "candidates", "applications", "stage_transitions", "interview_feedback", "notes",
         "project_memberships", "interactions", "duplicate_alerts")


@dataclass(frozen=True)
class Step:
    """Progress: one generated chunk, one write of one entity, or one commit."""

    kind: Literal["generate", "write", "commit"]
    entity: str
    """The entity written; "setup" or "chunk" for generate and commit steps."""
    records: int
    seconds: float


ProgressFn = Callable[[Step], None]


# -- vocabulary -------------------------------------------------------------------------------

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty",
    "Mark", "Margaret", "Priya", "Wei", "Aarav", "Mei", "Oluwaseun", "Chiamaka", "Mateo",
    "Sofia", "Lucas", "Camila", "Noah", "Emma", "Liam", "Olivia", "Hiroshi", "Yuki", "Ahmed",
    "Fatima", "Omar", "Layla", "Ivan", "Olga", "Sven", "Ingrid", "Pierre", "Amélie", "Jürgen",
    "Zoë", "Siobhan", "Seán", "Nguyen", "Anh", "Ji-woo", "Min-jun", "Rahul", "Ananya", "Kofi",
    "Ama", "Diego", "Valentina", "Lars", "Freya", "José", "María", "Ali", "Zeynep")
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Patel", "Shah", "Kumar", "Chen", "Wang", "Li", "Zhang", "Kim", "Park", "Tanaka", "Sato",
    "Müller", "Schmidt", "Schneider", "Dubois", "Moreau", "Rossi", "Russo", "O'Brien",
    "O'Connor", "Murphy", "Kowalski", "Nowak", "Ivanova", "Petrov", "Okafor", "Adeyemi",
    "Mensah", "Silva", "Santos", "Oliveira", "Andersson", "Johansson", "Van der Berg",
    "De la Cruz", "Al-Sayed", "Haddad", "Cohen", "Levi", "Yilmaz", "Kaya")
PREFIXES = ("Dr.", "Mr.", "Ms.", "Mrs.", "Prof.", "Mx.")
SUFFIXES = ("Jr.", "Sr.", "II", "III", "PhD", "MBA", "CPA")
TITLES = (
    "Software Engineer", "Senior Software Engineer", "Staff Engineer", "Engineering Manager",
    "Data Scientist", "Data Engineer", "Product Manager", "Senior Product Manager",
    "UX Designer", "Product Designer", "DevOps Engineer", "Site Reliability Engineer",
    "QA Engineer", "Account Executive", "Sales Development Representative",
    "Customer Success Manager", "Marketing Manager", "Content Strategist", "Financial Analyst",
    "Controller", "HR Business Partner", "Talent Acquisition Partner", "Recruiter",
    "Operations Manager", "Supply Chain Analyst", "Registered Nurse", "Mechanical Engineer",
    "Electrical Engineer", "Legal Counsel", "Office Manager", "Chief Financial Officer",
    "VP of Engineering", "Head of People")
COMPANIES = (
    "Northwind Traders", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella Health",
    "Stark Industries", "Wayne Enterprises", "Acme Corp", "Hooli", "Pied Piper", "Vandelay "
    "Industries", "Soylent", "Tyrell", "Cyberdyne Systems", "Wonka Foods", "Gringotts Bank",
    "Oceanic Airlines", "Blue Sun", "Massive Dynamic", "Aperture Labs", "Black Mesa",
    "Duff Brewing", "Monarch Solutions", "Nakatomi Trading", "Rekall", "Virtucon", "Zorg")
CITIES = (
    ("San Francisco", "CA", "US", "94105"), ("New York", "NY", "US", "10001"),
    ("Austin", "TX", "US", "73301"), ("Seattle", "WA", "US", "98101"),
    ("Chicago", "IL", "US", "60601"), ("Boston", "MA", "US", "02108"),
    ("Denver", "CO", "US", "80202"), ("Atlanta", "GA", "US", "30303"),
    ("Toronto", "ON", "CA", "M5H 2N2"), ("Vancouver", "BC", "CA", "V6B 1A1"),
    ("London", "England", "GB", "EC1A 1BB"), ("Manchester", "England", "GB", "M1 1AE"),
    ("Dublin", "Leinster", "IE", "D02 X285"), ("Berlin", "Berlin", "DE", "10115"),
    ("Munich", "Bavaria", "DE", "80331"), ("Paris", "Île-de-France", "FR", "75001"),
    ("Amsterdam", "North Holland", "NL", "1012 JS"), ("Stockholm", "Stockholm", "SE",
                                                       "111 22"),
    ("Sydney", "NSW", "AU", "2000"), ("Melbourne", "VIC", "AU", "3000"),
    ("Bengaluru", "Karnataka", "IN", "560001"), ("Singapore", "Singapore", "SG", "018956"),
    ("Tel Aviv", "Tel Aviv", "IL", "6100000"), ("São Paulo", "SP", "BR", "01000-000"))
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Market St", "High Street", "Station Road",
           "King St", "Elm St", "Park Lane", "Church Road", "Mill Lane", "Harbour Way")
SKILLS = ("Python", "Java", "TypeScript", "Go", "Kubernetes", "AWS", "SQL", "Machine Learning",
          "Sales", "Leadership", "Design", "Figma", "Salesforce", "Finance", "Nursing",
          "Bilingual", "Remote", "Relocation", "Silver medalist", "Alumni", "Referral",
          "Campus 2023", "Executive", "Diversity pipeline", "Contractor")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com",
                 "inbox.example.net", "post.example.org")
CREATION_SOURCES = ("Career site", "Manual", "Import", "Referral", "Agency", "Job board",
                    "Email")
JOB_DEPARTMENTS = ("Engineering", "Product", "Design", "Sales", "Marketing", "Finance",
                   "People", "Operations", "Customer Success", "Legal")
LEVELS = ("", "Senior ", "Lead ", "Junior ", "Principal ")
STAGES = ("Applied", "Screen", "Phone Interview", "Onsite", "Offer", "Hired")
REJECT_REASONS = ("Not a fit for the role", "Insufficient experience", "Position filled",
                  "Salary expectations too high", "Failed technical assessment",
                  "Overqualified", "Location / work authorization", "No show to interview",
                  "Culture add concerns")
WITHDRAW_REASONS = ("Accepted another offer", "Candidate withdrew", "Compensation",
                    "Relocation not possible", "Personal reasons")
APPLICATION_SOURCES = ("LinkedIn", "Company website", "Indeed", "Referral", "Agency",
                       "LinkedIn Recruiter", "Glassdoor", "Career fair")
EVAL_ATTRIBUTES = ("Communication", "Technical depth", "Problem solving", "Collaboration",
                   "Role fit", "Leadership")
EVAL_RESULTS = ("Strong yes", "Yes", "Mixed", "No", "Strong no")
NOTE_BODIES = (
    "Spoke with {first} about the role; interested, available in {weeks} weeks.",
    "{first} prefers remote work; open to {city} for the right team.",
    "Left a voicemail for {first}. Will follow up on {day}.",
    "Great conversation - strong background at {company}. Moving forward.",
    "Compensation expectations discussed; within band.",
    "Not looking right now, check back in {weeks} months.",
    "Referred by a current employee on the {dept} team.",
    "Reference check completed, all positive.",
    "Asked to be contacted by email only.",
    "Met {first} at the {city} meetup; keep warm for {dept} roles.",
)
PRIVATE_NOTE_BODIES = (
    "Confidential: currently at {company}, do not reach out through their work email.",
    "Salary history shared privately - see offer file.",
    "Counter-offer likely; handle with care.",
    "Sensitive: candidate disclosed a pending relocation.",
)
FEEDBACK = (
    "Solid fundamentals, communicated clearly, a bit light on system design.",
    "Strong ownership mindset; examples were concrete and recent.",
    "Struggled with the exercise but asked good questions.",
    "Would be a great addition to the team; recommend moving forward.",
    "Not enough depth for the level; might fit a more junior opening.",
    "Excellent stakeholder management, crisp written follow-up.",
)
PROJECT_SUBJECTS = ("Backend engineers", "Data talent", "Sales leaders", "Design community",
                    "Nurses", "Campus graduates", "Silver medalists", "Boomerang alumni",
                    "Diversity in tech", "Customer success", "Finance professionals",
                    "Product managers")
PRIVATE_PROJECT_TITLES = ("Executive search: CFO", "Confidential: VP Engineering backfill",
                          "Board advisor search", "Confidential: GM EMEA",
                          "Stealth team build-out")
PROJECT_STAGE_SETS = (
    (("Prospects", "lead"), ("Contacted", "contacted"), ("Replied", "replied"),
     ("Interviewing", "interview"), ("Hired", "hired")),
    (("Nurture", "nurture"), ("Engaged", "replied"), ("Applied", "applied"),
     ("Archived", "archived")),
    (("Sourced", "lead"), ("Reached out", "contacted"), ("Screen", "screen"),
     ("Interview", "interview"), ("Offer", "offer"), ("Not interested", "declined")),
    (("Talent pool", "nurture"), ("Shortlist", "screen"), ("Other", "other")),
)
MEMBERSHIP_SOURCES = ("LinkedIn Recruiter", "Event", "Referral", "Manual", "Career site",
                      "Import")
INTERACTION_TYPES: tuple[tuple[str, float], ...] = (
    ("email", 0.33), ("web_session", 0.18), ("inmail", 0.14), ("call", 0.10), ("note", 0.08),
    ("meeting", 0.05), ("sms", 0.05), ("event", 0.03), ("application", 0.02), ("other", 0.02))
EMAIL_SUBJECTS = ("Quick question about your next move", "Opportunity at {company}",
                  "Following up", "Re: {title} role", "Interview schedule", "Thanks for your time",
                  "Your application", "Coffee chat?")
RESUME_TYPES = (("pdf", "application/pdf"), ("pdf", "application/pdf"),
                ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
INVALID_EMAILS = ("{f}.{l}@", "{f} at example dot com", "{f}.{l}@@example.com",
                  "{f} {l}@example.com", "{f}.{l}@example", "@example.com", "{f}.{l}.example.com",
                  "{f}.{l}@example..com", "mailto:{f}@example.com;", "n/a", "{f}@exa mple.org")
INVALID_PHONES = ("12", "call me", "n/a", "000", "555", "+", "ask for extension", "tbd",
                  "123456789012345678901234", "none", "--", "x1234")


def _ascii(name: str) -> str:
    table = str.maketrans({"é": "e", "ü": "u", "ë": "e", "á": "a", "í": "i", "ó": "o",
                           "ö": "o", "ä": "a", "ç": "c", "ñ": "n"})
    return "".join(ch for ch in name.translate(table).lower() if ch.isalnum())


def _dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# -- what was generated, kept for the records that point at it ---------------------------------

@dataclass
class _User:
    ext: str
    first: str
    last: str
    email: str
    role: str
    created: int


@dataclass
class _Source:
    ext: str
    name: str
    type: str
    contacts: list[str] = field(default_factory=list)
    user: _User | None = None


@dataclass
class _Job:
    ext: str
    title: str
    published: int
    closed: int | None


@dataclass
class _Project:
    ext: str
    created: int
    stages: list[tuple[str, str]]
    """(external id, category)"""


@dataclass
class _Recent:
    ext: str
    first: str
    last: str
    emails: list[str]
    phones: list[m.Phone]


Batch = list[tuple[str, list[BaseModel]]]


class SeedData:
    """The synthetic data, generated lazily: `setup()` then `chunks()`; pure, no I/O."""

    def __init__(self, slug: str, candidates: int, *, seed: int = 1, kind: str = "BOTH",
                 now_ms: int, chunk_size: int = CHUNK_CANDIDATES) -> None:
        if candidates < 0:
            raise SeedError("candidates: must be 0 or more")
        if kind not in KINDS:
            raise SeedError(f"kind: must be one of {', '.join(KINDS)}")
        self.slug = slug
        self.n = candidates
        self.kind = kind
        self.ats = kind in ("ATS", "BOTH")
        self.crm = kind in ("CRM", "BOTH")
        self.chunk_size = max(1, chunk_size)
        self.rng = random.Random(seed)
        self.now = now_ms // 1000
        self.start = self.now - WINDOW
        # Users and sources exist first; the rest of the history starts two weeks in.
        self.begin = self.start + 14 * DAY
        self.limit = self.now - 60  # nothing is later than a minute before now
        self.users: list[_User] = []
        self.sources: list[_Source] = []
        self.source_weights: list[float] = []
        self.jobs: list[_Job] = []
        self.jobs_by_month: list[list[int]] = []
        self.projects: list[_Project] = []
        self.recent: list[_Recent] = []
        self.counters: dict[str, int] = dict.fromkeys(ORDER, 0)
        self._setup_done = False

    # -- sizes --------------------------------------------------------------------------------

    @property
    def n_users(self) -> int:
        return max(5, round(self.n / 200))

    @property
    def n_jobs(self) -> int:
        return max(10, round(self.n / 50))

    @property
    def n_projects(self) -> int:
        return max(5, round(self.n / 100)) if self.crm else 0

    def _next(self, entity: str) -> int:
        self.counters[entity] += 1
        return self.counters[entity]

    def _times(self, created: int, *, changed: float = 0.6) -> dict[str, Any]:
        """created_at, and a modified_at at or after it: the same, or (with probability
        `changed`) a later time, most often soon after."""
        modified = created
        if self.limit > created and self.rng.random() < changed:
            modified = created + int((self.limit - created) * self.rng.random() ** 2)
        return {"created_at": _dt(created), "modified_at": _dt(modified)}

    # -- setup: users, sources, jobs, projects -----------------------------------------------

    def setup(self) -> Batch:
        rng = self.rng
        users: list[BaseModel] = []
        used_emails: set[str] = set()
        for i in range(1, self.n_users + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = f"{_ascii(first)}.{_ascii(last)}"
            email = f"{local}@{self.slug}.example.com"
            if email in used_emails:
                email = f"{local}{i}@{self.slug}.example.com"
            used_emails.add(email)
            role: Any = ("company_admin" if i == 1 else "admin" if rng.random() < 0.12
                         else "recruiter")
            created = self.start + rng.randint(0, 10 * DAY)
            user = _User(f"U{i:03d}", first, last, email, role, created)
            self.users.append(user)
            users.append(m.User.model_construct(
                id=user.ext, name=f"{first} {last}", email=email, role=role,
                is_default_integration_user=False,
                active=i <= 2 or rng.random() > 0.08, **self._times(created)))
        self.counters["users"] = len(users)

        sources: list[BaseModel] = []
        contacts: list[BaseModel] = []
        fixed = (("Company website", "Career site", 30.0), ("LinkedIn Jobs", "Job board", 14.0),
                 ("Indeed", "Job board", 10.0), ("Employee referral", "Referral", 10.0),
                 ("Northbridge Talent", "Agency", 4.0), ("Harbour Search Partners", "Agency",
                                                         2.0),
                 ("University career fair", "Event", 4.0), ("Glassdoor", "Job board", 3.0))
        for name, type_, weight in fixed:
            self.sources.append(_Source(f"S{len(self.sources) + 1:02d}", name, type_))
            self.source_weights.append(weight)
        # Comeet: "[user name] (LinkedIn Recruiter)", type "Active search", one per recruiter
        # who sourced from LinkedIn, with that user as its source contact.
        for user in self.users:
            if user.role != "company_admin" and rng.random() < 0.6:
                self.sources.append(_Source(f"S{len(self.sources) + 1:02d}",
                                            f"{user.first} {user.last} (LinkedIn Recruiter)",
                                            "Active search", user=user))
                self.source_weights.append(8.0 / max(1, len(self.users)))
        for source in self.sources:
            created = self.start + rng.randint(0, 10 * DAY)
            sources.append(m.Source.model_construct(id=source.ext, name=source.name,
                                                    type=source.type, **self._times(created)))
            wanted = (1 if source.user is not None
                      else rng.randint(2, 4) if source.type in ("Referral", "Agency") else 0)
            for k in range(wanted):
                ext = f"{source.ext}-C{k + 1}"
                source.contacts.append(ext)
                when = max(created, source.user.created if source.user else 0) + rng.randint(
                    0, 3 * DAY)
                if source.user is not None:
                    u = source.user
                    contacts.append(m.SourceContact.model_construct(
                        id=ext, source_id=source.ext, user_id=u.ext, first_name=u.first,
                        last_name=u.last, email=u.email, **self._times(when)))
                else:
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                    domain = ("example.org" if source.type == "Agency"
                              else f"{self.slug}.example.com")
                    contacts.append(m.SourceContact.model_construct(
                        id=ext, source_id=source.ext, first_name=first, last_name=last,
                        email=f"{_ascii(first)}.{_ascii(last)}@{domain}",
                        **self._times(when)))
        self.counters["sources"] = len(sources)
        self.counters["source_contacts"] = len(contacts)

        batch: Batch = [("users", users), ("sources", sources),
                        ("source_contacts", contacts), ("jobs", self._jobs())]
        if self.crm:
            projects, stages = self._projects()
            batch += [("projects", projects), ("project_stages", stages)]
        self._setup_done = True
        return batch

    def _jobs(self) -> list[BaseModel]:
        rng = self.rng
        span = self.limit - 2 * DAY - self.begin
        count = self.n_jobs
        # Long enough openings that some job is open at any time, whatever the count.
        typical = max(45 * DAY, 4 * span // count)
        out: list[BaseModel] = []
        confidential_at = {rng.randrange(count)}  # at least one confidential job
        for i in range(count):
            ext = f"J{i + 1:04d}"
            published = self.begin + int(span * (i + rng.random()) / count)
            created = max(self.begin, published - rng.randint(0, 7 * DAY))
            closes = (None if rng.random() < 0.05
                      else published + int(typical * rng.uniform(0.8, 2.5)))
            closed = closes if closes is not None and closes <= self.limit else None
            level = rng.choice(LEVELS)
            title = f"{level}{rng.choice(TITLES)}".replace("Senior Senior", "Senior")
            dept = rng.choice(JOB_DEPARTMENTS)
            city, region, country, _ = rng.choice(CITIES)
            roll = rng.random()
            availability = "public" if roll < 0.6 else "private" if roll < 0.85 else None
            owner = rng.choice(self.users)
            viewers = sorted({u.ext for u in rng.sample(self.users,
                                                         rng.randint(0, min(4, len(self.users))))}
                             - {owner.ext})
            last_change = closed if closed is not None else published
            modified = (last_change + rng.randint(0, min(DAY, self.limit - last_change))
                        if closed is not None
                        else last_change + int((self.limit - last_change) * rng.random() ** 3))
            values: dict[str, Any] = dict(
                id=ext, title=title,
                description=(f"{self.slug.title()} is hiring a {title} in {dept} "
                             f"({city}). You will work with a small, senior team.\n\n"
                             f"Requirements: {rng.randint(2, 10)}+ years of experience, "
                             f"{rng.choice(SKILLS)}, {rng.choice(SKILLS)}."),
                location=f"{city}, {region}, {country}" if rng.random() < 0.9 else "Remote",
                status="closed" if closed is not None else "open",
                availability=availability,
                confidential=i in confidential_at or rng.random() < 0.03,
                published_at=_dt(published), closed_at=_dt(closed) if closed else None,
                requisition_code=f"REQ-{_dt(created).year}-{i + 1:04d}",
                owner_id=owner.ext, viewer_ids=viewers,
                created_at=_dt(created), modified_at=_dt(max(modified, created)))
            if availability == "public":
                values["apply_url"] = f"https://careers.{self.slug}.example.com/jobs/{ext}"
            out.append(m.Job.model_construct(**values))
            self.jobs.append(_Job(ext, title, published, closed))
        # Which jobs are open at some point of each 30-day window: application targets.
        months = (self.limit - self.start) // (30 * DAY) + 1
        self.jobs_by_month = [[] for _ in range(months)]
        for index, job in enumerate(self.jobs):
            end = job.closed if job.closed is not None else self.limit
            for month in range(self._month(job.published), self._month(end) + 1):
                self.jobs_by_month[month].append(index)
        self.counters["jobs"] = len(out)
        return out

    def _month(self, t: int) -> int:
        return min(len(self.jobs_by_month) - 1, max(0, (t - self.start) // (30 * DAY)))

    def _projects(self) -> tuple[list[BaseModel], list[BaseModel]]:
        rng = self.rng
        projects: list[BaseModel] = []
        stages: list[BaseModel] = []
        count = self.n_projects
        span = self.limit - 30 * DAY - self.begin
        private_at = {rng.randrange(count)}  # at least one not shared with all recruiters
        for i in range(count):
            ext = f"P{i + 1:03d}"
            created = self.begin + int(span * (i + rng.random()) / count)
            shared = not (i in private_at or rng.random() < 0.18)
            city = rng.choice(CITIES)[0]
            title = (f"{rng.choice(PRIVATE_PROJECT_TITLES)} ({i + 1})" if not shared
                     else f"{rng.choice(PROJECT_SUBJECTS)} - {city} ({i + 1})")
            earlier = [j.ext for j in self.jobs if j.published <= created]
            job_ids = (sorted(rng.sample(earlier, min(len(earlier), rng.randint(0, 2))))
                       if earlier and rng.random() < 0.5 else [])
            projects.append(m.Project.model_construct(
                id=ext, title=title,
                description=("Confidential search; visible to the search team only."
                             if not shared else f"Pipeline of {title.split(' - ')[0].lower()} "
                                                f"for upcoming openings."),
                shared_with_all=shared, owner_id=rng.choice(self.users).ext,
                locations=sorted({city, rng.choice(CITIES)[0]}), job_ids=job_ids,
                **self._times(created)))
            project = _Project(ext, created, [])
            stage_set: tuple[tuple[Any, Any], ...] = rng.choice(PROJECT_STAGE_SETS)
            for position, (name, category) in enumerate(stage_set):
                stage_ext = f"{ext}-S{position + 1}"
                project.stages.append((stage_ext, category))
                stages.append(m.ProjectStage.model_construct(
                    id=stage_ext, project_id=ext, name=name, category=category,
                    position=position, **self._times(created + position, changed=0.1)))
            self.projects.append(project)
        self.counters["projects"] = len(projects)
        self.counters["project_stages"] = len(stages)
        return projects, stages

    # -- candidates and everything that hangs off them ---------------------------------------

    def chunks(self) -> Iterator[Batch]:
        if not self._setup_done:
            raise RuntimeError("call setup() first")
        for first in range(0, self.n, self.chunk_size):
            yield self._chunk(first, min(self.n, first + self.chunk_size))

    def _chunk(self, first: int, end: int) -> Batch:
        out: dict[str, list[BaseModel]] = {name: [] for name in ORDER[6:]}
        span = self.limit - DAY - self.begin
        for i in range(first, end):
            created = self.begin + int(span * (i + self.rng.random()) / max(1, self.n))
            self._candidate(i + 1, created, out)
        return [(name, items) for name, items in out.items() if items]

    def _email(self, first: str, last: str, rng: random.Random) -> str:
        f, l_ = _ascii(first) or "x", _ascii(last) or "x"
        pattern = rng.random()
        local = (f"{f}.{l_}" if pattern < 0.45 else f"{f[0]}{l_}" if pattern < 0.65
                 else f"{f}_{l_}{rng.randint(1, 99)}" if pattern < 0.85
                 else f"{f}{l_}{rng.randint(70, 99)}")
        return f"{local}@{rng.choice(EMAIL_DOMAINS)}"

    def _phone(self, rng: random.Random) -> m.Phone:
        style = rng.random()
        line = rng.randint(100, 199)  # 555-01xx: reserved for fiction
        area = rng.choice((212, 415, 512, 617, 206, 312, 303, 404))
        if style < 0.4:
            number = f"+1 ({area}) 555-{line:04d}"
        elif style < 0.6:
            number = f"{area}-555-{line:04d}"
        elif style < 0.75:
            number = f"+44 20 7946 0{rng.randint(0, 999):03d}"
        elif style < 0.85:
            number = f"+49 30 {rng.randint(1000000, 9999999)}"
        else:
            number = f"+1{area}555{line:04d}"
        type_ = rng.choice(("mobile", "mobile", "work", "home", "other", None))
        values: dict[str, Any] = {"number": number}
        if type_ is not None:
            values["type"] = type_
        if type_ == "work" and rng.random() < 0.35:
            values["extension"] = str(rng.randint(10, 9999))
        return m.Phone.model_construct(**values)

    def _candidate(self, number: int, created: int, out: dict[str, list[BaseModel]]) -> None:
        rng = self.rng
        ext = f"C{number:06d}"
        duplicate_of: _Recent | None = None
        if self.recent and rng.random() < 0.012:
            pick = rng.choice(self.recent)
            if pick.emails or pick.phones:
                duplicate_of = pick
        if duplicate_of is not None:
            first, last = duplicate_of.first, duplicate_of.last
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)

        emails: list[str] = []
        roll = rng.random()
        for _ in range(0 if roll < 0.07 else 1 if roll < 0.67 else 2 if roll < 0.92 else 3):
            email = self._email(first, last, rng)
            if email not in emails:
                emails.append(email)
        phones: list[m.Phone] = []
        roll = rng.random()
        for _ in range(0 if roll < 0.25 else 1 if roll < 0.85 else 2):
            phones.append(self._phone(rng))

        dup_reason = ""
        if duplicate_of is not None:
            # Same name, and an email or phone that is the same but for a detail.
            if duplicate_of.emails and (not duplicate_of.phones or rng.random() < 0.6):
                local, _, domain = duplicate_of.emails[0].partition("@")
                variant = rng.random()
                near = (f"{local.title()}@{domain.upper()}" if variant < 0.3
                        else f"{local}+jobs@{domain}" if variant < 0.55
                        else f"{local.replace('.', '')}@{domain}" if variant < 0.8
                        else f" {local}@{domain} ")
                emails = [near, *emails[:1]]
                dup_reason = f"Same name and a similar email ({duplicate_of.emails[0]})"
            else:
                original = duplicate_of.phones[0].number
                digits = "".join(ch for ch in original if ch.isdigit() or ch == "+")
                phones = [m.Phone.model_construct(
                    number=digits if digits != original else f"{original[:-4]} {original[-4:]}",
                    type="mobile")]
                dup_reason = f"Same name and a similar phone ({original})"

        invalid = rng.random()
        f, l_ = _ascii(first) or "x", _ascii(last) or "x"
        if invalid < 0.022:  # PageUp: "The email address is invalid"
            bad = rng.choice(INVALID_EMAILS).format(f=f, l=l_)
            emails = [bad, *emails[:1]] if rng.random() < 0.7 else [*emails[:1], bad]
        elif invalid < 0.044:  # "The phone number is invalid"
            phones = [m.Phone.model_construct(number=rng.choice(INVALID_PHONES)), *phones[:1]]

        source = rng.choices(self.sources, weights=self.source_weights)[0] \
            if rng.random() < 0.85 else None
        from_linkedin = source is not None and source.user is not None
        values: dict[str, Any] = {"id": ext, "first_name": first, "last_name": last,
                                  "emails": emails, "phones": phones}
        if rng.random() < 0.04:
            values["prefix"] = rng.choice(PREFIXES)
        if rng.random() < 0.03:
            values["suffix"] = rng.choice(SUFFIXES)
        if rng.random() < 0.15:
            values["middle_initial"] = rng.choice("ABCDEFGHJKLMNPRSTVW")
        city, region, country, postal = rng.choice(CITIES)
        roll = rng.random()
        if roll < 0.6:
            addresses = [m.Address.model_construct(
                line1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", city=city, region=region,
                postal_code=postal, country=country)]
            if roll < 0.06:
                other = rng.choice(CITIES)
                addresses.append(m.Address.model_construct(city=other[0], region=other[1],
                                                           country=other[2]))
            values["addresses"] = addresses
        if rng.random() < 0.9:
            values["location"] = f"{city}, {region}, {country}"
        if rng.random() < 0.85:
            title, company = rng.choice(TITLES), rng.choice(COMPANIES)
            values["current_title"] = title
            values["current_company"] = company
            if rng.random() < 0.7:
                values["headline"] = f"{title} at {company}"
        if from_linkedin or rng.random() < 0.4:
            slug = f"{f}-{l_}-{rng.getrandbits(24):06x}"
            style = rng.random()
            values["linkedin_url"] = (f"https://www.linkedin.com/in/{slug}" if style < 0.8
                                      else f"https://linkedin.com/in/{slug}/" if style < 0.92
                                      else f"http://www.linkedin.com/in/{slug}?trk=public")
        tags = sorted(set(rng.sample(SKILLS, rng.choice((0, 0, 1, 1, 2, 3)))))
        if from_linkedin:
            tags.append("Imported: LinkedIn Recruiter")  # Comeet's export tag
        values["tags"] = tags
        if source is not None:
            values["source_id"] = source.ext
            if source.contacts and (from_linkedin or rng.random() < 0.4):
                values["source_contact_id"] = rng.choice(source.contacts)
        values["creation_source"] = ("LinkedIn" if from_linkedin
                                     else rng.choice(CREATION_SOURCES))
        if rng.random() < 0.5:
            suffix, content_type = rng.choice(RESUME_TYPES)
            values["resume"] = m.Resume.model_construct(
                filename=f"{f}_{l_}_resume.{suffix}", content_type=content_type,
                size=rng.randint(20_000, 2_000_000),
                url=f"https://files.{self.slug}.example.com/resumes/{ext}")
        values["confidential"] = rng.random() < 0.02
        values["do_not_contact"] = rng.random() < 0.01
        values.update(self._times(created, changed=0.7))
        out["candidates"].append(m.Candidate.model_construct(**values))
        self.counters["candidates"] += 1

        if duplicate_of is not None and rng.random() < 0.6:
            when = created + rng.randint(0, min(HOUR, self.limit - created))
            status: Any = rng.choice(("open", "open", "resolved", "dismissed"))
            out["duplicate_alerts"].append(m.DuplicateAlert.model_construct(
                id=f"D{self._next('duplicate_alerts'):05d}", candidate_id=ext,
                other_candidate_id=duplicate_of.ext, reason=dup_reason, status=status,
                **self._times(when, changed=0.0 if status == "open" else 1.0)))

        self.recent.append(_Recent(ext, first, last, emails, phones))
        if len(self.recent) > 200:
            del self.recent[:100]

        memberships: list[_Project] = []
        if self.crm:
            memberships = self._memberships(ext, created, out)
        if self.ats:
            self._applications(ext, first, created, out)
        self._candidate_notes(ext, first, created, values.get("current_company"), out)
        self._interactions(ext, created, memberships, out)

    def _applications(self, cand: str, first: str, created: int,
                      out: dict[str, list[BaseModel]]) -> None:
        rng = self.rng
        roll = rng.random()
        wanted = (0 if roll < 0.1 else 1 if roll < 0.4 else 2 if roll < 0.7
                  else 3 if roll < 0.88 else 4)
        used: set[int] = set()
        last_hour = self.limit - HOUR
        for _ in range(wanted):
            for _attempt in range(6):
                t = min(last_hour, created + int(rng.expovariate(1 / (25 * DAY))))
                pool = self.jobs_by_month[self._month(t)]
                if not pool:
                    continue
                index = rng.choice(pool)
                if index in used:
                    continue
                job = self.jobs[index]
                lo = max(created, job.published)
                hi = min(job.closed if job.closed is not None else last_hour, last_hour)
                if lo > hi:
                    continue
                applied = min(max(t, lo), hi)
                used.add(index)
                self._application(cand, first, job, applied, out)
                break

    def _application(self, cand: str, first: str, job: _Job, applied: int,
                     out: dict[str, list[BaseModel]]) -> None:
        rng = self.rng
        ext = f"A{self._next('applications'):07d}"
        roll = rng.random()
        if job.closed is not None:
            outcome = "rejected" if roll < 0.75 else "withdrawn" if roll < 0.9 else "hired"
        else:
            outcome = ("active" if roll < 0.55 else "rejected" if roll < 0.87
                       else "withdrawn" if roll < 0.97 else "hired")
        if outcome == "hired":
            depth = len(STAGES)
        else:
            roll = rng.random()
            depth = (1 if roll < 0.35 else 2 if roll < 0.6 else 3 if roll < 0.78
                     else 4 if roll < 0.9 else 5)
        # Gaps between stages (and to the decision), squeezed to fit before now.
        gaps = [rng.randint(HOUR, 10 * DAY) for _ in range(depth)]
        room = self.limit - applied
        total = sum(gaps)
        if total > room:
            gaps = [max(1, g * room // (total + 1)) for g in gaps]
        times = [applied]
        for gap in gaps[:-1]:
            times.append(times[-1] + gap)
        decided = min(self.limit, times[-1] + gaps[-1])
        modified = decided if outcome != "active" else min(
            self.limit, times[-1] + int((self.limit - times[-1]) * rng.random() ** 4))
        values: dict[str, Any] = dict(
            id=ext, candidate_id=cand, job_id=job.ext, source=rng.choice(APPLICATION_SOURCES),
            current_stage=STAGES[depth - 1], outcome=outcome,
            created_at=_dt(applied), modified_at=_dt(max(modified, times[-1])))
        if outcome == "rejected":
            values["disposition_reason"] = rng.choice(REJECT_REASONS)
        elif outcome == "withdrawn":
            values["disposition_reason"] = rng.choice(WITHDRAW_REASONS)
        out["applications"].append(m.Application.model_construct(**values))
        for k, entered in enumerate(times):
            at = _dt(entered)
            out["stage_transitions"].append(m.StageTransition.model_construct(
                id=f"{ext}-S{k + 1}", application_id=ext, stage=STAGES[k], entered_at=at,
                created_at=at, modified_at=at))
            self.counters["stage_transitions"] += 1
        # Feedback from the interviews the candidate reached.
        feedback = 0
        for k, entered in enumerate(times):
            kind: Any = {2: "phone_screen", 3: "onsite"}.get(k)
            if kind is None:
                continue
            for _ in range(1 if kind == "phone_screen" else rng.randint(1, 2)):
                when = min(self.limit, entered + rng.randint(HOUR, 2 * DAY))
                evaluations = [m.Evaluation.model_construct(attribute=a,
                                                            result=rng.choice(EVAL_RESULTS))
                               for a in rng.sample(EVAL_ATTRIBUTES, rng.randint(0, 3))]
                feedback += 1
                self.counters["interview_feedback"] += 1
                out["interview_feedback"].append(m.InterviewFeedback.model_construct(
                    id=f"{ext}-F{feedback}", application_id=ext,
                    interviewer_id=rng.choice(self.users).ext,
                    interview_type=kind, feedback=rng.choice(FEEDBACK),
                    evaluations=evaluations, **self._times(when, changed=0.3)))
        roll = rng.random()
        for _ in range(0 if roll < 0.7 else 1 if roll < 0.92 else 2):
            when = applied + rng.randint(0, max(0, min(modified, self.limit) - applied))
            out["notes"].append(self._note(first, None, when, application_id=ext))

    def _note(self, first: str, company: str | None, when: int, *, candidate_id: str | None =
              None, application_id: str | None = None) -> BaseModel:
        rng = self.rng
        private = rng.random() < 0.2
        body = rng.choice(PRIVATE_NOTE_BODIES if private else NOTE_BODIES).format(
            first=first, weeks=rng.randint(2, 8), city=rng.choice(CITIES)[0],
            day=rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
            company=company or "their current employer", dept=rng.choice(JOB_DEPARTMENTS))
        values: dict[str, Any] = dict(id=f"N{self._next('notes'):07d}", body=body,
                                      visibility="private" if private else "public")
        if candidate_id is not None:
            values["candidate_id"] = candidate_id
        else:
            values["application_id"] = application_id
        if rng.random() < 0.95:
            values["author_id"] = rng.choice(self.users).ext
        return m.Note.model_construct(**values, **self._times(when, changed=0.15))

    def _candidate_notes(self, cand: str, first: str, created: int, company: str | None,
                         out: dict[str, list[BaseModel]]) -> None:
        roll = self.rng.random()
        for _ in range(0 if roll < 0.5 else 1 if roll < 0.8 else 2 if roll < 0.95 else 3):
            when = created + int((self.limit - created) * self.rng.random())
            out["notes"].append(self._note(first, company, when, candidate_id=cand))

    def _memberships(self, cand: str, created: int,
                     out: dict[str, list[BaseModel]]) -> list[_Project]:
        rng = self.rng
        roll = rng.random()
        wanted = 0 if roll < 0.55 else 1 if roll < 0.85 else 2 if roll < 0.96 else 3
        chosen: list[_Project] = []
        for _ in range(wanted):
            project = rng.choice(self.projects)
            if project in chosen:
                continue
            chosen.append(project)
            base = max(created, project.created + 10)  # after the project's stages
            when = min(self.limit, base + int(rng.expovariate(1 / (20 * DAY))))
            stage_ext, category = rng.choice(project.stages)
            values: dict[str, Any] = dict(
                id=f"M{self._next('project_memberships'):07d}", project_id=project.ext,
                candidate_id=cand, stage_id=stage_ext, source=rng.choice(MEMBERSHIP_SOURCES))
            if category in ("declined", "archived", "rejected"):
                values["disposition_reason"] = rng.choice(
                    ("Not interested", "Not a fit", "Hired elsewhere", "No response"))
            out["project_memberships"].append(m.ProjectMembership.model_construct(
                **values, **self._times(when)))
        return chosen

    def _interactions(self, cand: str, created: int, projects: list[_Project],
                      out: dict[str, list[BaseModel]]) -> None:
        rng = self.rng
        roll = rng.random()
        wanted = (0 if roll < 0.3 else 1 if roll < 0.5 else 2 if roll < 0.7
                  else 3 if roll < 0.85 else rng.randint(4, 8))
        types = [t for t, _ in INTERACTION_TYPES]
        weights = [w for _, w in INTERACTION_TYPES]
        for kind in rng.choices(types, weights=weights, k=wanted):
            occurred = created + int((self.limit - created) * rng.random())
            values: dict[str, Any] = dict(id=f"I{self._next('interactions'):07d}",
                                          candidate_id=cand, type=kind,
                                          occurred_at=_dt(occurred))
            if kind in ("email", "inmail", "call", "sms"):
                values["direction"] = "outbound" if rng.random() < 0.6 else "inbound"
            elif kind in ("web_session", "event", "application"):
                values["direction"] = "inbound"
            if kind not in ("web_session", "application"):
                values["user_id"] = rng.choice(self.users).ext
            if kind in ("email", "inmail"):
                values["subject"] = rng.choice(EMAIL_SUBJECTS).format(
                    company=self.slug.title(), title=rng.choice(TITLES))
                values["content"] = "Hi - I came across your profile and wanted to reach out."
            elif kind == "web_session":
                values["subject"] = rng.choice(("Visited careers page", "Viewed job posting",
                                                "Opened newsletter"))
            if projects and rng.random() < 0.5:
                project = rng.choice(projects)
                if project.created + 10 <= occurred:
                    values["project_id"] = project.ext
            out["interactions"].append(m.Interaction.model_construct(
                **values, **self._times(occurred, changed=0.1)))


# -- writing ----------------------------------------------------------------------------------

def _has_data(conn: Connection, tenant_id: int) -> bool:
    for spec in ENTITIES.values():
        table = spec.table
        query = select(exists().where(table.c.tenant_id == tenant_id))
        if spec.name == "users":
            query = select(exists().where(table.c.tenant_id == tenant_id,
                                          table.c.is_default_integration_user.is_(False)))
        if conn.execute(query).scalar():
            return True
    return False


def _write(store: Store, tenant_id: int, batch: Batch, counts: dict[str, int],
           progress: ProgressFn | None) -> None:
    clock = time.perf_counter  # measurement only; no data depends on it
    with store.writer(tenant_id) as writer:
        for name, items in batch:
            if not items:
                continue
            started = clock()
            outcomes = writer.records(name, list(enumerate(items)), mode="create")
            bad = [o for o in outcomes if o.status != "created"]
            if bad:
                raise SeedError(f"{name}: {len(bad)} record(s) not created, first: "
                                f"{bad[0].id} {bad[0].errors}")
            counts[name] = counts.get(name, 0) + len(items)
            if progress is not None:
                progress(Step("write", name, len(items), clock() - started))
        pending = len(writer.changes)
        started = clock()
    if progress is not None:
        progress(Step("commit", "chunk", pending, clock() - started))


def seed(store: Store, tenant_slug: str, candidates: int, *, seed: int = 1, kind: str = "BOTH",
         now_ms: int | None = None, progress: ProgressFn | None = None,
         chunk_size: int = CHUNK_CANDIDATES) -> dict[str, int]:
    """Fill a new (or empty) tenant with synthetic data; returns records created per entity.

    The tenant is created (of `kind`) if missing; an existing tenant must hold nothing but its
    default integration user, and keeps its own kind. Refuses (SeedError) otherwise.
    """
    if now_ms is None:
        now_ms = int(time.time()) * 1000
    now_ms -= now_ms % 1000
    if kind not in KINDS:
        raise SeedError(f"kind: must be one of {', '.join(KINDS)}")
    with store.db.write() as conn:
        tenant: Tenant | None = tenant_by_slug(conn, tenant_slug)
        if tenant is None:
            try:
                tenant = create_tenant(conn, ChangeSet, slug=tenant_slug,
                                       name=tenant_slug.replace("-", " ").title(), kind=kind,
                                       now_ms=now_ms - WINDOW * 1000)
            except ValueError as exc:
                raise SeedError(str(exc)) from exc
        elif _has_data(conn, tenant.id):
            raise SeedError(f"tenant {tenant_slug!r} already holds records; seed a new tenant "
                            f"(seeding twice would duplicate or collide)")
    data = SeedData(tenant_slug, candidates, seed=seed, kind=tenant.kind, now_ms=now_ms,
                    chunk_size=chunk_size)
    # A chunk is a few hundred thousand live objects, none in a reference cycle: at the
    # default threshold (700) the collector runs thousands of times per chunk and was ~40% of
    # the run. Collect rarely while seeding; the previous thresholds come back at the end.
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    try:
        return _seed_all(store, tenant.id, data, progress)
    finally:
        gc.set_threshold(*thresholds)


def _seed_all(store: Store, tenant_id: int, data: SeedData,
              progress: ProgressFn | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    clock = time.perf_counter
    started = clock()
    setup = data.setup()
    if progress is not None:
        progress(Step("generate", "setup", sum(len(items) for _, items in setup),
                      clock() - started))
    _write(store, tenant_id, setup, counts, progress)
    chunks = data.chunks()
    while True:
        started = clock()
        batch = next(chunks, None)
        if batch is None:
            break
        if progress is not None:
            progress(Step("generate", "chunk", sum(len(items) for _, items in batch),
                          clock() - started))
        _write(store, tenant_id, batch, counts, progress)
    return {name: counts.get(name, 0) for name in ORDER}

