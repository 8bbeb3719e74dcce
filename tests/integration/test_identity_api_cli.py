"""The review queue and merges through the HTTP API and the CLI (issue 19, part 3), on SQLite
and PostgreSQL: list and resolve, merge and unmerge, and a clear 4xx naming the field for
every bad request; the candidate's API representation says since when and why it is linked."""

from __future__ import annotations

import json

from recruitlink.core.records import Candidate
from recruitlink.inbound.stubs import apply_stub
from tests.integration.test_data_api import api  # noqa: F401  (fixture)
from tests.integration.test_identity_review import now, stub
from tests.integration.test_sync_progress_truth import cli


def error_fields(r) -> list[str]:
    return [e["field"] for e in r.json()["error"]["errors"]]


def test_review_and_merges_through_the_api_and_the_cli(api):  # noqa: F811
    store, tenant, http = api.store, api.tenant, api.client
    with store.writer(tenant.id) as w:
        w.records("candidates", [
            (0, Candidate(id="K1", first_name="Jane", last_name="Doe")),
            (1, Candidate(id="K2", first_name="Jane", last_name="Doe"))], "create")
        assert apply_stub(w, stub("s1", "urn:li:person:jd", "Jane", "Doe"), now()) == "review"

    (item,) = http.get("/linkedin/review").json()["items"]
    assert [c["id"] for c in item["candidates"]] == ["K1", "K2"]
    assert (item["name"], item["person"], item["status"]) == ("Jane Doe", "urn:li:person:jd",
                                                              "open")
    bad = [({"action": "link"}, 422, "candidate"),
           ({"action": "create", "merge": ["K2"]}, 422, "merge"),
           ({"action": "merge", "candidate": "K1"}, 422, "merge"),
           ({"action": "link", "candidate": "NOPE"}, 404, "candidate"),
           ({"action": "guess"}, 422, "action")]
    for body, status, field in bad:
        r = http.post(f"/linkedin/review/{item['id']}/resolve", json=body)
        assert r.status_code == status, (body, r.text)
        assert field in " ".join(map(str, error_fields(r))), (body, r.text)
    r = http.post("/linkedin/review/999999/resolve", json={"action": "create"})
    assert (r.status_code, error_fields(r)) == (404, ["review"])

    listed = cli(store, "identity", "review", "list", "--tenant", tenant.slug, "--json")
    assert listed.returncode == 0, listed.stderr
    assert [i["id"] for i in json.loads(listed.stdout)] == [item["id"]]
    done = cli(store, "identity", "review", "resolve", "--tenant", tenant.slug, "--item",
               str(item["id"]), "--action", "link", "--candidate", "K2")
    assert done.returncode == 0, done.stderr
    assert "linked to candidate K2" in done.stdout
    r = http.post(f"/linkedin/review/{item['id']}/resolve", json={"action": "create"})
    assert (r.status_code, error_fields(r)) == (409, ["review"])
    assert "already resolved" in r.json()["error"]["message"]
    assert http.get("/linkedin/review").json()["items"] == []
    assert [i["resolution"] for i in http.get("/linkedin/review",
                                              params={"status": "all"}).json()["items"]] == [
        "linked to candidate K2"]

    k2 = http.get("/candidates/K2").json()
    assert k2["person_urn"] == "urn:li:person:jd" and k2["match_method"] == "manual"
    assert k2["linked_at"] is not None and "review queue" in k2["link_evidence"]

    r = http.post("/linkedin/merges", json={"kept": "K2", "merged": "K2"})
    assert (r.status_code, error_fields(r)) == (409, ["merged"])
    r = http.post("/linkedin/merges", json={"kept": "K2", "merged": "NOPE"})
    assert (r.status_code, error_fields(r)) == (404, ["merged"])
    r = http.post("/linkedin/merges", json={"kept": "K2"})
    assert r.status_code == 422 and "merged" in json.dumps(r.json())
    r = http.post("/linkedin/merges", json={"kept": "K2", "merged": "K1"})
    assert r.status_code == 200, r.text
    merge_id = r.json()["merge"]
    assert http.get("/candidates/K1").status_code == 404
    (listed_merge,) = http.get("/linkedin/merges", params={"candidate": "K2"}).json()["merges"]
    assert (listed_merge["id"], listed_merge["merged"]) == (merge_id, "K1")

    undone = cli(store, "identity", "unmerge", "--tenant", tenant.slug, "--merge", str(merge_id))
    assert undone.returncode == 0, undone.stderr
    assert http.get("/candidates/K1").json()["first_name"] == "Jane"
    r = http.post(f"/linkedin/merges/{merge_id}/unmerge")
    assert (r.status_code, error_fields(r)) == (409, ["merge"])
    r = http.post("/linkedin/merges/999999/unmerge")
    assert (r.status_code, error_fields(r)) == (404, ["merge"])
    merged = cli(store, "identity", "merge", "--tenant", tenant.slug, "--kept", "K1",
                 "--merged", "K2")
    assert merged.returncode == 0 and "K2 merged into K1 (moved: nothing)" in merged.stdout
