"""What the example ATS calls on recruitlink: its data API (push records, read one back) and
the change feed, with the tenant's API key."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import httpx


class RecruitlinkError(RuntimeError):
    """recruitlink answered something else than expected (`status`), or could not be reached
    (`status` None)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def worth_retrying(self) -> bool:
        """Unreachable, a server error, or the same Idempotency-Key still in progress."""
        return self.status is None or self.status >= 500 or self.status == 409


class Recruitlink:
    def __init__(self, url: str, api_key: str, *, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.http = httpx.Client(base_url=url.rstrip("/") + "/api/v1", timeout=timeout,
                                 headers={"Authorization": f"Bearer {api_key}"},
                                 transport=transport)

    def close(self) -> None:
        self.http.close()

    def bulk_upsert(self, entity: str, records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Create or update records by id; one result per record (`status`, `errors`). The
        `Idempotency-Key` makes a retried call (after a timeout) safe to send again."""
        key = str(uuid.uuid4())  # the same key on every try of this one call
        for attempt in range(3):
            try:
                r = self._send("POST", f"/{entity}/bulk", json=list(records),
                               headers={"Idempotency-Key": key})
                return list(r.json()["results"])
            except RecruitlinkError as exc:
                if attempt == 2 or not exc.worth_retrying:
                    raise
                time.sleep(0.5 * 2 ** attempt)
        raise AssertionError("unreachable")

    def get(self, entity: str, record_id: str) -> dict[str, Any] | None:
        """The record as recruitlink holds it now; None if it is gone."""
        r = self._send("GET", f"/{entity}/{record_id}", ok=(200, 404))
        return None if r.status_code == 404 else dict(r.json())

    def events(self, after: str | None, *, limit: int = 100,
               types: Sequence[str] = ()) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the change feed after `after`: its events and the cursor to go on from."""
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        if types:
            params["types"] = ",".join(types)
        body = self._send("GET", "/events", params=params).json()
        return list(body["items"]), body.get("next_cursor")

    def _send(self, method: str, path: str, *, ok: Sequence[int] = (200, 201),
              **kwargs: Any) -> httpx.Response:
        try:
            r = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RecruitlinkError(f"{method} {path}: {type(exc).__name__}") from exc
        if r.status_code not in ok:
            raise RecruitlinkError(f"{method} {path}: {r.status_code} {r.text[:300]}",
                                   r.status_code)
        return r
