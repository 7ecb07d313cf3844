"""Orders as a spreadsheet file, CSV or XLSX: one row per order line, in the shop's time zone.
The dashboard's download and the API's export give the same file.

Both formats get the same rows. Text that a spreadsheet would run as a formula (starting with
= + - @) is defused: in CSV with a leading apostrophe, in XLSX by storing the cell as text.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from openpo.catalog.models import Shop
from openpo.core.phone import format_phone_local
from openpo.core.spreadsheets import defuse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (header, width in characters) per column; the header is translated when the file is made.
COLUMNS = [
    (gettext_lazy("Order code"), 12),
    (gettext_lazy("Ordered at"), 17),
    (gettext_lazy("Name"), 24),
    (gettext_lazy("Buyer's WhatsApp number"), 17),
    (gettext_lazy("Email"), 26),
    (gettext_lazy("Address"), 36),
    (gettext_lazy("City"), 16),
    (gettext_lazy("Province"), 16),
    (gettext_lazy("Postal code"), 11),
    (gettext_lazy("Product"), 28),
    (gettext_lazy("Variant"), 16),
    (gettext_lazy("SKU"), 16),
    (gettext_lazy("Quantity"), 9),
    (gettext_lazy("Unit price (Rp)"), 14),
    (gettext_lazy("Line total (Rp)"), 14),
    (gettext_lazy("Order total (Rp)"), 15),
    (gettext_lazy("Paid (Rp)"), 14),
    (gettext_lazy("Payment status"), 20),
    (gettext_lazy("Fulfilment status"), 18),
    (gettext_lazy("Order status"), 16),
    (gettext_lazy("Channel"), 18),
    (gettext_lazy("Buyer's notes"), 30),
]


def headers() -> list[str]:
    return [str(title) for title, _width in COLUMNS]


def order_rows(orders: QuerySet, shop: Shop) -> Iterator[list[object]]:
    """One list per order line; times as naive local datetimes, money as integers."""
    tz = shop.tzinfo
    for order in orders.prefetch_related("lines").iterator(chunk_size=500):
        ordered_at = timezone.localtime(order.created_at, tz).replace(tzinfo=None, microsecond=0)
        for line in order.lines.all():
            yield [
                order.code,
                ordered_at,
                order.buyer_name,
                format_phone_local(order.buyer_phone),
                order.buyer_email,
                order.address,
                order.city,
                order.province,
                order.postal_code,
                line.product_name,
                line.variant_label,
                line.sku,
                line.quantity,
                line.unit_price,
                line.line_total,
                order.total,
                order.amount_paid,
                order.get_payment_status_display(),
                order.get_fulfillment_status_display(),
                order.get_status_display(),
                order.get_channel_display(),
                order.notes,
            ]


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return defuse(value)


def csv_bytes(rows: Iterable[list[object]]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM, so spreadsheet programs read UTF-8 names correctly
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode()


def xlsx_bytes(rows: Iterable[list[object]], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "Orders"
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text, never a formula
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, int):
                cell.number_format = "#,##0"
    for index, (_title, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE}


def export_file(orders: QuerySet, shop: Shop, *, fmt: str, name: str) -> tuple[bytes, str]:
    """The orders as a CSV or XLSX file and its name, after `name` (a slug) and the time."""
    rows = order_rows(orders, shop)
    stamp = timezone.localtime(timezone.now(), shop.tzinfo).strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        return xlsx_bytes(rows, title=_("Orders")), f"{name}-{stamp}.xlsx"
    return csv_bytes(rows), f"{name}-{stamp}.csv"
