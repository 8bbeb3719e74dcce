"""Which LinkedIn API family is in use is said where people look: the admin Setup page and
`recruitlink sync status` (the demo's first table: tests/unit/test_demo_where_to_look.py)."""

from __future__ import annotations

import html

from recruitlink.linkedin.versions import ApiVersion
from tests.conftest import both_families
from tests.integration import test_pages_admin
from tests.integration.test_pages_admin import BASE
from tests.integration.test_sync_progress_truth import cli

site = test_pages_admin.site  # the same served app and sandbox fixture

WORDS = {"202604": "LinkedIn API: versioned, LinkedIn-Version 202604 (Rest.li 2.0)",
         "v2": "LinkedIn API: unversioned v2 (Rest.li 1.0) — resumes on applications and "
               "Hiring Assistant evaluations need the versioned API"}


@both_families
def test_setup_page_and_sync_status_name_the_api_family(linkedin_api_version, site):
    page = site.client("ada@acme.example").get(BASE)
    assert page.status_code == 200, page.text
    assert WORDS[linkedin_api_version] in html.unescape(page.text)
    done = cli(site.store, "sync", "status", "--tenant", "acme")
    assert done.returncode == 0, done.stderr
    assert WORDS[linkedin_api_version] in " ".join(done.stdout.split())
    assert ApiVersion.parse(linkedin_api_version).describe() == WORDS[linkedin_api_version]
