"""The public PO page: what a buyer sees in each state, in Indonesian, before ordering."""

from datetime import timedelta

import pytest

from openpo.catalog.services import cancel_campaign, close_campaign
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _page(client, campaign):
    response = client.get(f"/{campaign.shop.slug}/{campaign.slug}/")
    return response, response.content.decode()


def test_an_open_po_shows_prices_stock_timeline_terms_and_the_form(client, campaign, variants):
    response, html = _page(client, campaign)

    assert response.status_code == 200
    assert "PO Kaos Agustus" in html
    assert "Rp 120.000" in html
    assert "sisa 20" in html  # size S has a quota of 20
    assert "Rp 15.000" in html  # shipping
    assert "WIB" in html
    assert f'name="qty_{variants[0].pk}"' in html
    assert "Pesan sekarang" in html
    assert "Ketentuan PO ini" in html and "Bayar lunas paling lambat 24 jam" in html
    assert 'property="og:title" content="PO Kaos Agustus — Rp 120.000"' in html
    assert "wa.me/6281211112222" in html


def test_a_sold_out_variant_cannot_be_chosen(client, shop, now, buyer):
    campaign = make_campaign(shop, now=now, quotas=(1, None))
    small = campaign.variants.get(quota=1)
    factories.order(campaign, variant=small, buyer=buyer, now=now)
    _, html = _page(client, campaign)
    assert "habis" in html
    assert f'name="qty_{small.pk}"' in html and "disabled" in html


def test_minimum_order_progress_is_shown(client, shop, now, buyer):
    campaign = make_campaign(shop, now=now, moq_units=100)
    factories.order(campaign, units=7, buyer=buyer, now=now)
    _, html = _page(client, campaign)
    assert "7 dari minimal 100 pcs sudah dipesan" in html


def test_an_upcoming_po_offers_a_reminder_and_a_calendar_file(client, shop, now):
    campaign = make_campaign(
        shop, now=now, opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=5)
    )
    _, html = _page(client, campaign)
    assert "Ingatkan saya" in html
    assert "po.ics" in html
    assert "Pesan sekarang" not in html


@pytest.mark.parametrize(
    ("make_state", "expected"),
    [
        ("closed", "sudah tidak menerima pesanan"),
        ("cancelled", "dibatalkan"),
        ("sold_out", "Semua slot"),
    ],
)
def test_a_po_that_takes_no_orders_says_why(client, shop, now, buyer, make_state, expected):
    campaign = make_campaign(shop, now=now, quotas=(1,))
    if make_state == "closed":
        close_campaign(campaign=campaign, now=now)
    elif make_state == "cancelled":
        cancel_campaign(campaign=campaign, now=now)
    else:
        factories.order(campaign, buyer=buyer, now=now)
    _, html = _page(client, campaign)
    assert expected in html
    assert "Pesan sekarang" not in html


def test_drafts_and_other_shops_campaigns_are_not_found(client, shop, other_shop, now):
    draft = make_campaign(shop, now=now, publish=False, slug="draf")
    assert client.get(f"/{shop.slug}/{draft.slug}/").status_code == 404
    theirs = make_campaign(other_shop, now=now, slug="punya-charlie")
    assert client.get(f"/{shop.slug}/{theirs.slug}/").status_code == 404
    assert client.get("/tidak-ada/").status_code == 404


def test_the_shop_page_lists_published_pos(client, shop, campaign, now):
    make_campaign(shop, now=now, publish=False, slug="draf", title="PO Rahasia")
    html = client.get(f"/{shop.slug}/").content.decode()
    assert "PO Kaos Agustus" in html and f"/{shop.slug}/{campaign.slug}/" in html
    assert "PO Rahasia" not in html


def test_the_calendar_file_rings_before_the_po_opens(client, shop, now):
    campaign = make_campaign(
        shop, now=now, opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=5)
    )
    response = client.get(f"/{shop.slug}/{campaign.slug}/po.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    start = campaign.opens_at.astimezone(__import__("datetime").UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}\r\n" in body
    assert "TRIGGER:-PT15M" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
