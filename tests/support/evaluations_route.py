"""Serves the sandbox's `exportedApplicationEvaluations` finder on `/rest` for tests, while the
versioned `/rest` router (issue 16's H2 slice) is not on this branch: the handler as the router
will call it (token checked, call read like every Rest.li call). Once the sandbox has its own
`/rest` routes this does nothing, and the tests go through the real router."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from recruitlink.sandbox import evaluations
from recruitlink.sandbox.errors import ApiError
from recruitlink.sandbox.oauth import authenticate
from recruitlink.sandbox.restli_http import read_call

PATH = "/rest/exportedApplicationEvaluations"


def has_rest_router(app: Any) -> bool:
    return any(str(getattr(r, "path", "")).startswith("/rest") for r in app.router.routes)


def serve_evaluations_on_rest(app: Any) -> None:
    if has_rest_router(app):
        return
    sandbox = app.state.sandbox

    async def finder(request: Request) -> Response:
        try:
            call = await read_call(request, max_body=sandbox.config.max_body_bytes,
                                   family="rest")
            who = authenticate(sandbox.store, sandbox.clock, call.token)
            return evaluations.handle(sandbox, who, call)
        except ApiError as exc:
            return exc.response()

    app.router.add_route(PATH, finder, methods=["GET", "POST", "PUT", "DELETE"])


def refuse_evaluations(app: Any) -> None:
    """A LinkedIn that does not serve this application the resource: `/rest/<it>` answers
    LinkedIn's 404, ahead of any other route."""

    async def missing(_: Request) -> Response:
        return ApiError(404, "Resource 'exportedApplicationEvaluations' does not exist"
                        ).response()

    app.router.add_route(PATH, missing, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())
