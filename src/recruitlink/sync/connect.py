"""Connecting a tenant to LinkedIn (the service the setup page and `recruitlink connect` use):
provision its child app with the partner credentials, register the integrations of its kind
and its callback URL, store the credentials encrypted, and follow the status from PENDING to
ENABLED, starting the historical sync when it gets there."""

from __future__ import annotations

from dataclasses import dataclass

from recruitlink.core.integration_status import (
    COMPANY_TYPES,
    CONTRACT_TYPE,
    connection_status,
)
from recruitlink.core.policy import Policy
from recruitlink.crypto import SecretBox
from recruitlink.errors import ConfigurationError, LinkedInRequestError, LinkedInUnavailable
from recruitlink.linkedin import BatchOutcomes, LinkedInClient
from recruitlink.linkedin.wire import as_key
from recruitlink.store import Store, connections, parity, sync_logs
from recruitlink.store.tenants import tenant_by_slug

from . import host_events, ledger
from .engine import SyncEngine, now_ms
from .visibility import apply_viewers

ORG_TYPES = COMPANY_TYPES


@dataclass
class ConnectResult:
    tenant_id: int
    app_key: str
    status: str
    callback_url: str
    run_id: int | None


def kind_for(tenant_kind: str) -> str:
    return "CRM" if tenant_kind == "CRM" else "RSC"


def callback_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/linkedin/push/{token}"


def child_foreign_id(slug: str) -> str:
    """The tenant's child app's `uniqueForeignId` on LinkedIn."""
    return f"recruitlink-{slug}"


def connect(store: Store, box: SecretBox, engine: SyncEngine, partner: LinkedInClient, *,
            tenant_slug: str, organization: str, contracts: list[str], public_url: str,
            policy: Policy | None = None) -> ConnectResult:
    # The environment guard first: a partner app this instance may not call is refused
    # before anything is written here or sent there (core/environment.py).
    partner.check_environment()
    with store.reader() as conn:
        tenant = tenant_by_slug(conn, tenant_slug)
        before = None if tenant is None else connections.load(conn, tenant.id, box)
    if tenant is None:
        raise ConfigurationError(f"tenant: no tenant {tenant_slug!r}")
    # No policy given: the one chosen before (while disconnected, e.g. who sees which job).
    policy = policy or (before.policy if before is not None else Policy())
    if not organization.startswith("urn:li:organization:"):
        raise ConfigurationError("organization: must be urn:li:organization:<id>")
    bad = [c for c in contracts if not c.startswith("urn:li:contract:")]
    if bad:
        raise ConfigurationError(f"contract: {bad[0]!r} is not urn:li:contract:<id>")
    kind = kind_for(tenant.kind)
    now = now_ms()
    with store.db.write() as conn:
        existing = connections.load(conn, tenant.id, box)
        was = connections.status_snapshot(conn, tenant.id)
        if existing is not None and existing.status != "DISCONNECTED":
            raise ConfigurationError(f"tenant {tenant_slug} is already connected "
                                     f"({existing.status}); disconnect first")
        if existing is not None:
            connections.remove(conn, tenant.id)
            # Reconnecting syncs everything again from scratch (Beamery seed): a new
            # historical run starts with milestones from zero when it is ENABLED.
            ledger.forget_tenant_sync(conn, tenant.id)
            parity.forget_tenant(conn, tenant.id)  # its figures were of the old records
        token = connections.create(conn, tenant_id=tenant.id, kind=kind,
                                   organization=organization, contracts=contracts,
                                   policy=policy, now_ms=now)
        host_events.status_changed(conn, tenant.id, was, by="connect")

    foreign_id = child_foreign_id(tenant.slug)
    app = partner.find_child_app(foreign_id)
    if app is None:
        name = f"recruitlink - {tenant.name}"[:50]
        app = partner.create_child_app(unique_foreign_id=foreign_id, name=name,
                                       description=f"recruitlink tenant {tenant.slug}",
                                       js_domains=[public_url.rstrip("/")])
    credentials = app.get("credentials") or {}
    if not credentials.get("client_id") or not credentials.get("client_secret"):
        raise LinkedInRequestError("the provisioned application came back without credentials")
    with store.db.write() as conn:
        connections.set_app(conn, tenant.id, app_key=str(app["key"]),
                            client_id=credentials["client_id"],
                            client_secret=credentials["client_secret"], box=box)
    info = connections.load_required(store, tenant.id, box)
    client = engine.client_for(info)
    org_keys = [client.integration_key(organization, t) for t in ORG_TYPES[kind]]
    contract_keys = [client.integration_key(c, CONTRACT_TYPE) for c in contracts]
    named = client.name_integrations([(k, f"{tenant.name} {k['integrationType']}"[:200])
                                      for k in org_keys + contract_keys])
    try:
        check_named(contracts, contract_keys, named, "connected")
    except (LinkedInRequestError, LinkedInUnavailable):
        # Nothing half-connected: a workspace whose contract LinkedIn refused would wait
        # for an activation that never comes.
        with store.db.write() as conn:
            was = connections.status_snapshot(conn, tenant.id)
            connections.remove(conn, tenant.id)
            host_events.status_changed(conn, tenant.id, was, by="connect")
        raise
    url = callback_url(public_url, token)
    client.set_configuration(org_keys[0], "CALLBACK_URL", url)
    # Who sees which job (`sync.visibility`): everyone, or each job's hiring team (ACLs).
    apply_viewers(client, organization, kind, policy.visibility)
    status, run_id = refresh_status(store, box, engine, tenant.id)
    return ConnectResult(tenant.id, str(app["key"]), status, url, run_id)


