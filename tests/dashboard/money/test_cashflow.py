"""Cash-flow pages: a PO's and the shop's numbers, a bar per day, the daily CSV, and the card on
the PO overview."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from openpo.payments.models import Payment
from openpo.payments.services import record_payment, record_refund
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db
MANUAL = Payment.Source.MANUAL
DAY_ONE = datetime(2026, 8, 10, 3, 0, tzinfo=UTC)  # 10:00 WIB


@pytest.fixture
def seller(client, alice, shop):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def money(campaign, buyer, now):
    """Two orders of 135.000: one paid on day one, 35.000 of it refunded on day three; one
    paid 50.000 on day two."""
    variant = campaign.variants.order_by("position").first()
    first, second = (
        factories.order(campaign, variant=variant, buyer=buyer, now=now) for _ in range(2)
    )
    record_payment(order=first, amount=135_000, source=MANUAL, received_at=DAY_ONE, now=now)
    record_payment(
        order=second,
        amount=50_000,
        source=MANUAL,
        received_at=DAY_ONE + timedelta(days=1),
        now=now,
    )
    record_refund(order=first, amount=35_000, now=DAY_ONE + timedelta(days=2))
    return first, second


def _stat(html: str, name: str) -> str:
    match = re.search(rf'id="{name}">([^<]*)<', html)
    assert match, f"no #{name} on the page"
    return match.group(1).strip()


def test_it_shows_a_pos_cash_flow(seller, campaign, money):
    response = seller.get(reverse("dashboard:campaign_cashflow", args=[campaign.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert _stat(html, "cf-collected") == "Rp 185.000"
    assert _stat(html, "cf-before-production") == "Rp 185.000"
    # The refund reopened 35.000 on the first order; the second still owes 85.000.
    assert _stat(html, "cf-outstanding") == "Rp 120.000"
    assert _stat(html, "cf-refunded") == "Rp 35.000"
    assert _stat(html, "cf-held") == "Rp 150.000"
    # Three days, three bars, and a table row for each day with money.
    assert html.count('class="cf-day"') == 3
    assert re.findall(r'data-day="([\d-]+)"', html) == ["2026-08-12", "2026-08-11", "2026-08-10"]
    assert 'class="cf-in" width="100%" height="100%"' in html  # the busiest day fills the chart
    assert 'class="badge badge-open">' in html  # the PO's phase, as on its other pages


def test_it_exports_the_daily_series_as_csv(seller, campaign, money):
    url = reverse("dashboard:campaign_cashflow", args=[campaign.pk])
    response = seller.get(url, {"export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="cashflow-{campaign.slug}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["date", "collected", "refunded", "net"],
        ["2026-08-10", "135000", "0", "135000"],
        ["2026-08-11", "50000", "0", "50000"],
        ["2026-08-12", "0", "35000", "-35000"],
    ]


def test_it_shows_the_shops_cash_flow_per_po(seller, shop, campaign, money, buyer, now):
    other = make_campaign(shop, now=now, title="PO Hoodie")
    variant = other.variants.order_by("position").first()
    order = factories.order(other, variant=variant, buyer=buyer, now=now)
    record_payment(order=order, amount=15_000, source=MANUAL, received_at=DAY_ONE, now=now)

    response = seller.get(reverse("dashboard:shop_cashflow"))

    assert response.status_code == 200
    html = response.content.decode()
    assert _stat(html, "cf-collected") == "Rp 200.000"
    assert _stat(html, "cf-outstanding") == "Rp 240.000"
    assert set(re.findall(r'data-campaign="(\d+)"', html)) == {str(campaign.pk), str(other.pk)}
    csv_response = seller.get(reverse("dashboard:shop_cashflow"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[1] == ["2026-08-10", "150000", "0", "150000"]


def test_staff_see_the_cash_flow_too(client, bob, shop, campaign, money):
    client.force_login(bob)

    response = client.get(reverse("dashboard:campaign_cashflow", args=[campaign.pk]))

    assert response.status_code == 200


def test_a_po_without_money_says_so(seller, campaign):
    response = seller.get(reverse("dashboard:campaign_cashflow", args=[campaign.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "No money has come in yet." in html
    assert 'id="cf-csv"' not in html
    assert _stat(html, "cf-collected") == "Rp 0"


def test_the_overview_has_a_cash_flow_card(seller, campaign, money):
    url = reverse("dashboard:campaign", args=[campaign.pk])
    html = seller.get(url).content.decode()

    assert _stat(html, "cf-card-collected") == "Rp 185.000"
    assert _stat(html, "cf-card-outstanding") == "Rp 120.000"
    assert _stat(html, "cf-card-refunded") == "Rp 35.000"
    assert reverse("dashboard:campaign_cashflow", args=[campaign.pk]) in html
    live = seller.get(reverse("dashboard:campaign_live", args=[campaign.pk])).content.decode()
    assert _stat(live, "cf-card-collected") == "Rp 185.000"


def test_an_outsider_gets_404(client, charlie, other_shop, campaign, money):
    client.force_login(charlie)

    url = reverse("dashboard:campaign_cashflow", args=[campaign.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"export": "csv"}).status_code == 404
    # Their own shop-wide page shows none of alice's money.
    html = client.get(reverse("dashboard:shop_cashflow")).content.decode()
    assert _stat(html, "cf-collected") == "Rp 0"


def test_it_rejects_post(seller, campaign):
    url = reverse("dashboard:campaign_cashflow", args=[campaign.pk])
    assert seller.post(url).status_code == 405
