"""Charts as inline SVG (pygal), self-contained: no script, no external style sheet, no comment
naming a web address, and a stable element id so the same figures give the same bytes.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from pygal.style import Style

from bbic_core.documents.labels import format_number_sv
from bbic_core.documents.tables import ChartData, beyond_four_months

FONT = "DejaVu Sans"
BLUE = "#1f5a96"
ORANGE = "#c8553d"
GREEN = "#3a7d44"

_STYLE_ARGS = {
    "font_family": FONT,
    "background": "white",
    "plot_background": "white",
    "foreground": "#222222",
    "foreground_strong": "#111111",
    "foreground_subtle": "#666666",
    "opacity": "1",
    "opacity_hover": "1",
    "title_font_size": 15,
    "label_font_size": 12,
    "major_label_font_size": 12,
    "legend_font_size": 13,
    "value_font_size": 12,
    "tooltip_font_size": 12,
    "guide_stroke_color": "#c9d1da",
    "major_guide_stroke_color": "#9aa5b1",
    "guide_stroke_dasharray": "2,2",
    "major_guide_stroke_dasharray": "2,2",
}


def _config(colors: tuple[str, ...], *, height: int = 330, legend: bool = False) -> dict[str, object]:
    return {
        "js": [],  # pygal links its tooltip script from a CDN by default: never in a report
        "disable_xml_declaration": True,
        "explicit_size": True,
        "width": 760,
        "height": height,
        "title": None,  # the document sets the heading above the chart, in its own type
        "show_legend": legend,
        "legend_at_bottom": True,
        "print_values": False,
        "no_data_text": "Inga uppgifter",
        "style": Style(colors=colors, **_STYLE_ARGS),
        "margin": 12,
        "truncate_label": -1,
        "show_minor_x_labels": True,
        "max_scale": 6,
        "min_scale": 3,
    }


def _static(plot: pygal.graph.graph.Graph) -> pygal.graph.graph.Graph:
    """The plot without its tooltip data: pygal writes four or five `<desc>` elements per bar or dot for
    its tooltip script, which a report never loads; they are half of a line chart's elements and only
    slow the PDF down."""
    plot.add_xml_filter(_without_desc)
    return plot


def _without_desc(root: ET.Element) -> ET.Element:
    for parent in root.iter():
        for child in [c for c in parent if c.tag == "desc"]:
            parent.remove(child)
    return root


def render_chart(chart: ChartData, chart_id: str) -> str:
    """The chart as an `<svg>` element for inline use in HTML (and so in the PDF)."""
    if chart.kind == "time_distribution":
        svg = _time_distribution(chart)
    elif chart.kind == "needs":
        svg = _needs(chart)
    else:
        svg = _monthly(chart)
    return sanitise_svg(svg, chart_id)


# Steps of a count axis: whole numbers only (half a child or 2,5 investigations make no sense).
_COUNT_STEPS = (1, 2, 5)
_MAX_COUNT_TICKS = 6


def count_ticks(values: Sequence[float | None]) -> list[int]:
    """Whole-number ticks from 0 that cover the largest value in at most six steps of 1, 2 or 5 × 10ⁿ."""
    top = max((v for v in values if v is not None), default=0.0)
    magnitude = 1
    while True:
        for base in _COUNT_STEPS:
            step = base * magnitude
            if math.ceil(top / step) <= _MAX_COUNT_TICKS:
                last = max(step, step * math.ceil(top / step))
                return list(range(0, last + 1, step))
        magnitude *= 10


def format_count(value: float) -> str:
    """A count on an axis, the Swedish way (`1 250`, `12 500`)."""
    return format_number_sv(str(round(value)))


def _count_axis(plot: pygal.graph.graph.Graph, values: Sequence[float | None]) -> None:
    ticks = count_ticks(values)
    plot.y_labels = ticks
    plot.range = (0, ticks[-1])
    plot.value_formatter = format_count


def _monthly(chart: ChartData) -> str:
    plot = _static(pygal.Bar(**_config((BLUE,))))
    plot.x_labels = chart.labels
    plot.x_label_rotation = -45 if len(chart.labels) > 8 else 0
    _count_axis(plot, [v for _, values in chart.series for v in values])
    for name, values in chart.series:
        plot.add(name, values)
    return str(plot.render(is_unicode=True))


def _time_distribution(chart: ChartData) -> str:
    """Bars per month taken, those within the law's four months in one colour, the rest in another:
    the 4-month line is where the colour changes (11 kap. 2 § SoL)."""
    plot = _static(pygal.StackedBar(**_config((GREEN, ORANGE), legend=True)))
    plot.x_labels = chart.labels
    within: list[float | None] = []
    beyond: list[float | None] = []
    for name, values in chart.series:
        value = values[0] if values else None
        within.append(None if beyond_four_months(name) else value)
        beyond.append(value if beyond_four_months(name) else None)
    _count_axis(plot, [*within, *beyond])
    plot.add(WITHIN_LABEL, within)
    plot.add(BEYOND_LABEL, beyond)
    return str(plot.render(is_unicode=True))


WITHIN_LABEL = "Inom 4 mån"
BEYOND_LABEL = "Över 4 mån"


# Room right of the plot for half of the last value label ("100,0 %" is centred on the plot's edge).
NEEDS_MARGIN_RIGHT = 40


def _needs(chart: ChartData) -> str:
    height = 90 + 26 * max(len(chart.labels), 1)
    plot = _static(pygal.HorizontalBar(**_config((BLUE,), height=height), margin_right=NEEDS_MARGIN_RIGHT))
    plot.x_labels = list(reversed(chart.labels))  # pygal draws the first label at the bottom
    plot.range = (0, 100)
    plot.y_labels = list(range(0, 101, 20))
    plot.value_formatter = lambda v: f"{format_number_sv(f'{v:.1f}')} %"
    for name, values in chart.series:
        plot.add(name, list(reversed(values)))
    return str(plot.render(is_unicode=True))


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
_NAMESPACE = re.compile(r"\s+xmlns(:\w+)?=\"[^\"]*\"")
_CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def sanitise_svg(svg: str, chart_id: str) -> str:
    """Drop scripts and comments (pygal names its web site and the render date in them), the
    namespace attributes (inline SVG in HTML needs none), and pygal's random id."""
    svg = _SCRIPT.sub("", svg)
    svg = _COMMENT.sub("", svg)
    svg = _NAMESPACE.sub("", svg)
    svg = _CHART_ID.sub(chart_id, svg)
    return svg.replace('xlink:href="', 'href="')


