"""Shipments: packing paid orders of one buyer, shipping them (the buyer hears it once per
parcel), delivering, returning (a reconfirmation), and the counts of a PO."""

from datetime import timedelta

import pytest
from django.utils import translation

from openpo.core.models import AuditEvent
from openpo.fulfillment.models import Reconfirmation, Shipment
from openpo.fulfillment.services.shipping import (
    AlreadyInShipment,
    NotPaid,
    ResiFormatWarning,
    ResiInUse,
    ShippingError,
    WrongStep,
    add_orders_to_shipment,
    create_shipment,
    mark_delivered,
    mark_returned,
    mark_shipped,
    orders_to_ship,
    set_tracking,
    shipment_counts,
    to_ship_count,
)
from openpo.messaging.models import OutboxMessage
from openpo.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English wording of the messages (the Indonesian is checked by
    tests/core/test_translations.py)."""
    with translation.override("en"):
        yield


def _shipped_messages(order=None):
    rows = OutboxMessage.objects.filter(event="shipped")
    return rows.filter(order=order) if order is not None else rows


def _refresh(*orders):
    return [Order.objects.get(pk=o.pk) for o in orders]


def test_it_ships_a_paid_order_and_tells_the_buyer_once(campaign, buyer, alice, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)

    shipment = create_shipment(
        orders=[order], courier="jne", tracking_number="cgk 0123456789", actor=alice, now=now
    )
    assert shipment.status == Shipment.Status.PACKED
    assert _refresh(order)[0].fulfillment_status == "packed"
    assert not _shipped_messages().exists()

    mark_shipped(shipment=shipment, actor=alice, now=now)
    mark_shipped(shipment=shipment, actor=alice, now=now + timedelta(minutes=5))

    shipment.refresh_from_db()
    assert shipment.status == "shipped" and shipment.shipped_at == now
    assert shipment.tracking_number == "CGK0123456789"
    assert _refresh(order)[0].fulfillment_status == "shipped"
    messages = _shipped_messages(order)
    assert {m.channel for m in messages} == {"email", "whatsapp"}
    assert messages.count() == 2  # one per channel, not per marking
    email = messages.get(channel="email")
    assert "JNE" in email.body and "CGK0123456789" in email.body
    assert "https://www.jne.co.id/id/tracking/trace/CGK0123456789" in email.body
    assert AuditEvent.objects.filter(action="shipment.shipped").count() == 1


def test_a_combined_shipment_carries_all_its_orders(campaign, now):
    buyer = factories.buyer(2, email="rina@example.com")
    first = factories.paid_order(campaign, buyer=buyer, now=now)
    second = factories.paid_order(campaign, buyer=buyer, now=now)
    third = factories.paid_order(campaign, buyer=buyer, now=now)

    shipment = create_shipment(
        orders=[first, second], courier="jnt", tracking_number="JP1234567890", ship=True, now=now
    )
    add_orders_to_shipment(shipment=shipment, orders=[third], now=now)
    add_orders_to_shipment(shipment=shipment, orders=[third], now=now)  # nothing new

    assert set(shipment.orders.all()) == {first, second, third}
    assert {o.fulfillment_status for o in _refresh(first, second, third)} == {"shipped"}
    # Each order's buyer hears it once (the order joining a shipped parcel too).
    assert _shipped_messages().filter(channel="email").count() == 3
    assert set(_shipped_messages().values_list("order", flat=True)) == {
        first.pk,
        second.pk,
        third.pk,
    }


def test_an_unpaid_order_is_refused_without_the_override(campaign, buyer, alice, now):
    order = factories.order(campaign, buyer=buyer, now=now)

    with pytest.raises(NotPaid) as refused:
        create_shipment(orders=[order], courier="jne", tracking_number="X1", now=now)
    assert order.code in refused.value.message
    assert not Shipment.objects.exists()
    assert _refresh(order)[0].fulfillment_status == "pending"

    shipment = create_shipment(
        orders=[order],
        courier="jne",
        tracking_number="X1",
        override_reason="Pelanggan tetap, bayar saat terima",
        ship=True,
        actor=alice,
        now=now,
    )
    assert shipment.override_reason == "Pelanggan tetap, bayar saat terima"
    event = AuditEvent.objects.get(action="shipment.unpaid_override")
    assert event.subject_id == str(order.pk)
    assert event.data["reason"] == "Pelanggan tetap, bayar saat terima"
    assert event.actor == alice


def test_a_dp_order_ships_only_once_settled(shop, now):
    campaign = factories.dp_campaign(shop, now=now)
    order = factories.pay(factories.order(campaign, now=now), now=now)
    assert order.payment_status == Order.PaymentStatus.DEPOSIT_PAID

    with pytest.raises(NotPaid):
        create_shipment(orders=[order], courier="sicepat", tracking_number="000123456789")
    assert list(orders_to_ship(campaign)) == []

    order = factories.pay(order, amount=order.total - order.amount_paid, now=now)
    assert order.amount_outstanding == 0
    assert list(orders_to_ship(campaign)) == [order]
    create_shipment(orders=[order], courier="sicepat", tracking_number="000123456789")


def test_one_parcel_goes_to_one_buyer_of_one_po(campaign, buyer, now):
    mine = factories.paid_order(campaign, buyer=buyer, now=now)
    theirs = factories.paid_order(campaign, buyer=factories.buyer(3), now=now)

    with pytest.raises(ShippingError, match="another buyer"):
        create_shipment(orders=[mine, theirs], courier="jne", tracking_number="A1")
    assert not Shipment.objects.exists()


def test_an_order_is_in_one_live_parcel_and_a_resi_is_used_once(campaign, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)
    other = factories.paid_order(campaign, buyer=factories.buyer(4), now=now)
    create_shipment(orders=[order], courier="jne", tracking_number="A1", now=now)

    with pytest.raises(AlreadyInShipment):
        create_shipment(orders=[order], courier="jne", tracking_number="A2", now=now)
    with pytest.raises(ResiInUse) as taken:
        create_shipment(orders=[other], courier="jne", tracking_number="a1", now=now)
    assert order.code in taken.value.message
    # The same number at another courier is another parcel.
    create_shipment(orders=[other], courier="anteraja", tracking_number="A1", now=now)


def test_a_resi_of_the_wrong_shape_needs_the_sellers_confirmation(campaign, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)

    with pytest.raises(ResiFormatWarning) as warned:
        create_shipment(orders=[order], courier="jnt", tracking_number="12345", now=now)
    assert "12345" in warned.value.message
    assert not Shipment.objects.exists()

    shipment = create_shipment(
        orders=[order], courier="jnt", tracking_number="12345", accept_format_warning=True
    )
    assert shipment.tracking_number == "12345"


def test_a_parcel_packed_without_resi_gets_one_before_it_ships(campaign, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)
    shipment = create_shipment(orders=[order], courier="jne", now=now)

    with pytest.raises(ShippingError, match="resi"):
        mark_shipped(shipment=shipment, now=now)
    set_tracking(shipment=shipment, courier="sicepat", tracking_number="000123456789", now=now)
    mark_shipped(shipment=shipment, now=now)
    shipment.refresh_from_db()
    assert (shipment.courier, shipment.status) == ("sicepat", "shipped")


def test_self_pick_up_ships_without_resi(campaign, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)
    shipment = create_shipment(orders=[order], courier="pickup", ship=True, now=now)
    assert shipment.status == "shipped"
    assert _shipped_messages(order).exists()


def test_delivered_and_returned_keep_the_orders_in_step(campaign, buyer, alice, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)
    shipment = create_shipment(
        orders=[order], courier="jne", tracking_number="A1", ship=True, now=now
    )
    with pytest.raises(WrongStep):
        set_tracking(shipment=shipment, courier="jne", tracking_number="A2")

    mark_delivered(shipment=shipment, now=now)
    assert _refresh(order)[0].fulfillment_status == "delivered"

    mark_returned(shipment=shipment, actor=alice, now=now)
    mark_returned(shipment=shipment, actor=alice, now=now)
    assert _refresh(order)[0].fulfillment_status == "returned"
    reconfirmation = Reconfirmation.objects.get(order=order)
    assert reconfirmation.reason == "returned" and reconfirmation.resolved_at is None
    assert reconfirmation.created_by == alice

    # A returned parcel frees its order to ship again.
    again = create_shipment(orders=[order], courier="jne", tracking_number="A2", now=now)
    assert again.pk != shipment.pk


def test_the_counts_of_a_po(campaign, now):
    shipped = factories.paid_order(campaign, buyer=factories.buyer(1), now=now)
    packed = factories.paid_order(campaign, buyer=factories.buyer(2), now=now)
    factories.paid_order(campaign, buyer=factories.buyer(3), now=now)
    factories.order(campaign, buyer=factories.buyer(4), now=now)  # unpaid
    create_shipment(orders=[shipped], courier="jne", tracking_number="A1", ship=True, now=now)
    create_shipment(orders=[packed], courier="jne", tracking_number="A2", now=now)

    counts = shipment_counts(campaign)
    assert counts == {
        "pending": 2,
        "packed": 1,
        "shipped": 1,
        "delivered": 0,
        "returned": 0,
        "to_ship": 1,
    }
    assert to_ship_count(campaign) == 1
