"""Charts: the only module that calls pygal.

Every chart is an SVG made at build time with no script (pygal's tooltip script
would come from another host), a stable id instead of pygal's random one, and no
comment carrying today's date, so that the same data gives the same bytes. The
white card background keeps it legible in light and dark schemes and in print.
Each chart comes with the table of its numbers, which the page shows beside it
and offers as CSV.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Optional, Sequence

import pygal
from pygal.style import Style

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f1f1f",
    foreground_strong="#000000",
    foreground_subtle="#595959",
    opacity=".35",
    opacity_hover=".6",
    colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=16,
    title_font_size=18,
    value_font_size=14,
    tooltip_font_size=12,
)

_COMMON = dict(
    style=_STYLE,
    js=[],  # no tooltip script: nothing is fetched from another host
    disable_xml_declaration=True,
    explicit_size=False,
    pretty_print=False,
    print_values=False,
    legend_at_bottom=True,
    legend_at_bottom_columns=1,
    truncate_legend=-1,
    truncate_label=-1,
    width=720,
    height=460,
    margin=12,
)


@dataclass(frozen=True)
class Table:
    """The numbers of a chart: a header row and data rows, for the page and the CSV."""

    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    @property
    def numeric_columns(self) -> tuple[bool, ...]:
        """Per column: does it hold numbers (right-aligned)? The first column names the rows."""
        return tuple(i > 0 and bool(self.rows) and all(isinstance(row[i], (int, float)) or _NUMBER.fullmatch(str(row[i])) for row in self.rows)
                     for i in range(len(self.header)))


@dataclass(frozen=True)
class Chart:
    """A chart as the page describes it; its SVG is drawn from `spec` only when asked for.

    `spec` holds everything the drawing depends on (plain tuples, so that charts
    can be compared, remembered between builds and drawn in another process).
    """

    name: str  # file stem, e.g. "radar"
    title: str
    description: str  # for screen readers and as the figure's caption
    table: Table
    spec: tuple

    @cached_property
    def svg(self) -> str:
        return draw(self.spec)


def draw(spec: tuple) -> str:
    """The SVG of a chart spec (see the functions below): the same spec always gives the same text."""
    kind, *arguments = spec
    return _DRAW[kind](*arguments)


def radar(name: str, title: str, description: str, axis_labels: Sequence[str],
          series: Sequence[tuple[str, Sequence[Optional[float]]]], maximum: float, header: Sequence[str]) -> Chart:
    table = Table(tuple(header), tuple((axis,) + tuple(_n(s[1][i]) for s in series) for i, axis in enumerate(axis_labels)))
    spec = ("radar", name, title, tuple(axis_labels), tuple((label, tuple(values)) for label, values in series), maximum)
    return Chart(name, title, description, table, spec)


def _draw_radar(name: str, title: str, axis_labels: tuple, series: tuple, maximum: float) -> str:
    chart = pygal.Radar(title=title, range=(0, maximum), fill=False, dots_size=4, show_legend=True, value_formatter=_format,
                        x_label_rotation=0, **_COMMON)
    chart.x_labels = list(axis_labels)
    for label, values in series:
        chart.add(label, list(values))
    return _finish(chart, name)


def bars(name: str, title: str, description: str, labels: Sequence[str], values: Sequence[Optional[float]],
         maximum: float, series_label: str, header: Sequence[str],
         reference: Optional[tuple[str, Sequence[Optional[float]]]] = None) -> Chart:
    columns = [values]
    if reference:
        columns.append(reference[1])
    table = Table(tuple(header), tuple((label,) + tuple(_n(c[i]) for c in columns) for i, label in enumerate(labels)))
    spec = ("bars", name, title, tuple(labels), tuple(values), maximum, series_label,
            (reference[0], tuple(reference[1])) if reference else None)
    return Chart(name, title, description, table, spec)


def _draw_bars(name: str, title: str, labels: tuple, values: tuple, maximum: float, series_label: str,
               reference: Optional[tuple]) -> str:
    chart = pygal.HorizontalBar(title=title, range=(0, maximum), show_legend=reference is not None,
                                print_values=True, value_formatter=_format, height=max(260, 70 + 44 * len(labels)) if labels else 260,
                                **{k: v for k, v in _COMMON.items() if k not in ("print_values", "height")})
    # pygal stacks a horizontal bar chart's labels from the bottom up; reversed, the bars read
    # from the top down in the order of the table beside them (area 1 first, rank 1 first).
    chart.x_labels = list(reversed(labels))
    chart.add(series_label, [_value(v) for v in reversed(values)])
    if reference:
        chart.add(reference[0], [_value(v) for v in reversed(reference[1])])
    return _finish(chart, name)


def history(name: str, title: str, description: str, series: Sequence[tuple[str, Sequence[tuple[int, float]]]],
            maximum: float, header: Sequence[str]) -> Chart:
    """Totals over the years, one line per framework revision, so no line crosses a revision break."""
    rows = []
    for label, points in series:
        rows.extend((year, label, _n(value)) for year, value in points)
    spec = ("history", name, title, tuple((label, tuple((year, value) for year, value in points)) for label, points in series),
            maximum)
    return Chart(name, title, description, Table(tuple(header), tuple(sorted(rows))), spec)


def _draw_history(name: str, title: str, series: tuple, maximum: float) -> str:
    years = sorted({year for _, points in series for year, _ in points})
    chart = pygal.XY(title=title, range=(0, maximum), xrange=(min(years) - 1, max(years) + 1) if years else None,
                     dots_size=5, stroke=True, show_legend=True, x_labels=years, x_label_rotation=0,
                     value_formatter=_format, x_value_formatter=lambda x: str(int(x)), **_COMMON)
    for label, points in series:
        chart.add(label, [(year, value) for year, value in points])
    return _finish(chart, name)


def box(name: str, title: str, description: str, groups: Sequence[tuple[str, Sequence[float]]], maximum: float,
        header: Sequence[str], summary_rows: Sequence[tuple[object, ...]]) -> Chart:
    spec = ("box", name, title, tuple((label, tuple(values)) for label, values in groups), maximum)
    return Chart(name, title, description, Table(tuple(header), tuple(summary_rows)), spec)


def _draw_box(name: str, title: str, groups: tuple, maximum: float) -> str:
    chart = pygal.Box(title=title, range=(0, maximum), box_mode="tukey", show_legend=False,
                      x_label_rotation=20 if len(groups) > 4 else 0, value_formatter=_format, **_COMMON)
    for label, values in groups:
        chart.add(label, list(values) or [None])
    chart.x_labels = [label for label, _ in groups]
    return _finish(chart, name)


_DRAW = {"radar": _draw_radar, "bars": _draw_bars, "history": _draw_history, "box": _draw_box}


_NUMBER = re.compile(r"(?:[−-]?\d+(?:,\d+)?(?: %)?)?")  # a number as the page writes it, or nothing
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _finish(chart: pygal.graph.graph.Graph, name: str) -> str:
    chart.uuid = f"kk-{name}"  # pygal's default id is random
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", svg)  # pygal's comment carries the date of the build
    return _SCRIPT.sub("", svg)  # its inline config is only for the tooltip script we leave out


def _value(value: Optional[float]) -> Optional[dict]:
    return None if value is None else {"value": value, "label": _format(value)}


def _format(value: Optional[float]) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def _n(value: Optional[float]) -> object:
    return "" if value is None else value
