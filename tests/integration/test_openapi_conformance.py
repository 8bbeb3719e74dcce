"""The OpenAPI descriptions say what the servers do (issue 14, point 11): the data API on
SQLite and PostgreSQL, and the sandbox's control API. The fuzzing in test_fuzz_api.py looks
for more; these pin down each finding."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import RunningSandbox
from tests.integration.test_data_api import Api, api, client_for, error_of

__all__ = ["api"]  # the fixture, used by the tests below

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


def openapi(url: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{url}/openapi.json", timeout=60).json()
    return document


def schema_of(operation: dict[str, Any], status: str) -> Any:
    return operation["responses"][status]["content"]["application/json"]["schema"]


def test_linkedin_endpoints_document_their_errors_in_the_error_shape(api: Api) -> None:
    operations = openapi(api.url)["paths"]
    for path, methods in operations.items():
        if not path.startswith("/api/v1/linkedin/"):
            continue
        for method, operation in methods.items():
            assert schema_of(operation, "401") == ERROR_BODY, (method, path)
            assert schema_of(operation, "422") == ERROR_BODY, (method, path)
    assert {"404", "409"} <= set(
        operations["/api/v1/linkedin/events/{event_id}/replay"]["post"]["responses"])
    assert {"409", "429", "502"} <= set(
        operations["/api/v1/linkedin/poll"]["post"]["responses"])
    # ...and they are what the server answers.
    with client_for(api.url, None) as anonymous:
        assert "Authorization" in error_of(anonymous.get("/linkedin/seats"), 401)
    assert "limit" in error_of(api.client.get("/linkedin/events", params={"limit": 0}), 422)


def test_malformed_json_is_documented_on_every_operation_with_a_body(api: Api) -> None:
    operations = openapi(api.url)["paths"]
    with_body = [(method, path, operation) for path, methods in operations.items()
                 for method, operation in methods.items() if "requestBody" in operation]
    assert len(with_body) > 40
    for method, path, operation in with_body:
        assert schema_of(operation, "400") == ERROR_BODY, (method, path)
    for path in ("/jobs", "/linkedin/poll", "/linkedin/closed-members/purge"):
        response = api.client.post(path, content=b"{not json",
                                   headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"]["code"] == "malformed_json"


def test_a_405_names_every_method_of_the_path(api: Api) -> None:
    response = api.client.request("OPTIONS", "/jobs/J1")
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, GET, PATCH, PUT"
    # `bulk` is the bulk endpoint's, not a record id: only POST, as documented.
    response = api.client.get("/jobs/bulk")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    response = api.client.delete("/jobs")
    assert response.headers["Allow"] == "GET, POST"


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2024-01-01", "2024-01-01T00:20:00",
                                   "2024-01-01T00:20Z", "soon", ""])
def test_date_time_parameters_take_only_date_times(api: Api, value: str) -> None:
    for name in ("modified_since", "modified_before"):
        assert name in error_of(api.client.get("/jobs", params={name: value}), 422)
    assert api.client.get("/jobs", params={
        "modified_since": "2024-01-01T00:20:00.5+01:00",
        "modified_before": "2024-01-01t00:20:00z"}).status_code == 200


@pytest.mark.parametrize("value", [0, 1700000000.5, True, "2024-01-01", "2024-01-01T00:20:00"])
def test_date_time_fields_take_only_date_times(api: Api, value: Any) -> None:
    job = {"id": "J1", "title": "Engineer", "published_at": value}
    assert "published_at" in error_of(api.client.post("/jobs", json=job), 422)
    job["published_at"] = "2024-01-01T00:20:00+02:00"
    assert api.client.post("/jobs", json=job).json()["published_at"] == "2023-12-31T22:20:00Z"


def test_null_for_a_field_that_always_has_a_value_is_refused_by_name(api: Api) -> None:
    assert api.client.post("/projects", json={"id": "P1", "title": "Pool"}).status_code == 201
    stage = {"id": "S1", "project_id": "P1", "name": "Lead", "category": "lead"}
    answer = api.client.post("/project-stages/bulk", json=[{**stage, "position": None}])
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["errors"] == [
        {"field": "position", "reason": "must not be null"}]
    assert api.client.post("/project-stages", json=stage).status_code == 201
    assert error_of(api.client.patch("/project-stages/S1", json={"position": None}), 422) == {
        "position": "must not be null"}


def test_push_refusals_use_the_error_shape(api: Api) -> None:
    response = httpx.post(f"{api.url}/linkedin/push/unknown", json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    operation = openapi(api.url)["paths"]["/linkedin/push/{token}"]["post"]
    assert {"400", "401", "413"} <= set(operation["responses"])
    assert schema_of(operation, "401") == ERROR_BODY


# -- the sandbox's control API ---------------------------------------------------------------

def validation_errors(response: httpx.Response) -> list[tuple[Any, ...]]:
    """FastAPI's 422 shape, as the control API's OpenAPI describes every 422."""
    assert response.status_code == 422, response.text
    return [tuple(error["loc"]) for error in response.json()["detail"]]


def test_control_api_422s_have_the_documented_body(li: RunningSandbox) -> None:
    control = li.control
    documented = openapi(f"{li.url}/sandbox")["paths"]["/throttles"]["put"]["responses"]["422"]
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"}
    assert validation_errors(control.put("/throttles", json={"family": "nope"})) == [
        ("body", "family")]
    assert validation_errors(control.post("/contracts/2001/seats",
                                          json={"person": "urn:li:person:x"})) == [
        ("path", "contract")]
    assert validation_errors(control.put("/recruiter/settings/urn:li:contract:2001/NOPE",
                                         json={"value": "ON"})) == [("path", "name")]
    # JSON's types, as the schema has them: no booleans for numbers, no 0/1 for booleans.
    assert validation_errors(control.put("/faults/x", json={"drop_rate": False})) == [
        ("body", "drop_rate")]
    assert validation_errors(control.put("/faults/x", json={"latency_ms": True})) == [
        ("body", "latency_ms")]
    assert validation_errors(control.put("/settings", json={"autoEnable": 0})) == [
        ("body", "autoEnable")]
    assert control.put("/settings", json={"tokenTtl": 3600.0}).status_code == 200
    # An id past what the database holds is refused, not a 500.
    assert validation_errors(control.post("/recruiter/notes", json={
        "seat": 2**64, "person": "urn:li:person:x", "note": "hi"})) == [("body", "seat")]
    assert validation_errors(control.patch(f"/seats/{2**64}", json={})) == [
        ("path", "seat_id")]


def test_control_api_errors_are_documented(li: RunningSandbox) -> None:
    paths = openapi(f"{li.url}/sandbox")["paths"]
    error = {"$ref": "#/components/schemas/ControlError"}
    assert schema_of(paths["/apps/{key}"]["get"], "404") == error
    assert "400" in paths["/clock/advance"]["post"]["responses"]
    assert {"403", "404", "409", "410"} <= set(paths["/recruiter/notes"]["post"]["responses"])
    response = li.control.get("/apps/urn:li:nothing")
    assert response.status_code == 404 and isinstance(response.json()["detail"], str)
    # A newline in a path parameter reaches the control API (it was the outer app's 404).
    response = li.control.get("/members/a%0Ab")
    assert response.status_code == 404 and response.json() == {"detail": "no member a\nb"}
    response = li.control.put("/clock/advance", json={"seconds": 1})
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    response = li.control.request("OPTIONS", "/apps/x")
    assert response.status_code == 405 and response.headers["Allow"] == "GET, PATCH"
