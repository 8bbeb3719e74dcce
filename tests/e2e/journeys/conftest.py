"""Walking a seed page in a browser, step by step, against `recruitlink demo` on random ports
(issue 15): each journey module gets its own demo (journeys change what they walk through:
contracts, disconnects, exports), a `journey` that saves a screenshot per step to
`artifacts/screenshots/journeys/<module>/NN-<step>.png`, and sign-in as the demo's users."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.journeys import steps
from tests.support.browser import SCREENSHOTS, browser, take_screenshot  # noqa: F401  (pytest fixture)
from tests.support.demo import Demo

JOURNEYS = SCREENSHOTS / "journeys"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo, as the README starts it, but on free ports and with polls every second
    (pushes and Recruiter-side changes show within the walk's patience)."""
    started = Demo.start(tmp_path_factory.mktemp("demo"), RECRUITLINK_POLL_INTERVAL_SECONDS="1")
    try:
        yield started
    finally:
        started.command.stop()


@dataclass
class Journey:
    """One walk: the demo, a browser context per person, and numbered screenshots."""

    demo: Demo
    folder: Path
    browser: object
    shots: list[Path] = field(default_factory=list)
    _contexts: list[object] = field(default_factory=list)

    def person(self) -> Page:
        """A new browser window for one person (own cookies)."""
        context = self.browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 1200, "height": 900})
        context.set_default_timeout(20_000)
        self._contexts.append(context)
        return context.new_page()

    def shot(self, page: Page, step: str) -> Path:
        """A full-page screenshot named after the step, numbered in walk order."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", step).strip("-")[:80]
        path = self.folder / f"{len(self.shots) + 1:02d}-{name}.png"
        take_screenshot(page, path)
        self.shots.append(path)
        return path

    def sign_in(self, page: Page, role: str = "company admin",
                workspace: str = "demo") -> None:
        """Sign in on recruitlink's login page with the credentials the demo printed."""
        email, password = self.demo.sign_ins(workspace)[role]
        steps.sign_in(page, self.demo.server, workspace, email, password)

    def close(self) -> None:
        for context in self._contexts:
            context.close()  # type: ignore[attr-defined]


@pytest.fixture
def journey(demo: Demo, browser: object,  # noqa: F811  (the browser fixture)
            request: pytest.FixtureRequest) -> Iterator[Journey]:
    folder = JOURNEYS / request.module.__name__.rsplit(".", 1)[-1] / request.node.name
    shutil.rmtree(folder, ignore_errors=True)  # this walk's shots only, never an old run's
    walk = Journey(demo, folder, browser)
    try:
        yield walk
    finally:
        walk.close()
