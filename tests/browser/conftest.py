"""One Chromium per test module, started through Playwright's sync API, and the running portal of
tests/portal/portal_server.py (the same session-scoped deployment the portal's HTTP tests use).

Module scope, not pytest-playwright's session-scoped `browser`: Playwright's sync API keeps an event
loop marked as running in the main thread while it is started, so with `--dist loadfile` every later
test file on the same worker would find `asyncio.run` refused. Stopping it after each module leaves
the thread as it found it; a launch takes about a second.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium_launch import launch, require_chromium
from playwright.sync_api import Browser, sync_playwright

PORTAL_TESTS = Path(__file__).resolve().parents[1] / "portal"
if str(PORTAL_TESTS) not in sys.path:
    sys.path.insert(0, str(PORTAL_TESTS))

from portal_server import portal_deployment, portal_server  # noqa: E402

__all__ = ["chromium", "portal_deployment", "portal_server"]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()
