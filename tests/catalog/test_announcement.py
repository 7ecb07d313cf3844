"""The announcement caption: what a seller posts to open a PO, from the campaign's own data."""

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from openpo.catalog.announcement import announcement_text, date_range, headline
from openpo.catalog.models import Shop
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

URL = "https://openpo.example/toko-alice/po-kaos-agustus/"
# 1 August 2026 19:00 to 5 August 2026 21:00 in Jakarta (WIB, UTC+7).
OPENS = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
CLOSES = datetime(2026, 8, 5, 14, 0, tzinfo=UTC)
BEFORE = datetime(2026, 7, 30, tzinfo=UTC)


def _campaign(shop, *, quotas=(20, None), language="id", **options):
    shop.message_language = language
    shop.save()
    defaults = {"opens_at": OPENS, "closes_at": CLOSES, "publish": False}
    return make_campaign(shop, now=BEFORE, quotas=quotas, **{**defaults, **options})


def test_it_writes_the_order_window_in_the_shops_time_zone(shop):
    text = announcement_text(_campaign(shop), url=URL, now=BEFORE)

    assert "1–5 Agustus 2026" in text
    assert "21.00 WIB" in text
    assert "19.00 WIB" in text  # it opens in the evening: the opening time is said too


def test_it_follows_a_shop_in_another_time_zone(shop):
    shop.timezone = Shop.TimeZone.WIT  # UTC+9: closes at 23.00 on the 5th
    text = announcement_text(_campaign(shop), url=URL, now=BEFORE)

    assert "23.00 WIT" in text
    assert "WIB" not in text


def test_it_speaks_english_for_a_shop_that_messages_in_english(shop):
    text = announcement_text(_campaign(shop, language="en"), url=URL, now=BEFORE)

    assert "1–5 August 2026, closes at 9 p.m. WIB" in text
    assert "Agustus 2026" not in text


def test_it_lists_products_with_prices_in_rupiah_and_their_sizes(shop):
    text = announcement_text(_campaign(shop, language="en"), url=URL, now=BEFORE)

    assert "✨ OPEN PO Kaos Agustus ✨" in text
    assert "• Kaos Polos — Rp 120.000" in text
    assert "Ukuran: S (20 slots), M" in text
    assert "Shipping fee: Rp 15.000 per order" in text


def test_it_shows_the_early_bird_price_only_while_it_is_on(shop):
    campaign = _campaign(
        shop, language="en", early_bird_until=datetime(2026, 8, 2, 14, 0, tzinfo=UTC)
    )
    campaign.variants.update(early_bird_price=100_000)

    during = announcement_text(campaign, url=URL, now=OPENS)
    after = announcement_text(campaign, url=URL, now=datetime(2026, 8, 3, tzinfo=UTC))

    assert "Rp 120.000 (early bird Rp 100.000)" in during
    assert "Early-bird price until 2 August 2026 at 9 p.m. WIB only!" in during
    assert "Rp 100.000" not in after


def test_it_counts_early_bird_units(shop):
    campaign = _campaign(shop, language="en", early_bird_units=15)
    campaign.variants.update(early_bird_price=99_000)

    text = announcement_text(campaign, url=URL, now=OPENS)

    assert "Early-bird price for the first 15 pcs only!" in text


def test_it_says_the_slots_are_limited_only_when_they_are(shop):
    limited = announcement_text(
        _campaign(shop, language="en", quotas=(20, 10)), url=URL, now=BEFORE
    )
    unlimited = announcement_text(_campaign(shop, language="en", slug="lain"), url=URL, now=BEFORE)

    assert "Limited slots: only 30 pcs!" in limited
    assert "First come, first served!" in limited
    assert "Limited slots" not in unlimited


def test_it_states_the_down_payment_and_the_minimum_order(shop):
    campaign = _campaign(
        shop,
        language="en",
        payment_policy="deposit",
        deposit_percent=30,
        settlement_due_on=date(2026, 8, 20),
        moq_units=50,
    )

    text = announcement_text(campaign, url=URL, now=BEFORE)

    assert "DP 30%" in text
    assert "the rest by 20 August 2026" in text
    assert "Minimum order: 50 pcs" in text


def test_it_says_full_payment_when_there_is_no_down_payment(shop):
    text = announcement_text(_campaign(shop, language="en"), url=URL, now=BEFORE)

    assert "Payment: in full, within 24 hours of ordering" in text
    assert "DP" not in text


def test_it_tells_how_to_order_by_link_or_by_chat_with_the_order_format(shop):
    campaign = _campaign(
        shop, language="en", production_starts_on=date(2026, 8, 6), ships_on=date(2026, 8, 12)
    )

    text = announcement_text(campaign, url=URL, now=BEFORE)

    assert f"1. Order through the link: {URL}" in text
    assert "WhatsApp 0812-1111-2222" in text
    assert "Order format:\nName:\nWhatsApp no.:\nProduct - ukuran - quantity:\nAddress:" in text
    assert "(example: Kaos Polos - S - 1)" in text
    assert "Production starts: 6 August 2026" in text
    assert "Ships from: 12 August 2026" in text


def test_it_leaves_out_inactive_variants(shop):
    campaign = _campaign(shop, language="en", quotas=(20, None, 5))
    campaign.variants.filter(options__Ukuran="L").update(is_active=False)

    text = announcement_text(campaign, url=URL, now=BEFORE)

    assert "Ukuran: S (20 slots), M\n" in text


def test_headline_does_not_say_po_twice(shop):
    campaign = _campaign(shop)
    assert headline(campaign) == "OPEN PO Kaos Agustus"
    campaign.title = "Sweater Rajut"
    assert headline(campaign) == "OPEN PO Sweater Rajut"
    campaign.title = "Open PO Sweater"
    assert headline(campaign) == "Open PO Sweater"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2026, 8, 1), date(2026, 8, 5), "1–5 Agustus 2026"),
        (date(2026, 7, 28), date(2026, 8, 5), "28 Juli – 5 Agustus 2026"),
        (date(2026, 12, 28), date(2027, 1, 3), "28 Desember 2026 – 3 Januari 2027"),
        (date(2026, 8, 1), date(2026, 8, 1), "1 Agustus 2026"),
    ],
)
def test_date_range_reads_like_indonesian_writing(first, last, expected):
    with translation.override("id"):
        assert date_range(first, last) == expected


def test_it_counts_the_slots_left_once_orders_came_in(shop, now, buyer):

    shop.message_language = "en"
    shop.save()
    campaign = make_campaign(shop, now=now, quotas=(20, 10))
    small = campaign.variants.get(options__Ukuran="S")
    factories.order(campaign, variant=small, units=2, buyer=buyer)
    campaign.refresh_from_db()

    text = announcement_text(campaign, url=URL, now=now)

    assert "Limited slots: only 28 of 30 pcs left!" in text
    assert "Ukuran: S (18 left), M (10 slots)" in text
