"""Two corrections to Starlette's routing, for every app of ours.

- `Allow` on a 405: Starlette answers from the first route whose path matches, so with one
  route per method (as FastAPI declares them) it names that route's methods only.
- `path` parameters (and mounts) stopped at a newline, Python's `.` not matching one: a
  percent-encoded newline in an id made `/x/a%0Ab` match no route at all (an outer 404).
  The `path` convertor is registered again, matching any character; routes compiled after
  this module is imported use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.convertors import PathConvertor, register_url_convertor
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Scope

METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


class AnyPathConvertor(PathConvertor):
    regex = "(?s:.*)"


register_url_convertor("path", AnyPathConvertor())


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> str:
    """`GET, PATCH`: the methods some route takes at the request's path, sorted."""
    candidates = [route for route in routes if not isinstance(route, Mount)]
    allowed = []
    for method in METHODS:
        probe: Scope = {"type": "http", "method": method, "path": scope["path"],
                        "root_path": scope.get("root_path", ""), "headers": []}
        if any(route.matches(probe)[0] == Match.FULL for route in candidates):
            allowed.append(method)
    return ", ".join(allowed)
