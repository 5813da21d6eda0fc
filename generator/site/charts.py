"""Charts: the only module that calls pygal.

Every chart is an SVG made at build time with no script (pygal's tooltip script
would come from another host), a stable id instead of pygal's random one, and no
comment carrying today's date, so that the same data gives the same bytes.
Each chart comes with the table of its numbers, which the page shows beside it
and offers as CSV.

Laid out for a phone: the charts are drawn 440 units wide with text of at least
14 units, so that at 390 px (about 358 px of content) no text is below 11 px; the
stylesheet keeps them from growing past 560 px on a wide screen. Each chart
carries its own style with a light card and a dark one (`prefers-color-scheme`),
so that it reads on either page background. Bar charts are drawn here without
pygal: their labels stand above the bars at full width (no squeezed plot beside
long area names), the values in a column of their own, grid lines behind the bars.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import pygal
from pygal.style import Style

from generator.text import coordinate as _f
from generator.text import decimal_comma, xml_characters
from generator.text import escape_xml as _esc

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
WIDTH = 440  # drawing units; shown 358-560 px wide
TEXT = 15  # labels
SMALL = 14  # ticks, values, legend: the smallest text of every chart

# The two cards: (background, text, subtle text, grid, series colours). The dark card's series
# colours are the lighter Okabe–Ito ones, each at least 3:1 against its background.
LIGHT = ("#ffffff", "#1f1f1f", "#4d4d4d", "#dedede", ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#B07800", "#000000"))
DARK = ("#1e2129", "#eeeeee", "#c4c4c4", "#3b404d", ("#56B4E9", "#E69F00", "#2FCB9E", "#E9A3C9", "#F0E442", "#ffffff"))

_STYLE = Style(
    background=LIGHT[0],
    plot_background=LIGHT[0],
    foreground=LIGHT[1],
    foreground_strong=LIGHT[1],
    foreground_subtle=LIGHT[2],
    guide_stroke_color=LIGHT[3],
    major_guide_stroke_color=LIGHT[3],
    guide_stroke_dasharray="none",  # solid light grid lines, not dashes through the data
    major_guide_stroke_dasharray="none",
    opacity=".35",
    opacity_hover=".6",
    colors=LIGHT[4],
    font_family=FONT,
    label_font_size=SMALL,
    major_label_font_size=SMALL,
    legend_font_size=SMALL,
    title_font_size=17,
    value_font_size=SMALL,
    tooltip_font_size=SMALL,
    no_data_font_size=TEXT,
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
    width=WIDTH,
    height=340,
    margin=8,
    spacing=8,
)


@dataclass(frozen=True)
class Table:
    """The numbers of a chart: a header row and data rows, for the page and the CSV."""

    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    @property
    def numeric_columns(self) -> tuple[bool, ...]:
        """Per column: does it hold numbers (right-aligned)? The first column names the rows."""
        return tuple(
            i > 0
            and bool(self.rows)
            and all(
                row[i] is None or isinstance(row[i], (int, float)) or _NUMBER.fullmatch(str(row[i]))
                for row in self.rows
            )
            for i in range(len(self.header))
        )


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


def bars(
    name: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    maximum: float,
    series_label: str,
    header: Sequence[str],
    reference: tuple[str, Sequence[float | None]] | None = None,
    references: Sequence[tuple[str, Sequence[float | None]]] = (),
) -> Chart:
    """One bar per label; each reference (a mean, another year) is a marker on the bar's row.
    `header` names the table's columns: the label column, the bars, then each reference."""
    refs = ([reference] if reference else []) + list(references)
    columns = [values] + [r[1] for r in refs]
    table = Table(tuple(header), tuple((label,) + tuple(_n(c[i]) for c in columns) for i, label in enumerate(labels)))
    spec = (
        "bars",
        name,
        title,
        tuple(labels),
        tuple(values),
        maximum,
        series_label,
        tuple((label, tuple(v)) for label, v in refs),
    )
    return Chart(name, title, description, table, spec)


_MARKERS = ("diamond", "circle", "triangle", "square", "circle")


