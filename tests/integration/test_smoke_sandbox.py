from tests.conftest import ORG
from tests.support.linkedin import body_key, candidate_key, candidate_record, ids_query


def test_candidate_round_trip_over_loopback(li):
    key = candidate_key("C1", ORG)
    r = li.demo.request("PUT", f"/v2/atsCandidates?{ids_query([key])}", method="batch_update",
                        json={"entities": {body_key(key): candidate_record(1)}})
    assert r.status_code == 200, r.text
    assert list(r.json()["results"].values()) == [{"status": 204}]
    r = li.demo.request("GET", f"/v2/atsCandidates?{ids_query([key])}")
    (record,) = r.json()["results"].values()
    assert record["firstName"] == "John"
