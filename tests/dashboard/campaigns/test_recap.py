"""The production recap page and its XLSX: units per variant for all live orders and for paid
ones, materials needed, a page that prints on A4, and a spreadsheet with two sheets."""

import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from openpyxl import load_workbook

from openpo.catalog.services import add_material
from openpo.orders.models import Order
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(client, alice, shop):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _pay(order, status="paid"):
    # No payments service yet: write the fields as the demo does.
    Order.objects.filter(pk=order.pk).update(payment_status=status, amount_paid=order.total)


@pytest.fixture
def ordered(campaign, variants):
    """S: 2 paid + 3 unpaid; M: 4 paid. Cloth 1.5 m (S) and 1.75 m (M); one label each."""
    small, medium = variants
    add_material(variant=small, name="Kain katun", quantity_per_unit="1.5", unit="m")
    add_material(variant=medium, name="Kain katun", quantity_per_unit="1.75", unit="m")
    add_material(variant=small, name="Label", quantity_per_unit=1, unit="pcs")
    add_material(variant=medium, name="Label", quantity_per_unit=1, unit="pcs")
    _pay(factories.order(campaign, variant=small, units=2, buyer=factories.buyer(1)))
    factories.order(campaign, variant=small, units=3, buyer=factories.buyer(2))
    _pay(factories.order(campaign, variant=medium, units=4, buyer=factories.buyer(3)))
    return campaign


def _cells(html: str, row_marker: str) -> list[str]:
    row = re.search(rf"<tr[^>]*{re.escape(row_marker)}.*?</tr>", html, re.S)
    assert row, f"no row {row_marker}"
    return [c.strip() for c in re.findall(r'<td class="num[^"]*">([^<]*)<', row.group(0))]


def test_it_shows_units_per_variant_for_all_and_paid_orders(seller, ordered, variants):
    small, medium = variants
    response = seller.get(f"/dashboard/po/{ordered.pk}/recap/")
    html = response.content.decode()
    assert response.status_code == 200
    assert _cells(html, f'data-sku="{small.sku}"') == ["5", "2"]
    assert _cells(html, f'data-sku="{medium.sku}"') == ["4", "4"]
    assert re.search(r'id="total-all">9<', html) and re.search(r'id="total-paid">6<', html)
    assert "Kaos Polos" in html


def test_it_shows_the_materials_needed_for_all_and_paid_orders(seller, ordered):
    html = seller.get(f"/dashboard/po/{ordered.pk}/recap/").content.decode()
    # all: 5 × 1.5 + 4 × 1.75 = 14.5 m; paid: 2 × 1.5 + 4 × 1.75 = 10 m
    cloth = re.search(r"<td>Kain katun</td>(.*?)</tr>", html, re.S).group(1)
    assert "14.5 m" in cloth and "10 m" in cloth
    labels = re.search(r"<td>Label</td>(.*?)</tr>", html, re.S).group(1)
    assert "9 pcs" in labels and "6 pcs" in labels


def test_it_explains_what_counts_as_paid(seller, shop, now):
    full = make_campaign(shop, now=now, slug="full")
    dp = make_campaign(shop, now=now, slug="dp", payment_policy="deposit", deposit_percent=30)
    full_html = seller.get(f"/dashboard/po/{full.pk}/recap/").content.decode()
    dp_html = seller.get(f"/dashboard/po/{dp.pk}/recap/").content.decode()
    assert "down payment (DP) has been received" in dp_html
    assert "down payment" not in full_html and "orders paid in full" in full_html


def test_a_dp_counts_as_paid_in_a_dp_po(seller, shop, now):
    campaign = make_campaign(shop, now=now, slug="dp", payment_policy="deposit", deposit_percent=30)
    variant = campaign.variants.first()
    _pay(factories.order(campaign, variant=variant, units=3), status="deposit_paid")
    html = seller.get(f"/dashboard/po/{campaign.pk}/recap/").content.decode()
    assert _cells(html, f'data-sku="{variant.sku}"') == ["3", "3"]


def test_the_page_prints_and_exports(seller, ordered):
    html = seller.get(f"/dashboard/po/{ordered.pk}/recap/").content.decode()
    assert "data-print" in html
    assert f'href="/dashboard/po/{ordered.pk}/recap.xlsx"' in html
    assert 'class="no-print"' in html  # the menus are left off the paper


def test_the_xlsx_has_a_variants_and_a_materials_sheet_with_numbers(seller, ordered, variants):
    response = seller.get(f"/dashboard/po/{ordered.pk}/recap.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="recap-{ordered.slug}-' in response["Content-Disposition"]

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Variants", "Materials"]

    sheet = workbook["Variants"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Product",
        "Variant",
        "SKU",
        "Units (all active orders)",
        "Units (paid orders)",
    )
    assert rows[1] == ("Kaos Polos", "S", variants[0].sku, 5, 2)
    assert rows[2] == ("Kaos Polos", "M", variants[1].sku, 4, 4)
    assert rows[3] == ("Total", None, None, 9, 6)
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"

    sheet = workbook["Materials"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Material", "Unit", "Needed (all active orders)", "Needed (paid orders)")
    assert rows[1:] == [("Kain katun", "m", 14.5, 10), ("Label", "pcs", 9, 6)]
    assert isinstance(sheet["C2"].value, float | int | Decimal)
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


def test_a_name_that_looks_like_a_formula_stays_text_in_the_xlsx(seller, campaign, variants):
    add_material(variant=variants[0], name="=HYPERLINK(1)", quantity_per_unit=1, unit="pcs")
    factories.order(campaign)
    response = seller.get(f"/dashboard/po/{campaign.pk}/recap.xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["Materials"]
    assert sheet["A2"].value == "=HYPERLINK(1)" and sheet["A2"].data_type == "s"


def test_staff_see_the_recap_and_other_shops_do_not(client, ordered, bob, charlie):
    from openpo.catalog.services import create_shop

    client.force_login(bob)
    assert client.get(f"/dashboard/po/{ordered.pk}/recap/").status_code == 200
    create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)
    client.force_login(charlie)
    assert client.get(f"/dashboard/po/{ordered.pk}/recap/").status_code == 404
    assert client.get(f"/dashboard/po/{ordered.pk}/recap.xlsx").status_code == 404


def test_in_indonesian_the_paid_column_says_paid_not_settled_in_full(client, alice, ordered):
    # A DP order counts as paid here, so "Lunas" (settled in full) would say too much.
    client.force_login(alice)
    html = client.get(f"/dashboard/po/{ordered.pk}/recap/").content.decode()
    headers = re.findall(r'<th class="num">([^<]*)</th>', html)
    assert headers.count("Sudah bayar") == 2 and "Lunas" not in headers
