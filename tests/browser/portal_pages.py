"""What the portal's browser tests do again and again: sign in through the form, read where the focus
is and whether it can be seen, and run axe-core on a page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from numpy.typing import NDArray
from PIL import Image
from playwright.sync_api import Page

# WCAG 2.1 level A and AA, the level the Swedish accessibility law asks of the portal
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE = Axe()


def sign_in(page: Page, base_url: str, name: str, password: str) -> None:
    """Signs in through the sign-in form as a person would, with the mouse."""
    page.goto(f"{base_url}/logga-in")
    page.get_by_label("Användarnamn").fill(name)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state("load")


@dataclass(frozen=True)
class Focused:
    """The element that has the keyboard focus, and whether a person can see where it is."""

    tag: str
    id: str
    name: str  # text, label or value: what a person sees on it
    outline: str  # computed outline: style, width (for the failure message)
    focus_visible: bool  # matches :focus-visible
    changed_pixels: int  # pixels around the element that differ from the page before any focus

    @property
    def indicated(self) -> bool:
        """The focus shows: around the element the page looks different from before it had the focus
        (an outline, a highlighted part of a date field, the browser's own ring on a date field's
        calendar button; Playwright's screenshots hide the text caret, so a caret alone does not count)."""
        return self.changed_pixels >= MIN_CHANGED_PIXELS


MIN_CHANGED_PIXELS = 100  # a 2 px ring around a 20×20 px checkbox changes about 190
_MARGIN = 8  # px around the element's box: outlines are drawn outside it (outline-offset)

_FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const css = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
  return {tag: el.tagName.toLowerCase(), id: el.id || '',
          name: (label || el.textContent || el.value || el.getAttribute('aria-label') || '').trim(),
          outline: css.outlineStyle + ' ' + css.outlineWidth, focus_visible: el.matches(':focus-visible'),
          box: [box.left + window.scrollX, box.top + window.scrollY, box.width, box.height]};
}"""


def _pixels(png: bytes) -> NDArray[np.int16]:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


class FocusWalk:
    """Moves the focus with the keyboard and tells, at each stop, what has the focus and whether it
    can be seen: the region around the element is compared with how it looked before the walk began."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.before = _pixels(page.screenshot(full_page=True, animations="disabled"))
        self.passed: list[Focused] = []

    def focused(self) -> Focused | None:
        found: dict[str, Any] | None = self.page.evaluate(_FOCUSED_JS)
        if found is None:
            return None
        left, top, width, height = (float(v) for v in found["box"])
        x0, y0 = max(int(left) - _MARGIN, 0), max(int(top) - _MARGIN, 0)
        x1 = min(int(left + width) + _MARGIN, self.before.shape[1])
        y1 = min(int(top + height) + _MARGIN, self.before.shape[0])
        changed = 0
        if x1 > x0 and y1 > y0:
            now = _pixels(self.page.screenshot(full_page=True, animations="disabled",
                                               clip={"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}))
            then = self.before[y0:y1, x0:x1]
            rows, cols = min(now.shape[0], then.shape[0]), min(now.shape[1], then.shape[1])
            changed = int((np.abs(now[:rows, :cols] - then[:rows, :cols]).max(axis=2) > 32).sum())
        return Focused(str(found["tag"]), str(found["id"]), str(found["name"]), str(found["outline"]),
                       bool(found["focus_visible"]), changed)

    def tab_to(self, wanted: str, *, limit: int = 40) -> list[Focused]:
        """Presses Tab until an element whose id or visible name is `wanted` has the focus; returns every
        stop on the way (the last one is `wanted`). Fails if it never comes."""
        passed: list[Focused] = []
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            now = self.focused()
            if now is None:
                continue
            passed.append(now)
            if wanted in (now.id, " ".join(now.name.split())):
                self.passed += passed
                return passed
        raise AssertionError(f"{wanted!r} never got the focus with Tab; it went through "
                             f"{[(f.tag, f.id or f.name[:30]) for f in passed]}")

    def unseen(self) -> list[tuple[str, str, str, int]]:
        """The stops where the focus could not be seen."""
        return [(f.tag, f.id or f.name[:40], f.outline, f.changed_pixels) for f in self.passed
                if not f.indicated]


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    targets: tuple[str, ...]
    help: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help} at {', '.join(self.targets)}"


def axe_violations(page: Page) -> list[Violation]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it stands."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": list(WCAG_TAGS)},
                                     "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        targets = tuple(" ".join(str(t) for t in node["target"]) for node in violation["nodes"])
        found.append(Violation(violation["id"], str(violation.get("impact")), targets, violation["help"]))
    return found
