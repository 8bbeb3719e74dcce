"""A LinkedIn that does not serve `exportedApplicationEvaluations` (e.g. to an application
without Hiring Assistant), for the tests of how the product takes that."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from recruitlink.sandbox.errors import ApiError

PATH = "/rest/exportedApplicationEvaluations"


def refuse_evaluations(app: Any) -> None:
    """A LinkedIn that does not serve this application the resource: `/rest/<it>` answers
    LinkedIn's 404, ahead of any other route."""

    async def missing(_: Request) -> Response:
        return ApiError(404, "Resource 'exportedApplicationEvaluations' does not exist"
                        ).response()

    app.router.add_route(PATH, missing, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())
