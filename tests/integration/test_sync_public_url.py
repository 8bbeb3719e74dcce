"""A server that moved (the demo restarted on other ports) tells LinkedIn where it is now:
the child app's JS SDK domains and the export integration's CALLBACK_URL follow its URL."""

from __future__ import annotations

from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import connections, schema
from recruitlink.sync.connect import connect, follow_public_url
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.support.linkedin import integration_key

ORG = "urn:li:organization:5600"
OLD, NEW = "http://127.0.0.1:18001", "http://127.0.0.1:18002"


def test_the_child_app_and_the_callback_follow_the_public_url(store, tenant, li):
    engine = SyncEngine(store, SecretBox("k" * 32), EngineSettings(
        api_url=li.url, oauth_url=li.url, ats_base_url=OLD))
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    try:
        result = connect(store, engine.box, engine, partner, tenant_slug=tenant.slug,
                         organization=ORG, contracts=[], public_url=OLD)
        app = li.control.get(f"/apps/{result.app_key}").json()
        assert app["validJsSdkDomains"] == [OLD]

        changed = follow_public_url(store, engine.box, engine, partner, tenant.id, NEW)
        assert changed.js_domain_added and changed.callback_moved
        app = li.control.get(f"/apps/{result.app_key}").json()
        assert app["validJsSdkDomains"][0] == NEW
        client = engine.client_for(connections.load_required(store, tenant.id, engine.box))
        callback = client.configuration(integration_key(ORG, "ONE_CLICK_EXPORT"),
                                             "CALLBACK_URL")
        assert callback == result.callback_url.replace(OLD, NEW)

        # Nothing to change the second time; a disconnected tenant is left alone.
        again = follow_public_url(store, engine.box, engine, partner, tenant.id, NEW)
        assert not again.js_domain_added and not again.callback_moved
        with store.db.write() as conn:
            conn.execute(schema.connections.update().values(status="DISCONNECTED"))
        gone = follow_public_url(store, engine.box, engine, partner, tenant.id, OLD)
        assert not gone.js_domain_added and not gone.callback_moved
    finally:
        engine.close()
        partner.close()
