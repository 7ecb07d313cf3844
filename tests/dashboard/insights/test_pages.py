"""The insights pages against the hand-counted shop of tests/insights/test_figures.py: the
figures on the page, the segment lists, the downloads and who may see them."""

import csv
import io

import pytest
from openpyxl import load_workbook

from openpo.catalog.services import create_shop
from tests.conftest import make_campaign
from tests.insights.conftest import NOW, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(monkeypatch):
    """The pages count at NOW, the day after the hand-counted orders."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


def test_it_shows_the_shops_figures(client, alice, shop, world, frozen):  # noqa: F811
    client.force_login(alice)

    response = client.get("/dashboard/insights/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="insights-orders">5<' in html and 'id="insights-units">10<' in html
    assert 'id="insights-customers">4<' in html and 'id="insights-repeat">1<' in html
    assert "25%" in html
    assert 'id="insights-charts" type="application/json"' in html
    assert response.context["tables"]["weekday"].rows[0][1] == 4
    assert response.context["tables"]["provinces"].rows[0] == ["Jawa Barat", 3]
    assert response.context["tables"]["plan"].rows == [["KAOS-POLOS-S", 4], ["KAOS-POLOS-M", 3]]
    assert 'href="/dashboard/insights/segments/loyal/"' in html
    assert 'src="/static/openpo/vendor/chart.umd.min.js"' in html
    assert response.context["tables"]["months"].rows == [["Mar 2026", "Ramadan, Lebaran", 5, 10]]
    assert response.context["tables"]["monthdays"].rows[8] == [9, 2]  # 9 March: two orders
    assert response.context["tables"]["sizes"].rows == [
        ["Kaos Polos", "S", 4, "40%"],
        ["Kaos Polos", "M", 6, "60%"],
    ]


def test_a_pos_page_shows_its_own_figures(client, alice, shop, world, frozen):  # noqa: F811
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{world['kaos'].pk}/insights/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="insights-orders">3<' in html and 'id="insights-units">6<' in html
    assert 'id="insights-lost">0 / 1<' in html  # the cancelled order
    days = response.context["tables"]["days"].rows
    assert [row[1] for row in days][:2] == [2, 1]


def test_it_needs_a_login(client):
    response = client.get("/dashboard/insights/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_another_shops_po_is_404(client, shop, charlie, now):
    create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)
    campaign = make_campaign(shop, now=now)
    client.force_login(charlie)

    assert client.get(f"/dashboard/po/{campaign.pk}/insights/").status_code == 404


def test_an_unknown_segment_or_table_is_404(client, alice, shop):
    client.force_login(alice)

    assert client.get("/dashboard/insights/segments/vip/").status_code == 404
    assert client.get("/dashboard/insights/?table=nope&format=csv").status_code == 404
    assert client.get("/dashboard/insights/?table=hour&format=pdf").status_code == 404


def test_a_segment_lists_exactly_its_buyers(client, alice, shop, world, frozen):  # noqa: F811
    client.force_login(alice)

    loyal = client.get("/dashboard/insights/segments/loyal/")
    new = client.get("/dashboard/insights/segments/new/")

    assert [c.name for c in loyal.context["page"].object_list] == ["Pembeli 1"]
    assert "0812-0000-0001" in loyal.content.decode()
    assert sorted(c.name for c in new.context["page"].object_list) == [
        "Pembeli 2",
        "Pembeli 3",
        "Pembeli 5",
    ]


def _same(value) -> str:
    """A cell as text, numbers as floats (XLSX reads 27.0 back as 27)."""
    if value is None or value == "":
        return ""
    try:
        return str(float(value))
    except ValueError:
        return str(value)


@pytest.mark.parametrize(
    "table", ["weekday", "months", "sizes", "provinces", "channels", "variants", "evidence"]
)
def test_the_downloads_carry_the_tables_rows(client, alice, shop, world, frozen, table):  # noqa: F811
    client.force_login(alice)
    shown = client.get("/dashboard/insights/").context["tables"][table]
    expected = [[_same(v) for v in row] for row in shown.rows]

    as_csv = client.get(f"/dashboard/insights/?table={table}&format=csv")
    as_xlsx = client.get(f"/dashboard/insights/?table={table}&format=xlsx")

    assert as_csv["Content-Disposition"].endswith(f'-{table}.csv"')
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0] == shown.headers and [[_same(v) for v in row] for row in lines[1:]] == expected
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = [[_same(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == shown.headers and cells[1:] == expected


def test_a_pos_days_download_too(client, alice, shop, world, frozen):  # noqa: F811
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{world['kaos'].pk}/insights/?table=days&format=csv")

    assert response.status_code == 200
    assert "2026-03-02,2,3,3" in response.content.decode()


def test_staff_see_the_insights_too(client, bob, shop):
    client.force_login(bob)
    assert client.get("/dashboard/insights/").status_code == 200


def test_the_po_list_and_the_pos_tabs_link_to_the_insights(client, alice, shop, world):  # noqa: F811
    client.force_login(alice)

    assert 'href="/dashboard/insights/"' in client.get("/dashboard/").content.decode()
    overview = client.get(f"/dashboard/po/{world['kaos'].pk}/").content.decode()
    assert f'href="/dashboard/po/{world["kaos"].pk}/insights/"' in overview
