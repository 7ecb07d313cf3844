"""Exporting a PO's orders: CSV and XLSX, one row per order line, filters applied, no formulas."""

import csv
import io
from datetime import datetime

import pytest
from django.conf import settings
from openpyxl import load_workbook

from openpo.orders.models import Order
from openpo.orders.services import BuyerDetails
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(campaign, variants):
    small, medium = variants
    first = factories.order(
        campaign,
        items={small.pk: 2, medium.pk: 1},
        buyer=BuyerDetails(
            name='=HYPERLINK("http://evil")',
            phone="0813 2222 3333",
            address="Jl. Melati 5",
            city="Bandung",
            province="Jawa Barat",
            postal_code="40115",
            notes="-minta cepat",
        ),
    )
    second = factories.order(
        campaign,
        variant=medium,
        buyer=BuyerDetails(address="Jl. Melati 2", name="Budi", phone="0812 5555 6666"),
    )
    return first, second


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_one_row_per_line_and_defuses_formulas(client, alice, campaign, orders):
    first, second = orders
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{campaign.pk}/orders/export.csv?sort=oldest")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[:4] == ["Order code", "Ordered at", "Name", "Buyer's WhatsApp number"]
    assert [row[0] for row in rows] == [first.code, first.code, second.code]
    line = dict(zip(header, rows[0], strict=True))
    assert line["Name"] == '\'=HYPERLINK("http://evil")'
    assert line["Buyer's notes"] == "'-minta cepat"
    assert line["Buyer's WhatsApp number"] == "0813-2222-3333"
    assert (line["Quantity"], line["Unit price (Rp)"], line["Line total (Rp)"]) == (
        "2",
        "120000",
        "240000",
    )
    assert (line["Order total (Rp)"], line["Paid (Rp)"]) == ("375000", "0")
    assert (line["City"], line["Postal code"], line["SKU"]) == ("Bandung", "40115", rows[0][11])
    # The time is the shop's (WIB), not UTC.
    local = first.created_at.astimezone(campaign.shop.tzinfo).strftime("%Y-%m-%d %H:%M")
    assert line["Ordered at"] == local


def test_the_export_follows_the_tables_filters(client, alice, campaign, orders):
    _first, second = orders
    Order.objects.filter(pk=second.pk).update(payment_status="paid", amount_paid=135_000)
    client.force_login(alice)
    _header, *rows = _csv_rows(
        client.get(f"/dashboard/po/{campaign.pk}/orders/export.csv?payment=paid")
    )
    assert [row[0] for row in rows] == [second.code]


def test_the_xlsx_has_a_bold_frozen_header_and_typed_cells(client, alice, campaign, orders):
    first, _second = orders
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{campaign.pk}/orders/export.xlsx?sort=oldest")

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["F"].width > 20
    assert sheet.max_row == 4  # header + three lines
    assert sheet["A2"].value == first.code
    assert isinstance(sheet["B2"].value, datetime)
    assert sheet["M2"].value == 2 and sheet["N2"].value == 120_000
    assert sheet["P2"].value == 375_000 and isinstance(sheet["P2"].value, int)
    # Text that looks like a formula stays text.
    assert sheet["C2"].value == '=HYPERLINK("http://evil")' and sheet["C2"].data_type == "s"


def test_selected_orders_export_through_the_bulk_form(client, alice, campaign, orders):
    first, second = orders
    client.force_login(alice)
    response = client.post(
        f"/dashboard/po/{campaign.pk}/orders/bulk/",
        {"action": "export_csv", "ids": [second.pk]},
    )
    _header, *rows = _csv_rows(response)
    assert [row[0] for row in rows] == [second.code]

    response = client.post(
        f"/dashboard/po/{campaign.pk}/orders/bulk/",
        {"action": "export_xlsx", "ids": [first.pk]},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [first.code, first.code]


def test_another_shop_cannot_export(client, charlie, other_shop, campaign, orders):
    client.force_login(charlie)
    assert client.get(f"/dashboard/po/{campaign.pk}/orders/export.csv").status_code == 404
    assert client.get(f"/dashboard/po/{campaign.pk}/orders/export.xlsx").status_code == 404
