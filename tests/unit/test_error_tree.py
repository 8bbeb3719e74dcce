"""Every exception the product defines is in errors.py's one documented tree."""

from __future__ import annotations

import importlib
import pkgutil

import recruitlink
from recruitlink import errors

# Defined elsewhere on purpose, as errors.py's docstring says (marked * there, or named).
ELSEWHERE = {"recruitlink.core.restli.RestliSyntaxError", "recruitlink.core.files.FileRefused",
             "recruitlink.web.auth.ApiError", "recruitlink.web.pages.security.PageError",
             "recruitlink.processes._Gone"}


def product_exceptions() -> set[type[BaseException]]:
    for module in pkgutil.walk_packages(recruitlink.__path__, "recruitlink."):
        if ".sandbox" not in module.name and ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: set[type[BaseException]] = set()
    pending: list[type[BaseException]] = [BaseException]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("recruitlink.") and \
                    not sub.__module__.startswith("recruitlink.sandbox"):
                found.add(sub)
    return found


def test_every_exception_is_defined_in_errors_or_named_as_defined_elsewhere():
    found = product_exceptions()
    assert len(found) > 20
    outside = {f"{c.__module__}.{c.__qualname__}" for c in found
               if c.__module__ != "recruitlink.errors"}
    assert outside == ELSEWHERE


def test_the_docstring_draws_every_exception_of_the_tree():
    tree = errors.__doc__ or ""
    for cls in product_exceptions():
        assert f" {cls.__name__} " in tree or f" {cls.__name__}\n" in tree \
            or cls.__name__ == "_Gone", cls.__name__
    assert "processes._Gone" in tree and "sandbox/errors.py" in tree
