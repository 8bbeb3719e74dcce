"""recruitlink's web pages (server-rendered, Jinja2): sign-in, the ATS/CRM pages, the
candidate page with the LinkedIn profile widget, and the LinkedIn integration's admin pages.

`security` (sessions, roles, CSRF) and `render` (templates) are what every page module uses.
"""

from __future__ import annotations

from fastapi import APIRouter

from recruitlink.settings import Settings
from recruitlink.store import Store

from ..wake import WAKE_SYNC
from .admin_exports import build_exports_router
from .admin_members import build_members_router
from .admin_parity import build_parity_router
from .admin_review import build_review_router
from .admin_setup import build_setup_router
from .admin_synclogs import build_synclogs_router
from .admin_webhooks import build_webhooks_page_router
from .ats import build_ats_router
from .candidate import build_candidate_router
from .candidate_contact import build_contact_router
from .candidate_files import build_candidate_files_router
from .candidate_merge import build_merge_router
from .compliance import build_compliance_pages_router
from .project_visibility import build_project_visibility_router
from .signin import build_signin_router


def build_pages_router(settings: Settings, store: Store) -> APIRouter:
    # A form that saves (an edit, a policy, a pause or resume) starts the sync's next round now.
    router = APIRouter(include_in_schema=False, dependencies=[WAKE_SYNC])
    router.include_router(build_signin_router(settings, store))
    router.include_router(build_ats_router(settings, store))
    router.include_router(build_candidate_router(settings, store))
    router.include_router(build_merge_router(store))
    router.include_router(build_contact_router(settings, store))
    router.include_router(build_project_visibility_router(store))
    router.include_router(build_candidate_files_router(settings, store))
    # The LinkedIn integration's admin pages (setup, sync logs, members) go here.
    router.include_router(build_setup_router())
    router.include_router(build_synclogs_router())
    router.include_router(build_members_router())
    router.include_router(build_exports_router())
    router.include_router(build_parity_router())
    router.include_router(build_compliance_pages_router())
    router.include_router(build_review_router())
    router.include_router(build_webhooks_page_router())
    return router