def add_contracts(store: Store, box: SecretBox, engine: SyncEngine, tenant_id: int,
                  tenant_name: str, contracts: list[str]) -> list[str]:
    """Connect more contracts to a connected tenant ("+ Add Contract", SmartRecruiters seed):
    name their CSA_API integrations on LinkedIn and add them to the connection. Returns the
    contracts that were new."""
    info = connections.load_required(store, tenant_id, box)
    known = {str(c["urn"]) for c in info.contracts}
    new = [c for c in contracts if c not in known]
    if not new:
        return []
    client = engine.client_for(info)
    keys = [client.integration_key(c, CONTRACT_TYPE) for c in new]
    named = client.name_integrations([(k, f"{tenant_name} {CONTRACT_TYPE}"[:200])
                                      for k in keys])
    # Any refused: none of the approved contracts is added (never half-connected).
    check_named(new, keys, named, "added")
    with store.db.write() as conn:
        if not connections.add_contracts(conn, tenant_id, new):
            raise ConfigurationError("tenant: not connected to LinkedIn")
    return new


def check_named(contracts: list[str], keys: list[dict[str, str]], named: BatchOutcomes,
                verb: str) -> None:
    """LinkedIn refuses to integrate a contract of another company (or any it may not):
    raise, naming the first contract whose CSA_API integration it did not take, and why."""
    for contract, key in zip(contracts, keys, strict=True):
        outcome = named.get(as_key(key))
        if outcome is None or outcome.verdict == "synced":
            continue
        reason = outcome.message or f"LinkedIn answered {outcome.status}"
        if outcome.verdict == "retryable":
            raise LinkedInUnavailable(f"{contract} was not {verb}: LinkedIn could not take "
                                      f"it now ({reason}); try again.", status=outcome.status)
        raise LinkedInRequestError(f"{contract} was not {verb}: LinkedIn refused it "
                                   f"({reason}).")


def refresh_status(store: Store, box: SecretBox, engine: SyncEngine,
                   tenant_id: int) -> tuple[str, int | None]:
    """Ask LinkedIn for the status of every integration (company level, and each contract's
    CSA_API); keep them; the tenant is ENABLED when a contract may sync
    (`core.integration_status`). When it has just become ENABLED, start the historical sync.
    Returns (status, run id started or None)."""
    info = connections.load_required(store, tenant_id, box)
    client = engine.client_for(info)
    keys = [client.integration_key(info.organization, t) for t in ORG_TYPES[info.kind]]
    keys += [client.integration_key(c, CONTRACT_TYPE) for c in info.contract_urns]
    records = client.integrations(keys)
    statuses: dict[str, dict[str, str]] = {}
    # The answer keeps the order of the keys asked for (one entry per key).
    for key, record in zip(keys, records.values(), strict=True):
        statuses.setdefault(key["integrationContext"], {})[key["integrationType"]] = str(
            (record or {}).get("status") or "PENDING")
    status = connection_status(info.kind, info.organization, info.contract_urns, statuses)
    run_id = None
    with store.db.write() as conn:
        current = connections.load(conn, tenant_id, box)
        if current is None or current.status in ("DISCONNECTING", "DISCONNECTED"):
            return current.status if current else "DISCONNECTED", None
        before = connections.status_snapshot(conn, tenant_id)
        connections.set_integrations(conn, tenant_id, statuses)
        if status != current.status:
            connections.set_status(conn, tenant_id, status, now_ms())
        host_events.status_changed(conn, tenant_id, before, by="refresh_status")
        has_run = sync_logs.latest_run(conn, tenant_id) is not None
    if status == "ENABLED" and not has_run:
        run_id = engine.start_historical(tenant_id)
    return status, run_id


@dataclass
class PublicUrlChange:
    js_domain_added: bool
    callback_moved: bool


def follow_public_url(store: Store, box: SecretBox, engine: SyncEngine,
                      partner: LinkedInClient, tenant_id: int,
                      public_url: str) -> PublicUrlChange:
    """Point LinkedIn at where this server is now: the child app's `validJsSdkDomains` hold
    its origin (or the onboarding and profile widgets are refused on our pages) and the
    export integration's CALLBACK_URL is its push URL (or LinkedIn's pushes go where the
    server used to be). For a server whose URL may change between starts (the demo on other
    ports); a disconnected tenant is left alone."""
    info = connections.load_required(store, tenant_id, box)
    if info.status in ("DISCONNECTED", "DISCONNECTING"):
        return PublicUrlChange(False, False)
    origin = public_url.rstrip("/")
    added = False
    app = partner.find_child_app(child_foreign_id(info.tenant_slug))
    if app is not None:
        domains = [str(d) for d in app.get("validJsSdkDomains") or []]
        if origin not in domains:
            partner.set_child_app(str(app["key"]), {"validJsSdkDomains": [origin, *domains]})
            added = True
    client = engine.client_for(info)
    export = client.integration_key(info.organization, ORG_TYPES[info.kind][0])
    url = callback_url(public_url, info.callback_token)
    moved = client.configuration(export, "CALLBACK_URL") != url
    if moved:
        outcome = client.set_configuration(export, "CALLBACK_URL", url)
        if outcome.verdict != "synced":
            raise LinkedInRequestError(f"CALLBACK_URL: LinkedIn refused {url}: "
                                       f"{outcome.message}")
    return PublicUrlChange(added, moved)
