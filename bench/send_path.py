"""The client-side CPU of one sync call, without the network: a 100-candidate BATCH_UPDATE
on `/rest` (keys and records renamed and written, the request built, the answer read and
looked up key by key as the sender does). One figure per run; run it once per side and
compare, e.g. an earlier commit's code unpacked in /tmp/base:

    PYTHONPATH=/tmp/base/src .venv/bin/python bench/send_path.py
    PYTHONPATH=src .venv/bin/python bench/send_path.py

It prints the best of its rounds (the machine may be busy), in microseconds per call.
"""

from __future__ import annotations

import argparse
import json
import timeit

import httpx

from recruitlink.core.restli import make_key
from recruitlink.linkedin.client import LinkedInClient

ORG = "urn:li:organization:12345"
CALL_SIZE = 100


def items() -> list[tuple[dict[str, str], dict[str, object]]]:
    return [({"atsCandidateId": f"cand-{i:06d}", "dataProvider": "ATS",
              "integrationContext": ORG},
             {"firstName": "Ann", "lastName": "Lee", "emailAddresses": ["ann@example.com"],
              "phoneNumbers": [{"number": "+1 555 0100", "type": "MOBILE"}],
              "externalProfileUrl": f"https://ats.example.com/t/acme/c/{i}",
              "atsCreatedAt": 1_700_000_000_000, "atsLastModifiedAt": 1_700_000_000_000,
              "addresses": [{"city": "Springfield", "country": "US"}],
              "title": "Engineer", "company": "Acme"}) for i in range(CALL_SIZE)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    client = LinkedInClient(api_url="http://127.0.0.1:9", oauth_url="http://127.0.0.1:9",
                            client_id="bench", client_secret="bench", api_version="202604")
    batch = items()
    sent = client._keyed("atsCandidates", [key for key, _ in batch], None, None)
    answer = json.dumps({"results": {text: {"status": 204} for text in sent.entity_keys()},
                         "errors": {}}).encode()
    request = httpx.Request("PUT", "http://127.0.0.1:9/rest/candidates")

    def one_call() -> None:  # LinkedInClient.upsert and the sender's lookups, minus I/O
        call = client._keyed("atsCandidates", [key for key, _ in batch], None, None)
        body = {"entities": dict(zip(call.entity_keys(),
                                     call.records_out([record for _, record in batch]),
                                     strict=True))}
        client.rest._build("PUT", f"http://127.0.0.1:9/rest/{call.path}", call.query(), body,
                           "batch_update", "token")
        outcomes = client._outcomes(httpx.Response(200, content=answer, request=request),
                                    call)
        asked = getattr(outcomes, "asked", None)  # an earlier side may not have it
        for n, (key, _) in enumerate(batch):
            outcomes.get(asked[n] if asked is not None else make_key(key))

    best = min(timeit.repeat(one_call, number=20, repeat=args.rounds)) / 20
    print(json.dumps({"call_size": CALL_SIZE, "client_us_per_call": round(best * 1e6)}))


if __name__ == "__main__":
    main()
