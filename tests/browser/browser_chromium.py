"""Open a page in a real headless Chromium (Debian's `/usr/bin/chromium`) and read back what it made:
the DOM after rendering, a screenshot, the print-to-PDF, and every request the page itself started.

One launch does all of it (Chromium's headless commands combine). Every launch gets a fresh profile,
a time limit and its own process group, and resolves no host name at all (`--host-resolver-rules`):
the machine has no network and a report must not need one. Chromium's own background calls
(network time, component updates, sign-in) still try and fail; they are told apart from the page's
requests by their initiator in the net log ("not an origin"), so only the page's requests count.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

CHROMIUM = Path(os.environ.get("BBIC_CHROMIUM", "/usr/bin/chromium"))
TIMEOUT_S = 60
WIDTH = 1280
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
BROWSER_OWN = "not an origin"  # the net log's initiator of requests Chromium starts by itself
_NOISE = re.compile(r"dbus|unexpected operator|Fontconfig")  # the wrapper's and a container's chatter


def require_chromium(binary: Path = CHROMIUM) -> Path:
    """The browser, or a failed test that says how to get it (never a skip)."""
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"Chromium is missing ({binary}): the browser tests open the reports in a real browser. "
                    "Run scripts/ensure-chromium.sh (as root: it installs Debian's chromium package).",
                    pytrace=False)
    return binary


@dataclass(frozen=True)
class Opened:
    """What Chromium made of one page."""

    dom: str
    page_requests: list[str]  # URLs the page asked for over the network (must stay empty)
    screenshot: Path | None
    pdf: Path | None
    stderr: str


def open_page(page: Path, workdir: Path, *, screenshot: bool = False, pdf: bool = False,
              height: int = 2000, binary: Path = CHROMIUM) -> Opened:
    """Load `page` (a local file) by its `file://` URL; dump the DOM, optionally a PNG and a PDF."""
    chromium = require_chromium(binary)
    run = Path(tempfile.mkdtemp(prefix=f"{page.stem}-", dir=workdir))
    png, printed, netlog = run / "screenshot.png", run / "print.pdf", run / "netlog.json"
    args = [str(chromium), *FLAGS, f"--user-data-dir={run / 'profile'}", f"--log-net-log={netlog}",
            f"--window-size={WIDTH},{height}", "--dump-dom"]
    if screenshot:
        args.append(f"--screenshot={png}")
    if pdf:
        args += [f"--print-to-pdf={printed}", "--no-pdf-header-footer"]  # the page's own @page boxes
    args.append(page.absolute().as_uri())  # as given: `latest/` stays `latest/`
    # own session: on a time-out the whole group (browser, zygote, renderers) is ended, nothing else
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"Chromium did not finish {page.name} within {TIMEOUT_S} s.\n{_tail(err)}", pytrace=False)
    stderr = err.decode("utf-8", "replace")
    dom = out.decode("utf-8")
    if proc.returncode != 0 or not dom.strip():
        pytest.fail(f"Chromium failed on {page.name} (exit {proc.returncode}).\n{_tail(err)}", pytrace=False)
    for wanted, path in ((screenshot, png), (pdf, printed)):
        if wanted and not (path.is_file() and path.stat().st_size > 0):
            pytest.fail(f"Chromium wrote no {path.name} for {page.name}.\n{_tail(err)}", pytrace=False)
    return Opened(dom, page_requests(netlog), png if screenshot else None, printed if pdf else None, stderr)


def _tail(stderr: bytes, lines: int = 15) -> str:
    text = [line for line in stderr.decode("utf-8", "replace").splitlines() if not _NOISE.search(line)]
    return "Chromium's stderr (last lines):\n" + "\n".join(text[-lines:])


def page_requests(netlog: Path) -> list[str]:
    """URLs of network requests the page started (Chromium's own background calls left out)."""
    if not netlog.is_file():
        pytest.fail(f"Chromium wrote no net log ({netlog}): cannot tell whether the page went online.",
                    pytrace=False)
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted({params["url"] for event in log["events"] if event["type"] == start_job
                   for params in [event.get("params", {})]
                   if "url" in params and params.get("initiator") != BROWSER_OWN})


# --- reading the DOM ------------------------------------------------------------------------------

_URL_ATTRS = {"src", "href", "xlink:href", "srcset", "action", "poster", "data", "formaction"}
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
_LOCAL = {"data", "file", "about", "blob"}


class Dom(HTMLParser):
    """The parts of a rendered DOM the tests look at: links, resource addresses, text, tag counts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, link text)
        self.addresses: list[str] = []  # every URL-valued attribute and CSS url()
        self.tags: dict[str, int] = {}
        self._text: list[str] = []
        self._header: list[str] = []
        self._in_header = 0
        self._in_style = False
        self._href: str | None = None
        self._link_text: list[str] = []

    @classmethod
    def parse(cls, dom: str) -> Dom:
        parsed = cls()
        parsed.feed(dom)
        parsed.close()
        return parsed

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())

    @property
    def header_text(self) -> str:
        return " ".join(" ".join(self._header).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            if value and name in _URL_ATTRS:
                self.addresses.append(value)
            if value and name == "style":
                self.addresses += _CSS_URL.findall(value)
        if tag == "header":
            self._in_header += 1
        elif tag == "a":
            self._href, self._link_text = dict(attrs).get("href") or "", []
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "header":
            self._in_header -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._link_text).split())))
            self._href = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.addresses += _CSS_URL.findall(data)
            return
        self._text.append(data)
        if self._in_header:
            self._header.append(data)
        if self._href is not None:
            self._link_text.append(data)


def off_machine(address: str) -> bool:
    """An address that would leave the machine: any scheme but `data:`, `file:`, `about:`, `blob:`,
    or a scheme-relative `//host/…`. Relative paths and `#…` stay on it."""
    address = address.strip()
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", address, re.I)
    return address.startswith("//") or (scheme is not None and scheme.group(1).lower() not in _LOCAL)


# --- reading the screenshot -----------------------------------------------------------------------

def pixels(png: Path) -> NDArray[np.uint8]:
    with Image.open(png) as image:
        return np.asarray(image.convert("RGB"))


def distinct_colours(rgb: NDArray[np.uint8]) -> int:
    """Distinct colours among every other pixel of every other row (plenty to tell a blank page)."""
    sample = rgb[::2, ::2].astype(np.uint32)
    return int(np.unique((sample[..., 0] << 16) | (sample[..., 1] << 8) | sample[..., 2]).size)


def ink_share(rgb: NDArray[np.uint8]) -> float:
    """The share of pixels that are not (nearly) white."""
    return float((rgb[::2, ::2].min(axis=2) < 240).mean())


def solid_blocks(rgb: NDArray[np.uint8], colour: str, size: int) -> int:
    """How many `size`×`size` squares are painted entirely in `colour` (`#rrggbb`): chart bars are;
    text, table rules and headings in the same colour never are."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mask = (rgb[..., 0] == r) & (rgb[..., 1] == g) & (rgb[..., 2] == b)
    rows = _runs(mask, size)  # `size` in a row, then `size` such starts in a column
    return int(_runs(rows.T, size).sum())


def _runs(mask: NDArray[np.bool_], size: int) -> NDArray[np.bool_]:
    """Where a run of `size` true values starts along each row."""
    counts = np.zeros((mask.shape[0], mask.shape[1] + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, dtype=np.int32, out=counts[:, 1:])
    starts: NDArray[np.bool_] = (counts[:, size:] - counts[:, :-size]) == size
    return starts
