"""Module 1, onboarding (RSC-101..105; CRM-010): `recruitlink connect` for two throwaway
tenants, the Recruiter admin's switch, and what LinkedIn holds read back."""

from __future__ import annotations

import time

from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from recruitlink.sync.connect import child_foreign_id, connect, refresh_status
from recruitlink.sync.engine import now_ms
from recruitlink.sync.visibility import EVERYONE

from .harness import Check, Harness, as_json
from .world import People, write_world


def onboarding(run: Harness) -> None:
    run.people = People()
    with run.section("setup"):
        if run.control is not None:
            shared = run.control.shared_members(5)
            run.people = People(first_user=shared[0]["person"],
                                 second_user=shared[1]["person"],
                                 exported=shared[2]["person"],
                                 matched_email=shared[3]["emailAddresses"][0],
                                 matched_person=shared[3]["person"])
            run.linked_member = str(shared[4]["person"])
        kind = "CRM" if run.options.kind == "CRM" else "ATS"
        # A second customer instance (RSC-103) needs a second company: the sandbox makes
        # one; LinkedIn gives a vendor one test company, so there it is shown by hand.
        run.suffixes = ("", "-b") if run.control is not None else ("",)
        with run.store.db.write() as conn:
            for suffix in run.suffixes:
                tenant = create_tenant(conn, ChangeSet, slug=run.slug + suffix,
                                       name=f"Certification {run.slug}{suffix}",
                                       kind=kind, now_ms=now_ms())
                run.tenant_ids.append(tenant.id)
        write_world(run.store, run.tid, crm=run.options.kind == "CRM",
                    people=run.people)
    first = "RSC-101" if run.has("RSC-101") else "CRM-010"
    with run.case(first, fatal=True) as check:
        results = [connect(run.store, run.box, run.engine, run.partner,
                           tenant_slug=run.slug + suffix,
                           organization=_another(run.organization, n),
                           contracts=[_another(run.contract, n)],
                           public_url=run.public_url)
                   for n, suffix in enumerate(run.suffixes)]
        run.callback = results[0].callback_url
        for tenant_id in run.tenant_ids:
            info = run.info(tenant_id)
            # The push URL's token is a credential of the tenant's receiver too.
            run.recorder.forget(info.client_secret, info.callback_token)
        if first == "CRM-010":
            _apps_distinct(run, check)
        else:
            _connected(run, check)
    if run.has("RSC-103"):
        with run.case("RSC-103") as check:
            _apps_distinct(run, check)
    if run.has("RSC-104"):
        with run.case("RSC-104") as check:
            client = run.client()
            export = client.integration_key(run.organization, run.types()[0])
            got = client.configuration(export, "CALLBACK_URL")
            check.that(got == run.callback, f"CALLBACK_URL is {as_json(got)}")
            check.note(f"CALLBACK_URL: the tenant's push URL under {run.public_url}")
            run.viewers(check, EVERYONE)
    if run.has("RSC-105"):
        with run.case("RSC-105") as check:
            app = run.partner.find_child_app(child_foreign_id(run.slug))
            domains = (app or {}).get("validJsSdkDomains") or []
            origin = run.public_url
            check.that(origin in domains, f"validJsSdkDomains {as_json(domains)} lack {origin}")
            check.note(f"validJsSdkDomains: {as_json(domains)}")


def _connected(run: Harness, check: Check) -> None:
    info = run.info()
    check.that(info.app_key and info.client_id and info.client_secret,
               "the child app's credentials were not stored")
    check.that(info.organization == run.organization
               and info.contract_urns == [run.contract],
               "the organization and contract URNs were not stored")
    client = run.client()
    keys = [client.integration_key(run.organization, t) for t in run.types()]
    names = [(r or {}).get("integrationName") for r in client.integrations(keys).values()]
    check.that(all(names), f"integrations without a name: {as_json(names)}")
    check.note(f"child app {info.app_key}; integrations named {as_json(names)}")
    _enable(run, check)


def _enable(run: Harness, check: Check) -> None:
    if run.control is not None:
        for context in (run.organization, run.contract):
            run.control.enable(context)
        check.note("the Recruiter admin's switch: turned on through the sandbox's "
                   "control API")
    else:
        run.say("Waiting for the customer's Recruiter admin to enable the integrations "
                 f"of {run.organization} and {run.contract}...")
    deadline = time.monotonic() + (run.options.enable_timeout_s
                                   if run.control is None else 30.0)
    status = "PENDING"
    while True:
        status, _run = refresh_status(run.store, run.box, run.engine, run.tid)
        if status == "ENABLED" or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    check.that(status == "ENABLED", f"the integrations are {status}, never ENABLED")
    kept = run.info().integrations
    check.note(f"status read back and kept: {as_json(kept)}")


def _apps_distinct(run: Harness, check: Check) -> None:
    if len(run.suffixes) < 2:
        check.manual("onboard a second customer instance (another company) and compare "
                     "the two applications' uniqueForeignId and client id")
        if run.options.kind == "CRM":
            _enable(run, check)
        return
    apps = [run.partner.find_child_app(child_foreign_id(run.slug + s))
            for s in run.suffixes]
    check.that(all(apps), "a tenant's child application was not found")
    keys = {str(a["key"]) for a in apps if a}
    ids = {str((a.get("credentials") or {}).get("client_id")) for a in apps if a}
    check.that(len(keys) == 2 and len(ids) == 2,
               "the two tenants share a child application")
    check.note(f"two tenants, two applications: {as_json(sorted(keys))}")
    if run.options.kind == "CRM":
        _enable(run, check)


def _another(urn: str, n: int) -> str:
    """The n-th throwaway company or contract next to `urn` (n = 0: `urn` itself)."""
    prefix, _, number = urn.rpartition(":")
    return urn if n == 0 else f"{prefix}:{int(number) + n}"
