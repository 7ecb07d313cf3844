"""Moved dates and the cancel they may offer (`fulfillment.services.delays`): a reason is
required, every buyer is told the old and the new date, the delay counts from the first
promise, and past the shop's limit each paid buyer may cancel: the order is cancelled, its units
released exactly once, and it lands on the refund list."""

from datetime import timedelta

import pytest

from openpo.catalog.errors import InvalidShop, OwnersOnly
from openpo.catalog.models import Campaign, Variant
from openpo.core.models import AuditEvent
from openpo.fulfillment.models import ScheduleChange
from openpo.fulfillment.services.delays import (
    CancelNotOffered,
    InvalidScheduleChange,
    cancel_for_delay,
    cancel_offered,
    delay_of,
    move_date,
    set_delay_limit,
)
from openpo.messaging.models import OutboxMessage
from openpo.orders.models import Order
from openpo.payments.balances import refunds_due
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def promised(campaign, now):
    """The PO promised to ship in 30 days."""
    campaign.ships_on = now.date() + timedelta(days=30)
    campaign.production_starts_on = now.date() + timedelta(days=10)
    campaign.save()
    return campaign.ships_on


def _delay(campaign, alice, days, reason="Kain telat datang"):
    campaign.refresh_from_db()
    return move_date(
        campaign=campaign,
        field="ships_on",
        new_date=campaign.ships_on + timedelta(days=days),
        reason=reason,
        actor=alice,
    )


def test_moving_a_date_needs_a_reason(campaign, alice, promised):
    with pytest.raises(InvalidScheduleChange) as refused:
        _delay(campaign, alice, 3, reason="  ")
    assert "reason" in refused.value.field_errors
    campaign.refresh_from_db()
    assert campaign.ships_on == promised and not ScheduleChange.objects.exists()


def test_moving_a_date_tells_every_buyer_the_old_and_new_date(campaign, alice, promised):
    factories.order(campaign, buyer=factories.buyer(1, email="a@example.com"))
    factories.order(campaign, buyer=factories.buyer(2, email="b@example.com"))
    change = _delay(campaign, alice, 5)
    campaign.refresh_from_db()
    assert campaign.ships_on == promised + timedelta(days=5)
    assert (change.old_date, change.new_date, change.reason) == (
        promised,
        campaign.ships_on,
        "Kain telat datang",
    )
    messages = OutboxMessage.objects.filter(event="schedule_changed")
    assert set(messages.values_list("order__buyer_name", flat=True)) == {"Pembeli 1", "Pembeli 2"}
    assert all("Kain telat datang" in m.body for m in messages)
    assert AuditEvent.objects.filter(action="campaign.date_moved").count() == 1


def test_it_moves_the_production_start_too(campaign, alice, promised, now):
    new = now.date() + timedelta(days=12)
    change = move_date(
        campaign=campaign, field="production_starts_on", new_date=new, reason="Libur", actor=alice
    )
    campaign.refresh_from_db()
    assert campaign.production_starts_on == new and change.field == "production_starts_on"
    assert delay_of(campaign).days == 0  # only the ship date counts as the delay


def test_production_cannot_start_after_the_ship_date(campaign, alice, promised):
    with pytest.raises(InvalidScheduleChange):
        move_date(
            campaign=campaign,
            field="production_starts_on",
            new_date=promised + timedelta(days=1),
            reason="x",
            actor=alice,
        )


def test_only_owners_move_dates(campaign, bob, promised):
    with pytest.raises(OwnersOnly):
        _delay(campaign, bob, 3)


def test_the_same_date_is_not_a_move(campaign, alice, promised):
    with pytest.raises(InvalidScheduleChange):
        _delay(campaign, alice, 0)


def test_the_delay_counts_from_the_first_promise(campaign, alice, promised):
    _delay(campaign, alice, 4)
    _delay(campaign, alice, 4)
    campaign.refresh_from_db()
    delay = delay_of(campaign)
    assert (delay.first_promised, delay.days) == (promised, 8)
    assert delay.limit_days == 7 and delay.past_limit


def test_a_delay_within_the_limit_offers_no_cancel(campaign, alice, promised):
    paid = factories.paid_order(campaign)
    _delay(campaign, alice, 7)  # exactly the limit: not past it
    assert not cancel_offered(paid)
    with pytest.raises(CancelNotOffered):
        cancel_for_delay(order=paid)
    paid.refresh_from_db()
    assert paid.status == Order.Status.ACTIVE


def test_a_delay_past_the_limit_offers_the_cancel_which_releases_units_once(
    campaign, alice, promised
):
    paid = factories.paid_order(campaign, units=2)
    variant = Variant.objects.get(pk=paid.lines.get().variant_id)
    assert (variant.reserved_units, Campaign.objects.get(pk=campaign.pk).reserved_units) == (2, 2)
    _delay(campaign, alice, 8)
    assert cancel_offered(paid)

    cancelled = cancel_for_delay(order=paid)
    again = cancel_for_delay(order=paid)  # a second tap

    assert cancelled.status == again.status == Order.Status.CANCELLED
    variant.refresh_from_db()
    assert variant.reserved_units == 0
    assert Campaign.objects.get(pk=campaign.pk).reserved_units == 0
    assert AuditEvent.objects.filter(action="order.cancelled", subject_id=str(paid.pk)).count() == 1
    assert AuditEvent.objects.filter(action="order.cancelled_for_delay").count() == 1
    on_the_list = refunds_due(Order.objects.filter(shop=campaign.shop))
    assert list(on_the_list) == [cancelled]
    assert cancelled.amount_paid == paid.amount_paid > 0


def test_an_unpaid_buyer_is_not_offered_the_cancel(campaign, alice, promised):
    unpaid = factories.order(campaign)
    _delay(campaign, alice, 10)
    assert not cancel_offered(unpaid)
    with pytest.raises(CancelNotOffered):
        cancel_for_delay(order=unpaid)


def test_a_shipped_order_is_not_offered_the_cancel(campaign, alice, promised):
    paid = factories.paid_order(campaign)
    Order.objects.filter(pk=paid.pk).update(fulfillment_status=Order.FulfillmentStatus.SHIPPED)
    _delay(campaign, alice, 10)
    paid.refresh_from_db()
    assert not cancel_offered(paid)


def test_the_limit_is_the_shops(shop, campaign, alice, promised):
    paid = factories.paid_order(campaign)
    set_delay_limit(shop=shop, days=14, actor=alice)
    _delay(campaign, alice, 10)
    paid = Order.objects.select_related("campaign__shop").get(pk=paid.pk)
    assert not cancel_offered(paid)
    set_delay_limit(shop=shop, days=3, actor=alice)
    paid = Order.objects.select_related("campaign__shop").get(pk=paid.pk)
    assert cancel_offered(paid)


def test_the_limit_is_a_sensible_number_of_days_set_by_an_owner(shop, alice, bob):
    with pytest.raises(InvalidShop):
        set_delay_limit(shop=shop, days=0, actor=alice)
    with pytest.raises(OwnersOnly):
        set_delay_limit(shop=shop, days=10, actor=bob)
    shop.refresh_from_db()
    assert shop.delay_cancel_after_days == 7
