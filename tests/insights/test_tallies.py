"""The tallies behind a shop's figures stay equal to counting the orders from scratch, whatever
happens to the orders after they were counted: a new order, a cancelled one, changed items, a
buyer's corrected address and number, a changed time zone, an order written in bulk."""

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openpo.insights import tallies
from openpo.insights.models import BuyerTally, CampaignTally, TallyMark
from openpo.insights.report import insights
from openpo.insights.segments import members
from openpo.orders.models import Order
from openpo.orders.services import cancel_order
from openpo.orders.services.changing import change_order_items, update_buyer_details
from tests import factories
from tests.conftest import make_campaign
from tests.insights.conftest import NOW

pytestmark = pytest.mark.django_db


def from_scratch(shop) -> dict:
    tallies.forget(shop)
    return insights(shop, now=NOW)


def test_a_new_order_and_its_buyer_are_counted_at_the_next_look(shop, world):
    before = insights(shop, now=NOW)
    fresh = make_campaign(shop, now=timezone.now(), slug="baru", quotas=(None, None))
    factories.order(fresh, units=4, buyer=factories.buyer(1))  # buyer 1 again: a third PO

    after = insights(shop, now=NOW)

    assert (after["orders"], after["units"]) == (before["orders"] + 1, before["units"] + 4)
    assert after["customers"] == before["customers"]
    assert BuyerTally.objects.get(customer__phone="+6281200000001").pos == 3
    assert after == from_scratch(shop)


def test_a_cancelled_order_leaves_the_figures(shop, world):
    insights(shop, now=NOW)
    cancel_order(order=world["first"], reason="salah ukuran")

    after = insights(shop, now=NOW)

    assert (after["orders"], after["units"]) == (4, 8)
    small = next(
        v for v in after["variants"] if (v["campaign"], v["sku"]) == ("kaos", "KAOS-POLOS-S")
    )
    assert small["units"] == 1 and small["sold_out_after_hours"] is None  # no longer sold out
    assert after == from_scratch(shop)


def test_changed_items_and_a_corrected_buyer_are_counted_again(shop, world):
    insights(shop, now=NOW)
    order = world["first"]
    small, medium = world["kaos"].variants.order_by("position")
    change_order_items(order=order, items={small.pk: 1, medium.pk: 2})
    update_buyer_details(
        order=order,
        buyer=replace(factories.buyer(9), province="Bali", city="Denpasar", postal_code="80111"),
    )

    after = insights(shop, now=NOW)

    assert after["units"] == 11
    assert after["provinces"]["Bali"] == 1 and after["provinces"]["Jawa Barat"] == 2
    assert after["customers"] == 5  # the order moved to buyer 9; buyer 1 keeps the hoodie order
    assert after == from_scratch(shop)


def test_a_new_time_zone_counts_every_hour_again(shop, world):
    wib = insights(shop, now=NOW)
    shop.timezone = "Asia/Jayapura"  # WIT, two hours after WIB
    shop.save(update_fields=["timezone"])

    wit = insights(shop, now=NOW)

    assert wit["by_hour"][12] == wib["by_hour"][10] == 2
    assert TallyMark.objects.get(shop=shop).timezone == "Asia/Jayapura"


def test_the_list_behind_a_segment_is_fresh_too(shop, world):
    insights(shop, now=NOW)
    cancel_order(order=world["first"], reason="batal")

    loyal = list(members(shop, "loyal", NOW))

    assert loyal == []  # buyer 1 now has one PO: new, not loyal
    assert "Pembeli 1" in [c.name for c in members(shop, "new", NOW)]


def test_another_shops_orders_never_enter_the_tallies(shop, world, other_shop):
    insights(shop, now=NOW)
    elsewhere = make_campaign(other_shop, now=timezone.now(), slug="lain", quotas=(None,))
    factories.order(elsewhere, units=7)

    assert insights(shop, now=NOW)["units"] == 10
    assert not CampaignTally.objects.filter(shop=shop, campaign=elsewhere).exists()
    assert insights(other_shop, now=NOW)["units"] == 7


def test_a_look_with_nothing_changed_reads_a_few_rows_whatever_the_orders(shop, world):
    insights(shop, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        insights(shop, now=NOW)
    order_scans = [q["sql"] for q in queries if '"orders_order"' in q["sql"]]

    # Only index ranges: the newest order id, the orders changed since the mark and those
    # settled since the last sweep (by time), the orders newer than the last one counted; no
    # aggregate over the orders.
    assert len(order_scans) == 4
    assert all(
        "LIMIT 1" in sql or '"updated_at" >=' in sql or '"id" >' in sql for sql in order_scans
    )
    assert not any("COUNT(" in sql.upper() for sql in order_scans)
    assert len(queries) <= 12


def test_the_workers_tick_keeps_the_tallies_so_a_page_has_nothing_left_to_count(shop, world):
    from openpo.ops.scheduler import run_tick

    counts = run_tick()  # it also expires the unpaid March orders, then counts the shop
    assert counts["insights_tallies"] >= 1
    assert TallyMark.objects.filter(shop=shop).exists()
    assert CampaignTally.objects.get(campaign=world["kaos"]).figures["orders"] == 0
    fresh = make_campaign(shop, now=timezone.now(), slug="baru", quotas=(None, None))
    factories.order(fresh, units=2)

    assert run_tick()["insights_tallies"] == 1
    assert CampaignTally.objects.get(campaign=fresh).figures["units"] == 2
    assert tallies.refresh(shop) is False  # the page finds nothing left to count
    assert insights(shop, now=NOW) == from_scratch(shop)


def test_a_shop_with_nothing_changed_for_a_while_is_not_counted_again(shop, world):
    insights(shop, now=NOW)
    TallyMark.objects.filter(shop=shop).update(
        counted_to=timezone.now() + tallies.SLACK, swept_to=timezone.now()
    )

    assert tallies.refresh(shop) is False


def test_an_order_committed_while_a_refresh_counted_is_swept_in_once_it_settled(shop, world):
    from datetime import timedelta

    insights(shop, now=NOW)
    now = timezone.now()
    # The last refresh began now and has swept up to an hour ago; an order cancelled half an
    # hour ago whose transaction committed only after that refresh read the orders:
    TallyMark.objects.filter(shop=shop).update(counted_to=now, swept_to=now - timedelta(hours=1))
    cancel_order(order=world["first"], reason="batal", now=now - timedelta(minutes=30))

    assert insights(shop, now=NOW)["orders"] == 4
    mark = TallyMark.objects.get(shop=shop)
    assert mark.swept_to > now - tallies.SLACK - timedelta(seconds=5)


def test_orders_written_in_bulk_with_their_own_old_times_are_counted_too(shop, world):
    insights(shop, now=NOW)
    first = world["first"]
    # A migration or an import writes an order as it was in March: old created/updated times.
    copy = Order.objects.get(pk=first.pk)
    copy.pk, copy.code, copy.secret, copy.idempotency_key = None, "PO-LAMA1", "x" * 43, ""
    copy.save(force_insert=True)
    for line in first.lines.all():
        line.pk, line.order = None, copy
        line.save(force_insert=True)

    after = insights(shop, now=NOW)

    assert (after["orders"], after["units"]) == (6, 12)
    assert after == from_scratch(shop)
