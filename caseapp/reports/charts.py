"""The dashboards' charts: each figure's table drawn on the server as SVG with pygal (shipped with
the app as a Python package: no CDN, nothing fetched). The SVG is inlined in the page, so it
prints, needs no script (pygal's tooltip script, which it would load from a CDN, is left out:
`js=[]`, and its inline configuration script removed, as the page's Content-Security-Policy
refuses inline scripts) and carries no address: the namespace declarations an inline SVG in HTML
does not need and pygal's credit comments are taken out."""
from __future__ import annotations

import re
from decimal import Decimal

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from caseapp.cases import lifecycle
from caseapp.reports.services import DAYS, MONEY, PERCENT, Table

# The app's own font and colours that stay apart for colour-blind readers (Okabe and Ito).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#7F3C8D", "#8C564B", "#BCBD22", "#17BECF", "#E41A1C")
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#222222",
              foreground_strong="#111111", foreground_subtle="#555555", colors=COLOURS, opacity=".9",
              opacity_hover="1", font_family="'DejaVu Sans', Arial, sans-serif", title_font_size=15,
              label_font_size=11, major_label_font_size=11, legend_font_size=12, value_font_size=11,
              tooltip_font_size=12, no_data_font_size=20, transition="0ms")
WIDTH, HEIGHT = 820, 340

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def _options(series: int = 1, columns: int = 3, **more) -> dict:
    """pygal's options for one chart: no script, the app's style, the legend beneath in `columns`
    columns, and the chart as tall as its legend needs (German labels are long)."""
    rows = -(-series // columns)
    options = dict(js=[], style=STYLE, width=WIDTH, height=HEIGHT + 22 * rows, disable_xml_declaration=True,
                   legend_at_bottom=True, legend_at_bottom_columns=columns, truncate_legend=-1,
                   show_y_guides=True, x_label_rotation=0, print_values=False, no_data_text=_("No data yet"),
                   margin=10, margin_bottom=10 + 4 * rows, tooltip_fancy_mode=False)
    options.update(more)
    return options


def _svg(chart, label: str) -> str:
    """The chart as an inline SVG: no script, no comment, no address; named for screen readers
    (the table beneath holds the figures)."""
    svg = chart.render(is_unicode=True)
    svg = _SCRIPT.sub("", svg)
    svg = _COMMENT.sub("", svg)
    svg = _NAMESPACES.sub("", svg)
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _month_labels(table: Table) -> list[str]:
    return [row[0] for row in table.rows]


def _amount(value) -> Decimal | None:
    """An amount's height on the chart (the table beneath holds it exactly)."""
    return None if value is None else value.to_decimal()


def stages(table: Table) -> str:
    """Open cases by stage per month, stacked (closed cases are in the table: they only grow)."""
    series = [(column.label, [row[index] for row in table.rows])
              for index, column in enumerate(table.columns[1:], start=1) if column.key != lifecycle.CLOSED]
    series = [(label, values) for label, values in series if any(values)]
    chart = pygal.StackedBar(**_options(len(series), 3))
    chart.x_labels = _month_labels(table)
    for label, values in series:
        chart.add(label, values)
    return _svg(chart, table.title)


def closures(table: Table) -> str:
    chart = pygal.HorizontalBar(**_options(0, show_legend=False))
    chart.x_labels = [row[0] for row in table.rows]
    chart.add(table.columns[1].label, [row[1] for row in table.rows])
    return _svg(chart, table.title)


def collection(table: Table) -> str:
    """Both rates (by count, by amount) per currency, in per cent."""
    chart = pygal.Bar(**_options(2, 2, range=(0, 100)))
    chart.x_labels = [row[0] for row in table.rows]
    for index, column in enumerate(table.columns):
        if column.kind == PERCENT:
            chart.add(column.label, [row[index] for row in table.rows])
    return _svg(chart, table.title)


def money(table: Table) -> str:
    """Collected and paid out per month: one series per currency (never summed across them)."""
    months = list(dict.fromkeys(row[0] for row in table.rows))
    currencies = list(dict.fromkeys(row[1] for row in table.rows))
    chart = pygal.Bar(**_options(2 * len(currencies), 2))
    chart.x_labels = months
    for currency in currencies:
        for index, column in enumerate(table.columns):
            if column.kind != MONEY:
                continue
            by_month = {row[0]: row[index] for row in table.rows if row[1] == currency}
            chart.add(f"{column.label} {currency}", [_amount(by_month.get(month)) for month in months])
    return _svg(chart, table.title)


def durations(table: Table) -> str:
    chart = pygal.Line(**_options(4, 2, y_title=_("days"), allow_interruptions=True))
    chart.x_labels = _month_labels(table)
    for index, column in enumerate(table.columns):
        if column.kind == DAYS:
            chart.add(column.label, [row[index] for row in table.rows])
    return _svg(chart, table.title)


DRAW = {"stages": stages, "closures": closures, "collection": collection, "money": money, "durations": durations}


def draw(table: Table) -> str:
    return DRAW[table.key](table)