_STYLE = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
_NOT = re.compile(r":not\([^)]*\)")
_CLASS_NAME = re.compile(r"\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)")
# what only a screen or pygal's tooltip script uses: hover effects, animation, text selection
_SCREEN_ONLY = (":hover", "transition", "user-select", "font-smoothing")


def print_svg(svg: str) -> str:
    """The chart for print: the same elements, its style sheet without the rules no element of the
    chart matches (pygal ships rules for every kind of chart and its tooltips) and without hover and
    transition effects. WeasyPrint compiles every selector of an SVG's style sheet and matches every
    element against it, so the unused rules cost a long report more than drawing its charts."""
    used = {name for names in _CLASS_ATTRIBUTE.findall(svg) for name in names.split()}

    def rule(match: re.Match[str]) -> str:
        selectors = [s for s in match.group(1).split(",") if _may_match(s, used)]
        declarations = [d for d in match.group(2).split(";")
                        if d.strip() and not any(word in d for word in _SCREEN_ONLY)]
        if not selectors or not declarations:
            return ""
        return f"{','.join(selectors)}{{{';'.join(declarations)}}}"

    def sheet(match: re.Match[str]) -> str:
        return match.group(1) + _RULE.sub(rule, match.group(2)) + match.group(3)

    return _STYLE.sub(sheet, svg)


def _may_match(selector: str, used: set[str]) -> bool:
    """False when the selector needs a class no element has (a class under `:not` needs nothing)."""
    if any(word in selector for word in _SCREEN_ONLY):
        return False
    return all(name in used for name in _CLASS_NAME.findall(_NOT.sub("", selector)))


# --- small multiples of the comparison (report 4, D2.trend) -----------------------------------------------

# Colours a colour-blind reader tells apart (Okabe–Ito), the municipality in black; when a city's
# fourteen districts are drawn they are thin grey lines behind the networks (shape, not colour).
UNIT_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f4a00")
MUNICIPALITY_COLOUR = "#111111"
BACKGROUND_COLOUR = "#b5bcc4"
TARGET_COLOUR = "#555555"
TARGET_DASH = "7,5"


@dataclass(frozen=True, slots=True)
class TrendSeries:
    name: str
    values: list[float | None]
    colour: str
    width: float = 2.0


@dataclass(frozen=True, slots=True)
class TrendChart:
    """One indicator over the tertials: a line per unit and the target as a dashed line."""

    nyckeltal: str
    title: str
    labels: list[str]
    series: list[TrendSeries]
    share: bool  # a share: the axis runs 0–100 %
    target: float | None = None
    note: str = ""


def render_trend(chart: TrendChart, chart_id: str) -> str:
    """A small line chart (one of the small multiples) as an inline `<svg>`."""
    colours = tuple(s.colour for s in chart.series) + ((TARGET_COLOUR,) if chart.target is not None else ())
    config = _config(colours or (BLUE,), height=215)
    # a third of the page's width: the type is set so it prints at about 6 pt
    style = Style(colors=colours or (BLUE,), **{**_STYLE_ARGS, "label_font_size": 13,
                                                "major_label_font_size": 13})
    config.update(width=320, margin=6, dots_size=2.5, show_x_guides=False, allow_interruptions=True,
                  style=style, x_label_rotation=-35)
    plot = _static(pygal.Line(**config))
    plot.x_labels = chart.labels
    values = [v for s in chart.series for v in s.values]
    if chart.share:
        plot.range = (0, 100)
        plot.y_labels = list(range(0, 101, 20))
        plot.value_formatter = lambda v: f"{v:.0f} %"
    else:
        top = [*values, chart.target]
        _count_axis(plot, top)
    for series in chart.series:
        plot.add(series.name, series.values, stroke_style={"width": series.width})
    if chart.target is not None:
        plot.add("Mål", [chart.target] * len(chart.labels), show_dots=False,
                 stroke_style={"width": 1.6, "dasharray": TARGET_DASH})
    return sanitise_svg(str(plot.render(is_unicode=True)), chart_id)
