"""The demo customer, so a fresh sandbox has someone to sync for: a child app under the
partner, an organization and a Recruiter contract with every RSC integration ENABLED."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .api.integrations import KEY_COLUMNS
from .api.provisioning import create_child
from .recruiter.customers import record_company
from .state import Sandbox
from .store import apps, integrations, members, seats

DEMO_FOREIGN_ID = "recruitlink-demo"
DEMO_ORGANIZATION = "urn:li:organization:1001"
DEMO_CONTRACT = "urn:li:contract:2001"
DEMO_ORG_TYPES = ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN")


@dataclass
class DemoCustomer:
    app_urn: str
    client_id: str
    client_secret: str
    organization: str
    contract: str


def ensure_demo_customer(sandbox: Sandbox) -> DemoCustomer:
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        parent_id = conn.execute(select(apps.c.id).where(apps.c.parent_id.is_(None))
                                 .order_by(apps.c.id)).scalar_one()
        row = conn.execute(select(apps).where(apps.c.parent_id == parent_id,
                                              apps.c.unique_foreign_id == DEMO_FOREIGN_ID)
                           ).first()
        if row is None:
            row = create_child(conn, sandbox, parent_id, {
                "uniqueForeignId": DEMO_FOREIGN_ID, "name": "recruitlink - Demo Customer",
                "description": "The sandbox's built-in demo customer",
                "validJsSdkDomains": ["http://localhost:8000", "http://127.0.0.1:8000"]})
            wanted = [(DEMO_ORGANIZATION, t) for t in DEMO_ORG_TYPES]
            wanted.append((DEMO_CONTRACT, "CSA_API"))
            for context, itype in wanted:
                key = {"integrationContext": context, "integrationType": itype,
                       "tenantType": "RECRUITER", "dataProvider": "ATS"}
                conn.execute(integrations.insert().values(
                    app_id=row.id, name=f"Demo Customer {itype}", status="ENABLED",
                    created_at=now, last_modified_at=now,
                    **{column: key[f] for f, column in KEY_COLUMNS.items()}))
        record_company(conn, DEMO_CONTRACT, DEMO_ORGANIZATION)
        if conn.execute(select(seats.c.id).where(seats.c.contract == DEMO_CONTRACT)).first() \
                is None:
            # Five Recruiter seats on the demo contract, held by the directory's first members.
            for holder in conn.execute(select(members.c.body).order_by(members.c.urn).limit(5)):
                body = holder.body
                conn.execute(seats.insert().values(
                    contract=DEMO_CONTRACT, person=body["person"],
                    email=body["emailAddresses"][0], first_name=body["firstName"],
                    last_name=body["lastName"], active=True, created_at=now, updated_at=now))
    return DemoCustomer(app_urn=row.urn, client_id=row.client_id,
                        client_secret=row.client_secret, organization=DEMO_ORGANIZATION,
                        contract=DEMO_CONTRACT)


def ensure_demo_activity(sandbox: Sandbox, customer: DemoCustomer) -> None:
    """A little Recruiter activity on the demo contract, so the pages and the InMail, stub
    and note finders have something to show: two InMails (one answered with contact details)
    and a note. Created once per state file."""
    from .recruiter import actions as recruiter
    from .store import threads

    with sandbox.store.tx() as conn:
        if conn.execute(select(threads.c.id).limit(1)).first() is not None:
            return
        seat_id = conn.execute(select(seats.c.id).where(seats.c.contract == customer.contract)
                               .order_by(seats.c.id)).scalar()
        people = [r.urn for r in conn.execute(select(members.c.urn).order_by(members.c.urn)
                                              .offset(10).limit(3))]
    if seat_id is None or len(people) < 3:
        return
    first = recruiter.send_inmail(sandbox, seat_id=seat_id, person=people[0],
                                  subject="An engineering role at Acme",
                                  body="Hi! Would you be open to a chat about a role?")
    recruiter.reply(sandbox, thread_id=first["id"], body="Happy to talk, here are my details.",
                    share_contact_info=True)
    recruiter.send_inmail(sandbox, seat_id=seat_id, person=people[1], subject="Hello",
                          body="We are hiring data scientists.")
    recruiter.write_note(sandbox, seat_id=seat_id, person=people[2],
                         note="Met at the Paris meetup; strong in distributed systems.")
