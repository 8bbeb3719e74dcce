"""core.integration_status: may a contract sync, and if not, why (the one decision the
pages, the pollers and the sync's status read)."""

from __future__ import annotations

from recruitlink.core.integration_status import (
    connection_status,
    contract_state,
    contract_states,
    syncing_contracts,
)

ORG, C1, C2 = "urn:li:organization:1", "urn:li:contract:1", "urn:li:contract:2"
COMPANY_ON = {"ONE_CLICK_EXPORT": "ENABLED", "IN_ATS_INDICATOR": "ENABLED",
              "PROFILE_PLUGIN": "ENABLED"}


def test_nothing_answered_yet_is_pending_at_company_level():
    state = contract_state("RSC", ORG, C1, {})
    assert (state.status, state.company, state.contract_access) == ("PENDING",) * 3
    assert not state.may_sync and "Company-level access is not turned on" in (state.reason or "")
    assert connection_status("RSC", ORG, [C1], {}) == "PENDING"


def test_company_level_alone_leaves_the_contract_pending():
    statuses = {ORG: COMPANY_ON, C1: {"CSA_API": "PENDING"}}
    state = contract_state("RSC", ORG, C1, statuses)
    assert state.status == "PENDING" and "Contract-level access" in (state.reason or "")
    assert connection_status("RSC", ORG, [C1], statuses) == "PENDING"
    # Without contracts there is no Recruiter data to wait for: company access decides.
    assert connection_status("RSC", ORG, [], statuses) == "ENABLED"


def test_both_levels_enabled_syncs():
    state = contract_state("RSC", ORG, C1, {ORG: COMPANY_ON, C1: {"CSA_API": "ENABLED"}})
    assert state.may_sync and state.reason is None and state.features_off == ()


def test_an_optional_integration_off_switches_off_only_its_feature():
    statuses = {ORG: {**COMPANY_ON, "IN_ATS_INDICATOR": "DISABLED"}, C1: {"CSA_API": "ENABLED"}}
    state = contract_state("RSC", ORG, C1, statuses)
    assert state.may_sync
    assert [i.type for i in state.features_off] == ["IN_ATS_INDICATOR"]
    assert connection_status("RSC", ORG, [C1], statuses) == "ENABLED"


def test_every_company_switch_off_disables():
    statuses = {ORG: dict.fromkeys(COMPANY_ON, "DISABLED"), C1: {"CSA_API": "ENABLED"}}
    state = contract_state("RSC", ORG, C1, statuses)
    assert state.status == "DISABLED" and "turned off" in (state.reason or "")
    assert connection_status("RSC", ORG, [C1], statuses) == "DISABLED"
    assert connection_status("RSC", ORG, [], statuses) == "DISABLED"


def test_one_contract_enabled_enables_the_tenant_and_only_it_is_read():
    statuses = {ORG: COMPANY_ON, C1: {"CSA_API": "ENABLED"}}
    states = contract_states("RSC", ORG, [C1, C2], statuses)
    assert [s.status for s in states] == ["ENABLED", "PENDING"]
    assert connection_status("RSC", ORG, [C1, C2], statuses) == "ENABLED"
    assert syncing_contracts("RSC", ORG, [C1, C2], statuses) == [C1]


def test_crm_company_level_is_the_crm_types():
    statuses = {ORG: {"CRM_ONE_CLICK_EXPORT": "ENABLED"}, C1: {"CSA_API": "ENABLED"}}
    assert contract_state("CRM", ORG, C1, statuses).may_sync
    assert not contract_state("RSC", ORG, C1, {ORG: {"CRM_ONE_CLICK_EXPORT": "ENABLED"},
                                              C1: {"CSA_API": "ENABLED"}}).may_sync
