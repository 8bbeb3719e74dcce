"""A real Chromium for end-to-end tests, through Playwright's sync API.

It is Debian's Chromium (`/usr/bin/chromium`): the tests never download a browser. Without it
the tests that need it skip, saying why. Use the fixtures from a test module with

    from tests.support.browser import (  # noqa: F401  (pytest fixtures)
        browser,
        browser_context_options,
        page,
    )

(test functions taking `page` then need `# noqa: F811`), or once for the whole suite with
`pytest_plugins = ["tests.support.browser"]` in tests/conftest.py.

`page` is a fresh browser context and page per test; its console messages (of every frame)
are in `console_of(page)` (`wait_for_console` waits for one), and a screenshot of the page is
saved after the test to `artifacts/screenshots/<test name>.png` under the repository root.
Options for the context (e.g. `{"java_script_enabled": False}`) come from the
`browser_context_options` fixture: parametrize it with `indirect=True`.

Caveat: while Playwright's sync API is alive (the whole session, once a browser test ran),
the main thread counts as running an event loop, so `asyncio.run()` in the main thread fails
in later tests; run such code in a thread (as `tests.support.servers.serve` does).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
DEFAULT_TIMEOUT_MS = 15_000
SCREENSHOT_TIMEOUT_MS = 20_000

_CONSOLES: dict[int, list[str]] = {}


@dataclass
class _Shared:
    """One Playwright and one Chromium per process. Each test module importing the fixture
    gets its own session-scoped fixture, and Playwright's sync API cannot run twice at once
    in a thread, so they share this, counted."""

    playwright: Playwright | None = None
    chromium: Browser | None = None
    users: int = 0


_SHARED = _Shared()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(f"end-to-end browser tests need Debian's Chromium at {CHROMIUM} "
                    "(apt-get install chromium); Playwright's own browsers are never downloaded")
    if _SHARED.chromium is None:
        from playwright.sync_api import sync_playwright

        _SHARED.playwright = sync_playwright().start()
        _SHARED.chromium = _SHARED.playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    chromium = _SHARED.chromium
    _SHARED.users += 1
    try:
        yield chromium
    finally:
        _SHARED.users -= 1
        if _SHARED.users == 0:
            try:
                chromium.close()
            finally:
                if _SHARED.playwright is not None:
                    _SHARED.playwright.stop()
                _SHARED.chromium = _SHARED.playwright = None


def screenshot_path(test_name: str) -> Path:
    """Where a test's screenshot goes: its name, made safe for a file name."""
    return SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)[:150]}.png"


def take_screenshot(tab: Page, path: Path) -> Path:
    """A full-page screenshot to `path`. Chromium captures a frame only from a page it is
    painting: a tab left behind another, or a renderer starved on a loaded machine, can miss
    the first deadline; such a tab is brought to the front and given a second, longer try."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        tab.screenshot(path=str(path), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        tab.bring_to_front()
        tab.screenshot(path=str(path), full_page=True, timeout=3 * SCREENSHOT_TIMEOUT_MS)
    return path


def save_screenshot(tab: Page, name: str) -> Path:
    """A full-page screenshot of a test's step, under `artifacts/screenshots/<name>.png`."""
    return take_screenshot(tab, screenshot_path(name))


@pytest.fixture
def browser_context_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Extra `Browser.new_context` options for `page` (parametrize with indirect=True)."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
def page(browser: Browser, browser_context_options: dict[str, Any],
         request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new context and page; screenshot saved after the test, whatever its outcome."""
    options: dict[str, Any] = {"viewport": {"width": 1100, "height": 900}}
    options.update(browser_context_options)
    context = browser.new_context(**options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    messages: list[str] = []
    _CONSOLES[id(tab)] = messages

    def record(message: ConsoleMessage) -> None:
        messages.append(f"{message.type}: {message.text}")

    tab.on("console", record)
    try:
        yield tab
    finally:
        try:
            take_screenshot(tab, screenshot_path(request.node.name))
        finally:
            _CONSOLES.pop(id(tab), None)
            context.close()


def console_of(tab: Page) -> list[str]:
    """The page's console messages so far, as "type: text" (e.g. "error: ...")."""
    return _CONSOLES.get(id(tab), [])


def wait_for_console(tab: Page, text: str, timeout: float = 10.0) -> list[str]:
    """Wait until a console message contains `text`; the messages so far. Messages arrive
    asynchronously (e.g. after a fetch), so a test polls rather than sleeps."""
    deadline = time.monotonic() + timeout
    while not any(text in message for message in console_of(tab)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no console message with {text!r}: {console_of(tab)}")
        tab.wait_for_timeout(50)
    return console_of(tab)
