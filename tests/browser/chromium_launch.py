"""Debian's Chromium (`/usr/bin/chromium`, scripts/ensure-chromium.sh) driven by Playwright, and the
checks that a page stays on the machine.

Playwright's own browser download is not reachable here, so the browser is the system's, started
through `executable_path` with the flags below. `--host-resolver-rules` resolves no host name but the
loopback ones: a report or a portal page must not need the network, and a page that tries is caught
by the requests it starts (`Traffic`), which are recorded whether or not they succeed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, Request

CHROMIUM = Path(os.environ.get("BBIC_CHROMIUM", "/usr/bin/chromium"))
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)
LAUNCH_TIMEOUT_MS = 60_000
_LOCAL_SCHEMES = {"data", "file", "about", "blob"}
_LOOPBACK = re.compile(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)", re.I)


def require_chromium(binary: Path = CHROMIUM) -> Path:
    """The browser, or a failed test that says how to get it (never a skip)."""
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"Chromium is missing ({binary}): the browser tests open pages in a real browser. "
                    "Run scripts/ensure-chromium.sh (as root: it installs Debian's chromium package).",
                    pytrace=False)
    return binary


def launch(playwright: Playwright, binary: Path = CHROMIUM) -> Browser:
    return playwright.chromium.launch(executable_path=str(require_chromium(binary)), args=list(FLAGS),
                                      headless=True, timeout=LAUNCH_TIMEOUT_MS)


def off_machine(address: str) -> bool:
    """An address that would leave the machine: any scheme but `data:`, `file:`, `about:`, `blob:`
    and http(s) to a loopback address, or a scheme-relative `//host/…`. Relative paths stay on it."""
    address = address.strip()
    if _LOOPBACK.match(address):
        return False
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", address, re.I)
    return address.startswith("//") or (scheme is not None and scheme.group(1).lower() not in _LOCAL_SCHEMES)


@dataclass
class Traffic:
    """Every request the pages of one browser context started (failed ones too)."""

    urls: list[str] = field(default_factory=list)

    @classmethod
    def watch(cls, context: BrowserContext) -> Traffic:
        traffic = cls()
        context.on("request", traffic._seen)
        return traffic

    def _seen(self, request: Request) -> None:
        self.urls.append(request.url)

    @property
    def off_machine(self) -> list[str]:
        return sorted({url for url in self.urls if off_machine(url)})


_URL_ATTRS = {"src", "href", "xlink:href", "srcset", "action", "poster", "data", "formaction"}
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


class _Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in _URL_ATTRS:
                self.found.append(value)
            if value and name == "style":
                self.found += _CSS_URL.findall(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += _CSS_URL.findall(data)


def addresses(html: str) -> list[str]:
    """Every URL-valued attribute and CSS `url()` of a document, in document order: links a reader
    could follow are caught too, not only what the page loaded."""
    parser = _Addresses()
    parser.feed(html)
    parser.close()
    return parser.found