def _draw_bars(
    name: str, title: str, labels: tuple, values: tuple, maximum: float, series_label: str, references: tuple
) -> str:
    """Labels above the bars, a value column on the right, markers for the references."""
    pad, value_column, bar = 8, 44, 18
    x0, x1 = pad, WIDTH - pad - value_column
    out, y = _title(title, pad)
    # Legend: the bars, then each reference's marker, wrapped to the width.
    items = [("bar", series_label)] + [(_MARKERS[i % len(_MARKERS)], label) for i, (label, _) in enumerate(references)]
    x: float = pad
    line_y = y + SMALL + 2
    for index, (kind, label) in enumerate(items):
        lines = _wrap(label, SMALL, WIDTH - 2 * pad - 22)
        width = 22 + max((_text_width(line, SMALL) for line in lines), default=0) + 14
        if x > pad and (x + width > WIDTH - pad or len(lines) > 1):
            x, line_y = pad, line_y + SMALL + 10
        centre = line_y - SMALL * 0.35
        if kind == "bar":
            out.append(f'<rect class="c0" x="{x}" y="{_f(centre - 7)}" width="16" height="14"/>')
        else:
            out.append(_marker(kind, x + 8, centre, 7, index))
        for number, line in enumerate(lines):
            if number:
                line_y += SMALL + 4
            out.append(f'<text class="t small" x="{x + 22}" y="{_f(line_y)}">{_esc(line)}</text>')
        x = pad + 10_000 if len(lines) > 1 else x + width  # after a wrapped label the next starts a line
    y = line_y + 14
    # Tick labels over the grid lines, which run behind every row.
    ticks = _ticks(maximum)
    y += SMALL
    tick_y = y
    y += 8
    rows_top = y
    row_out: list[str] = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        for line in _wrap(label, TEXT, WIDTH - 2 * pad):
            y += TEXT + 4
            row_out.append(f'<text class="t" x="{pad}" y="{y}">{_esc(line)}</text>')
        y += 6
        if value is not None:
            length = max(0.0, min(value, maximum)) / maximum * (x1 - x0)
            row_out.append(f'<rect class="c0" x="{x0}" y="{y}" width="{_f(length)}" height="{bar}"/>')
        row_out.append(
            f'<text class="t value" x="{WIDTH - pad}" y="{_f(y + bar - 4)}" text-anchor="end">{_esc(_format(value) or "–")}</text>'
        )
        for number, (_, reference_values) in enumerate(references):
            point = reference_values[index]
            if point is not None:
                cx = x0 + max(0.0, min(point, maximum)) / maximum * (x1 - x0)
                # Several references stand one above the other within the bar's height, so that
                # equal or close values do not hide one another.
                offset = (number - (len(references) - 1) / 2) * (bar / max(1, len(references)))
                row_out.append(
                    _marker(
                        _MARKERS[number % len(_MARKERS)],
                        cx,
                        y + bar / 2 + offset,
                        6 if len(references) > 1 else 7,
                        number + 1,
                    )
                )
        y += bar + 12
    grid = []
    for tick in ticks:
        gx = x0 + tick / maximum * (x1 - x0)
        grid.append(f'<line class="grid" x1="{_f(gx)}" y1="{rows_top}" x2="{_f(gx)}" y2="{_f(y - 8)}"/>')
        anchor = "start" if tick == 0 else ("end" if tick == ticks[-1] and gx > x1 - 12 else "middle")
        grid.append(
            f'<text class="t small subtle" x="{_f(gx)}" y="{tick_y}" text-anchor="{anchor}">{_format(tick)}</text>'
        )
    height = y + pad
    return _svg(name, title, height, out + grid + row_out)


def _title(title: str, pad: int) -> tuple[list[str], int]:
    """A chart's title, wrapped to the width: its lines, and where what follows starts."""
    out, y = [], pad
    for line in _wrap(title, 17, WIDTH - 2 * pad):
        y += 21
        out.append(f'<text class="t title" x="{pad}" y="{y}">{_esc(line)}</text>')
    return out, y + 8


def _svg(name: str, title: str, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="kk-{name}" class="kk-svg" viewBox="0 0 {WIDTH} {_f(height)}" '
        f'role="img"><title>{_esc(title)}</title><style>{_own_style()}</style>'
        f'<rect class="bg" width="{WIDTH}" height="{_f(height)}"/>' + "".join(body) + "</svg>"
    )


def _own_style() -> str:
    def colours(card: tuple) -> str:
        background, text, subtle, grid, series = card
        rules = [
            f".bg{{fill:{background}}}",
            f".t{{fill:{text}}}",
            f".boxfill{{fill:{series[0]}}}",
            f".whisker{{stroke:{subtle}}}",
            f".subtle{{fill:{subtle}}}",
            f".grid{{stroke:{grid};stroke-width:1}}",
            f".marker{{stroke:{background}}}",
        ]
        rules += [f".c{i}{{fill:{colour}}}" for i, colour in enumerate(series)]
        return "".join(rules)

    return (
        f"text{{font-family:{FONT};font-size:{TEXT}px}}.small,.value{{font-size:{SMALL}px}}.value{{font-weight:600}}"
        f".boxfill{{fill-opacity:.3}}.whisker{{stroke-width:2}}"
        f".title{{font-size:17px;font-weight:700}}.marker{{stroke-width:2}}{colours(LIGHT)}"
        f"@media (prefers-color-scheme: dark){{{colours(DARK)}}}"
    )


