"""A data-API write wakes the server's in-process sync runner (it need not wait for its idle
tick to send the change to LinkedIn); a read does not. The app's lifespan is not run, so the
runner thread is not started and its wake-up stays visible."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from recruitlink.runtime.background import BackgroundRunner
from recruitlink.settings import Settings
from recruitlink.store import Store
from recruitlink.store.tenants import Tenant
from recruitlink.web import create_app
from tests.integration.test_data_api import new_key

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Http:
    """Requests straight to the ASGI app (no server, so no lifespan)."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app, self.headers = app, headers

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                         headers=self.headers) as http:
                return await http.request(method, path, **kwargs)

        # In a thread of its own: the session's Playwright may keep an event loop running in
        # this one, where `asyncio.run` refuses to start another.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, send()).result()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def client(store: Store, tenant: Tenant) -> Iterator[tuple[Http, BackgroundRunner]]:
    app = create_app(Settings(database_url=store.db.url, work_queue="in-process",
                              pollers=False), store=store)
    runner = app.state.background
    assert isinstance(runner, BackgroundRunner)
    headers = {"Authorization": f"Bearer {new_key(store, tenant)}"}
    yield Http(app, headers), runner


def woken(runner: BackgroundRunner) -> bool:
    was = runner._wake.is_set()
    runner._wake.clear()
    return was


def test_a_write_wakes_the_runner_and_a_read_does_not(
        client: tuple[Http, BackgroundRunner]) -> None:
    http, runner = client
    assert http.get("/api/v1/candidates").status_code == 200
    assert not woken(runner)
    created = http.post("/api/v1/candidates", json={"id": "C1", "first_name": "Ada"})
    assert created.status_code == 201, created.text
    assert woken(runner)
    assert http.get("/api/v1/candidates/C1").status_code == 200
    assert not woken(runner)
    assert http.patch("/api/v1/candidates/C1", json={"last_name": "L"}).status_code == 200
    assert woken(runner)
    bulk = http.post("/api/v1/candidates/bulk", content=b'{"id": "C2", "first_name": "Bo"}\n',
                     headers={"Content-Type": "application/x-ndjson"})
    assert bulk.status_code == 200, bulk.text
    assert woken(runner)
    assert http.delete("/api/v1/candidates/C1").status_code == 204
    assert woken(runner)


def test_a_refused_write_does_not_wake_the_runner(
        client: tuple[Http, BackgroundRunner]) -> None:
    http, runner = client
    refused = http.post("/api/v1/candidates", json={"id": "C1", "emails": "not a list"})
    assert refused.status_code == 422
    assert not woken(runner)


def test_a_file_upload_wakes_the_runner(client: tuple[Http, BackgroundRunner]) -> None:
    http, runner = client
    created = http.post("/api/v1/candidates", json={"id": "C1", "first_name": "Ada"})
    assert created.status_code == 201
    woken(runner)
    upload = http.put("/api/v1/candidates/C1/resume", content=MINIMAL_PDF,
                      headers={"Content-Type": "application/pdf"})
    assert upload.status_code in (200, 201), upload.text
    assert woken(runner)


def test_a_page_form_that_saves_wakes_the_runner(store: Store) -> None:
    """A recruiter's link on the candidate page goes to LinkedIn at once too."""
    from tests.conftest import make_tenant
    from tests.integration.test_pages_ats import KEY, PASSWORD, csrf, seed

    acme = make_tenant(store, "acme", kind="BOTH")
    seed(store, acme.id, n_candidates=5)
    app = create_app(Settings(database_url=store.db.url, secret_key=KEY, work_queue="in-process",
                              pollers=False, inbound_worker=False), store=store)
    runner = app.state.background
    assert isinstance(runner, BackgroundRunner)

    async def walk() -> list[bool]:
        seen: list[bool] = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as http:
            signed = await http.post("/login", data={"workspace": "acme", "password": PASSWORD,
                                                     "email": "rita@acme.example"})
            assert signed.status_code == 303, signed.text
            woken(runner)
            page = await http.get("/t/acme/candidates/C3")
            assert page.status_code == 200
            seen.append(woken(runner))
            linked = await http.post("/t/acme/candidates/C3/linkedin-link",
                                     json={"person_urn": "urn:li:person:abc"},
                                     headers={"X-CSRF-Token": csrf(page.text)})
            assert linked.status_code == 200, linked.text
            seen.append(woken(runner))
        return seen

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, walk()).result() == [False, True]
