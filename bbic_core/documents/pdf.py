"""PDF from the report's HTML with WeasyPrint, offline by construction.

The URL fetcher refuses every address that is not `data:` or a local file under the template
folder or the system fonts, so a report can never reach the network (nor read files elsewhere)
whatever a template holds. A refusal stops the rendering: WeasyPrint would otherwise swallow the
error and print a document with a hole in it. Fonts are the local DejaVu set (fontconfig).
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from bbic_core.documents.charts import print_svg
from bbic_core.documents.html import TEMPLATE_DIR, stylesheet

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


class RefusedURLError(FatalURLFetchingError):  # type: ignore[misc]
    """A document asked for an address outside the template folder and the local fonts."""


def allowed_roots() -> tuple[Path, ...]:
    return (TEMPLATE_DIR, *FONT_DIRS)


def check_url(url: str) -> None:
    """Raise RefusedURLError unless `url` is `data:` or a local file under `allowed_roots()`."""
    parsed = urlparse(url)
    if parsed.scheme == "data":
        return
    if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
        path = Path(unquote(parsed.path)).resolve()
        if any(path.is_relative_to(root.resolve()) for root in allowed_roots()):
            return
    raise RefusedURLError(f"the report may not load {url!r}: only data: URLs and local template files")


class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint's fetcher, restricted by `check_url`."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        check_url(url)
        return super().fetch(url, headers)


# A chart of the page (pygal's root element): a flat SVG, no nested <svg>, well-formed XML.
_CHART = re.compile(r'<svg\b(?=[^>]*\bclass="pygal-chart")[^>]*>.*?</svg>', re.S)
_SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def charts_as_images(html: str) -> str:
    """The page with each chart as an SVG image (`data:` URL) instead of inline. WeasyPrint draws both
    with the same SVG renderer, so the page looks the same; but an inline chart's thousands of nodes and
    its own style sheet would also go through the page's HTML parser and CSS cascade, which cost most
    of a long report's PDF (the comparison and the year's report draw 11–18 charts). Each chart is
    its print variant (`charts.print_svg`): the same elements, without the style rules none matches."""
    def image(match: re.Match[str]) -> str:
        svg = print_svg(match.group(0)).replace("<svg", f"<svg {_SVG_NS}", 1)
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return f'<img class="pygal-chart" alt="" src="data:image/svg+xml;base64,{data}">'
    return _CHART.sub(image, html)


@functools.cache
def _parsed_style(css: str) -> tuple[CSS, FontConfiguration]:
    fonts = FontConfiguration()
    return CSS(string=css, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=SafeURLFetcher(),
               font_config=fonts), fonts


def render_pdf(html: str, target: Path | None = None) -> bytes:
    """The HTML printed to PDF; written to `target` when given.

    A report's page holds the report style sheet inline; it is parsed once per process and given to
    WeasyPrint ready (a worker prints dozens of documents with it), the page without its copy."""
    css = stylesheet()
    inline = f"<style>\n{css}\n</style>"
    options: dict[str, Any] = {}
    if inline in html:
        html = html.replace(inline, "", 1)
        parsed, fonts = _parsed_style(css)
        options = {"stylesheets": [parsed], "font_config": fonts}
    document = HTML(string=charts_as_images(html), base_url=TEMPLATE_DIR.as_uri() + "/",
                    url_fetcher=SafeURLFetcher())
    data: bytes = document.write_pdf(**options)
    if target is not None:
        target.write_bytes(data)
    return data