def _marker(kind: str, cx: float, cy: float, r: float, colour: int) -> str:
    cls = f'class="marker c{colour}"'
    if kind == "diamond":
        return f'<path {cls} d="M{_f(cx)} {_f(cy - r - 1)}L{_f(cx + r + 1)} {_f(cy)}L{_f(cx)} {_f(cy + r + 1)}L{_f(cx - r - 1)} {_f(cy)}Z"/>'
    if kind == "triangle":
        return f'<path {cls} d="M{_f(cx)} {_f(cy - r)}L{_f(cx + r)} {_f(cy + r)}L{_f(cx - r)} {_f(cy + r)}Z"/>'
    if kind == "square":
        return (
            f'<rect {cls} x="{_f(cx - r + 1)}" y="{_f(cy - r + 1)}" width="{_f(2 * r - 2)}" height="{_f(2 * r - 2)}"/>'
        )
    return f'<circle {cls} cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r - 1)}"/>'


def _ticks(maximum: float) -> list[float]:
    """Four or five round steps from 0 to the maximum: few enough never to run together."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if maximum / step <= 5:
            ticks: list[float] = [step * i for i in range(int(maximum // step) + 1)]
            return ticks if ticks[-1] == maximum or maximum - ticks[-1] < step / 2 else ticks + [maximum]
    return [0, maximum]


def _text_width(text: str, size: float) -> float:
    """A generous estimate of a text's width in the system sans-serif fonts."""
    return (
        1.12
        * size
        * sum(0.62 if ch.isupper() or ch in "mwMW%" else 0.3 if ch in "iljft.,:;'|() " else 0.55 for ch in text)
    )


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and _text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + [line] if line else lines


def history(
    name: str,
    title: str,
    description: str,
    series: Sequence[tuple[str, Sequence[tuple[int, float | None]]]],
    maximum: float,
    header: Sequence[str],
) -> Chart:
    """Totals over the years, one line per framework revision, so no line crosses a revision break."""
    rows: list[tuple[int, str, object]] = []
    for label, points in series:
        rows.extend((year, label, _n(value)) for year, value in points)
    spec = (
        "history",
        name,
        title,
        tuple((label, tuple((year, value) for year, value in points)) for label, points in series),
        maximum,
    )
    return Chart(name, title, description, Table(tuple(header), tuple(sorted(rows))), spec)


def _draw_history(name: str, title: str, series: tuple, maximum: float) -> str:
    years = sorted({year for _, points in series for year, _ in points})
    chart = pygal.XY(
        title=title,
        range=(0, maximum),
        xrange=(min(years) - 1, max(years) + 1) if years else None,
        dots_size=5,
        stroke=True,
        show_legend=True,
        x_labels=_spaced(years, maximum_labels=5),
        x_label_rotation=0,
        y_labels=_ticks(maximum),
        value_formatter=_format,
        x_value_formatter=lambda x: str(int(x)),
        **_COMMON,
    )
    for label, points in series:
        chart.add(label, [(year, value) for year, value in points])
    return _finish(chart, name)


def box(
    name: str,
    title: str,
    description: str,
    groups: Sequence[tuple[str, Sequence[float]]],
    maximum: float,
    header: Sequence[str],
    summary_rows: Sequence[tuple[object, ...]],
    legend: Sequence[str] = ("", "", ""),
) -> Chart:
    """The spread of each group's values: every value a dot, the middle half a box, the median a line.
    `legend` names the three: (the values, the middle half, the median); the median is also printed."""
    spec = ("box", name, title, tuple((label, tuple(values)) for label, values in groups), maximum, tuple(legend))
    return Chart(name, title, description, Table(tuple(header), tuple(summary_rows)), spec)


