"""One Chromium per test module, started through Playwright's sync API.

Module scope, not pytest-playwright's session-scoped `browser`: Playwright's sync API keeps an event
loop marked as running in the main thread while it is started, so with `--dist loadfile` every later
test file on the same worker would find `asyncio.run` refused. Stopping it after each module leaves
the thread as it found it; a launch takes about a second.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chromium_launch import launch, require_chromium
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()
