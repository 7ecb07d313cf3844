"""The insights figures as tables (headers and rows): what the page shows under each chart and
what its CSV and XLSX downloads hold, row for row. One helper turns a table into either file."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.http import Http404, HttpResponse
from django.utils.dates import MONTHS_3, WEEKDAYS
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from openpo.core.spreadsheets import defuse
from openpo.insights.segments import SEGMENTS
from openpo.orders.models import Order

TOP = 10
TOP_VARIANTS = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[object]]
    chart: dict | None = None  # {"labels", "values"} for a bar chart drawn from the rows
    numeric_from: int = 1  # columns from this index are numbers (right-aligned)
    extra: dict = field(default_factory=dict)


def _top(counted: dict[str, int], label=lambda name: name) -> list[list[object]]:
    items = list(counted.items())
    rows: list[list[object]] = [[label(name), n] for name, n in items[:TOP]]
    if len(items) > TOP:
        rows.append(
            [_("Others (%(count)s)") % {"count": len(items) - TOP}, sum(n for _n, n in items[TOP:])]
        )
    return rows


def _place(name: str) -> str:
    return _("Not given") if name == "-" else name


def _channel(name: str) -> str:
    return str(dict(Order.Channel.choices).get(name, name))


def month_label(month: str) -> str:
    """ "2026-03" → "Mar 2026" in the active language."""
    year, number = month.split("-")
    return f"{str(MONTHS_3[int(number)]).capitalize()} {year}"


def weekday_label(index: int) -> str:
    return str(WEEKDAYS[index])


def shop_tables(f: dict) -> dict[str, Table]:
    """Every table of the figures `insights()` returned."""
    days = [weekday_label(i) for i in range(7)]
    hours = [f"{h:02d}" for h in range(24)]
    tables = [
        Table(
            "weekday",
            _("Orders by weekday"),
            [_("Day"), _("Orders")],
            [[d, n] for d, n in zip(days, f["by_weekday"], strict=True)],
            chart={"labels": days, "values": f["by_weekday"]},
        ),
        Table(
            "hour",
            _("Orders by hour"),
            [_("Hour"), _("Orders")],
            [[f"{h}:00", n] for h, n in zip(hours, f["by_hour"], strict=True)],
            chart={"labels": hours, "values": f["by_hour"]},
        ),
        Table(
            "months",
            _("Orders by month"),
            [_("Month"), _("Shopping moments"), _("Orders"), _("Units")],
            [
                [month_label(m["month"]), ", ".join(m["moments"]), m["orders"], m["units"]]
                for m in f["months"]
            ],
            chart={
                "labels": [month_label(m["month"]) for m in f["months"]],
                "values": [m["orders"] for m in f["months"]],
            },
            numeric_from=2,
        ),
        Table(
            "monthdays",
            _("Orders by date of the month"),
            [_("Date"), _("Orders")],
            [[day, n] for day, n in enumerate(f["by_monthday"], start=1)],
            chart={"labels": [str(d) for d in range(1, 32)], "values": f["by_monthday"]},
        ),
        Table(
            "sizes",
            _("Size curve per product"),
            [_("Product"), _("Size"), _("Units"), _("Share")],
            [[r["product"], r["size"], r["units"], f"{r['share']:.0%}"] for r in f["size_curves"]],
            numeric_from=2,
        ),
        Table(
            "provinces", _("Provinces"), [_("Province"), _("Orders")], _top(f["provinces"], _place)
        ),
        Table("cities", _("Cities"), [_("City"), _("Orders")], _top(f["cities"], _place)),
        Table(
            "channels", _("Channels"), [_("Channel"), _("Orders")], _top(f["channels"], _channel)
        ),
        Table(
            "variants",
            _("Variants, most units first"),
            [
                _("PO"),
                _("Product"),
                _("Variant"),
                _("Units"),
                _("Orders"),
                _("Quota"),
                _("Sold out after (hours)"),
            ],
            [
                [
                    v["campaign"],
                    v["product"],
                    v["variant"],
                    v["units"],
                    v["orders"],
                    v["quota"],
                    v["sold_out_after_hours"],
                ]
                for v in f["variants"][:TOP_VARIANTS]
            ],
            numeric_from=3,
            extra={"total": len(f["variants"])},
        ),
        Table(
            "segments",
            _("Buyer segments"),
            [_("Segment"), _("Buyers")],
            [[str(SEGMENTS[name]), n] for name, n in f["segments"].items()],
            extra={"names": list(f["segments"])},
        ),
    ]
    return {t.key: t for t in tables}


def plan_tables(plan: dict) -> dict[str, Table]:
    """The next-PO suggestion and the history behind it."""
    units = Table(
        "plan",
        _("Units to plan per SKU"),
        [_("SKU"), _("Units")],
        [[v["sku"], v["units"]] for v in plan["variants"]],
    )
    evidence = Table(
        "evidence",
        _("Where the numbers come from"),
        [
            _("PO"),
            _("SKU"),
            _("Units sold"),
            _("Sold out after (hours)"),
            _("Demand"),
            _("Weight"),
            _("Share of the product"),
        ],
        [
            [
                e["campaign"],
                e["sku"],
                e["units"],
                e["sold_out_after_hours"],
                e["demand"],
                e["weight"],
                f"{e.get('share', 0):.0%}",
            ]
            for e in plan["evidence"]
            if "sku" in e
        ],
        numeric_from=2,
    )
    return {"plan": units, "evidence": evidence}


def day_table(po: dict) -> Table:
    """One PO's orders per day of its window (insights.campaign.campaign_figures)."""
    rows = [
        [date.fromisoformat(d["date"]), d["orders"], d["units"], d["units_to_date"]]
        for d in po["by_day"]
    ]
    return Table(
        "days",
        _("Orders by day"),
        [_("Date"), _("Orders"), _("Units"), _("Units so far")],
        rows,
        chart={
            "labels": [d["date"][5:] for d in po["by_day"]],
            "values": [d["orders"] for d in po["by_day"]],
        },
    )


def _cell(value: object) -> object:
    if value is None:
        return ""
    return defuse(value)


def download(table: Table, fmt: str, name: str) -> HttpResponse:
    """`table` as a CSV or XLSX file called `name`.<fmt>; any other format is 404."""
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so spreadsheet programs read UTF-8
        writer = csv.writer(buffer)
        writer.writerow(table.headers)
        writer.writerows([_cell(v) for v in row] for row in table.rows)
        body, content_type = buffer.getvalue().encode(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = table.key[:31]
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
        out = io.BytesIO()
        workbook.save(out)
        body, content_type = out.getvalue(), XLSX_TYPE
    else:
        raise Http404("Unknown format")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