def _draw_box(name: str, title: str, groups: tuple, maximum: float, legend: tuple) -> str:
    """Drawn like the bar charts (one row per group, its label above), without pygal: pygal's
    box chart put the groups' names side by side under the plot, where long names overlap."""
    pad, value_column, band = 8, 44, 22
    x0, x1 = pad, WIDTH - pad - value_column
    scale = (x1 - x0) / maximum
    out, y = _title(title, pad)
    x: float = pad
    line_y = y + SMALL + 2
    for kind, label in zip(("dot", "box", "median"), legend, strict=True):
        if not label:
            continue
        width = 22 + _text_width(label, SMALL) + 14
        if x > pad and x + width > WIDTH - pad:
            x, line_y = pad, line_y + SMALL + 10
        centre = line_y - SMALL * 0.35
        if kind == "dot":
            out.append(f'<circle class="marker c0" cx="{x + 8}" cy="{_f(centre)}" r="5"/>')
        elif kind == "box":
            out.append(f'<rect class="boxfill" x="{x}" y="{_f(centre - 7)}" width="16" height="14"/>')
        else:
            out.append(f'<rect class="t" x="{x + 6.5}" y="{_f(centre - 9)}" width="3" height="18"/>')
        out.append(f'<text class="t small" x="{x + 22}" y="{_f(line_y)}">{_esc(label)}</text>')
        x += width
    y = line_y + 14 + SMALL
    tick_y = y
    y += 8
    rows_top = y
    rows: list[str] = []
    for label, values in groups:
        for line in _wrap(label, TEXT, WIDTH - 2 * pad):
            y += TEXT + 4
            rows.append(f'<text class="t" x="{pad}" y="{y}">{_esc(line)}</text>')
        y += 6
        ordered = sorted(values)
        centre = y + band / 2
        if ordered:
            low, high = ordered[0], ordered[-1]
            q1, median, q3 = (
                statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else (ordered[0],) * 3
            )
            rows.append(
                f'<line class="whisker" x1="{_f(x0 + low * scale)}" y1="{_f(centre)}" x2="{_f(x0 + high * scale)}" y2="{_f(centre)}"/>'
            )
            rows.append(
                f'<rect class="boxfill" x="{_f(x0 + q1 * scale)}" y="{y}" width="{_f(max(1.0, (q3 - q1) * scale))}" height="{band}"/>'
            )
            for value in ordered:
                rows.append(f'<circle class="marker c0" cx="{_f(x0 + value * scale)}" cy="{_f(centre)}" r="5"/>')
            rows.append(
                f'<rect class="t" x="{_f(x0 + median * scale - 1.5)}" y="{y - 3}" width="3" height="{band + 6}"/>'
            )
            rows.append(
                f'<text class="t value" x="{WIDTH - pad}" y="{_f(centre + 5)}" text-anchor="end">{_esc(_format(round(median, 1)))}</text>'
            )
        y += band + 12
    grid = []
    ticks = _ticks(maximum)
    for tick in ticks:
        gx = x0 + tick * scale
        grid.append(f'<line class="grid" x1="{_f(gx)}" y1="{rows_top}" x2="{_f(gx)}" y2="{_f(y - 8)}"/>')
        anchor = "start" if tick == 0 else ("end" if tick == ticks[-1] and gx > x1 - 12 else "middle")
        grid.append(
            f'<text class="t small subtle" x="{_f(gx)}" y="{tick_y}" text-anchor="{anchor}">{_format(tick)}</text>'
        )
    return _svg(name, title, y + pad, out + grid + rows)


_DRAW: dict[str, Callable[..., str]] = {"bars": _draw_bars, "history": _draw_history, "box": _draw_box}


_NUMBER = re.compile(r"(?:[−-]?\d+(?:,\d+)?(?: %)?|–)?")  # a number as the page writes it, a dash for none, or nothing
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
# Characters XML cannot hold, even as references: a control character in a name would leave the
# SVG not well-formed (a browser shows an error instead of the chart). Shown as U+FFFD instead.


def _spaced(years: list, maximum_labels: int) -> list:
    """At most `maximum_labels` years to label, evenly spread, so that no two run together."""
    if len(years) <= maximum_labels:
        return years
    step = -(-len(years) // maximum_labels)
    return years[::step]


def _finish(chart: pygal.graph.graph.Graph, name: str) -> str:
    chart.uuid = f"kk-{name}"  # pygal's default id is random
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", svg)  # pygal's comment carries the date of the build
    svg = xml_characters(svg)
    svg = _SCRIPT.sub("", svg)  # its inline config is only for the tooltip script we leave out
    at = svg.index("</style>")
    return svg[:at] + _dark_pygal(f"#chart-kk-{name}") + svg[at:]


def _dark_pygal(root: str) -> str:
    """pygal's style is the light card; the dark card overrides it where the reader prefers dark."""
    background, text, subtle, grid, series = DARK
    rules = [
        f"{root}{{background-color:{background}}}",
        f"{root} .graph .background{{fill:{background}}}",
        f"{root} .graph,{root} text,{root} .axis text.major,{root} .title,{root} .legends .legend text{{fill:{text}}}",
        f"{root} .axis .line,{root} .axis .major.line{{stroke:{subtle}}}",
        f"{root} .axis .guide.line,{root} .axis .major.guide.line{{stroke:{grid}}}",
    ]
    rules += [
        f"{root} .color-{i},{root} .color-{i} a:visited{{stroke:{colour};fill:{colour}}}"
        for i, colour in enumerate(series)
    ]
    return "@media (prefers-color-scheme: dark){" + "".join(rules) + "}"


def _value(value: float | None) -> dict | None:
    return None if value is None else {"value": value, "label": _format(value)}


def _format(value: float | None) -> str:
    return "" if value is None else decimal_comma(value)


def _n(value: float | None) -> object:
    return "" if value is None else value
