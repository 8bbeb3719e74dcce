"""The candidate page's contact save when the store refuses the write (the candidate was
deleted between the page's read and its write): the refusal comes back as the form's error,
not as an exception (a 500)."""

from __future__ import annotations

from recruitlink.core.records import Candidate
from recruitlink.web.pages.candidate_contact import _update
from tests.conftest import make_tenant


def test_a_refused_contact_save_is_an_error_by_field(store):
    tenant = make_tenant(store)
    errors = _update(store, tenant.id, Candidate(id="GONE", emails=["ann@example.com"]))
    assert list(errors) == ["emails"], errors
    assert errors["emails"].startswith("Email addresses: "), errors


def test_an_accepted_contact_save_has_no_errors(store):
    tenant = make_tenant(store)
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", first_name="Ann"))], mode="create")
    assert _update(store, tenant.id, Candidate(id="C1", emails=["ann@example.com"])) == {}
