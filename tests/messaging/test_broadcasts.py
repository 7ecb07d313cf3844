"""Broadcasts: an update to the buyers of a PO, or a group of them, becomes one outbox message per
buyer and channel, with {nama}, {kode} and {link} filled in from the buyer's order."""

from dataclasses import replace

import pytest

from openpo.core.models import AuditEvent
from openpo.messaging.broadcasts import (
    Audience,
    InvalidBroadcast,
    count_recipients,
    delivery_report,
    mark_whatsapp_sent,
    send_broadcast,
)
from openpo.messaging.models import Broadcast, OutboxMessage, WhatsAppAccount
from openpo.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(campaign, variants, buyer, now):
    """Sari (Bandung, size S, unpaid, two orders), Budi (Jakarta, size M, paid, no email)."""
    small, medium = variants
    sari_1 = factories.order(campaign, variant=small, buyer=buyer, now=now)
    sari_2 = factories.order(campaign, variant=small, units=2, buyer=buyer, now=now)
    budi_buyer = replace(buyer, name="Budi", phone="0812 9999 0000", email="", city="Jakarta")
    budi = factories.order(campaign, variant=medium, buyer=budi_buyer, now=now)
    Order.objects.filter(pk=budi.pk).update(payment_status=Order.PaymentStatus.PAID)
    return sari_1, sari_2, budi


def _broadcast_messages():
    return OutboxMessage.objects.filter(event="broadcast").order_by("recipient")


def test_it_writes_one_whatsapp_message_per_buyer_for_the_sellers_phone(campaign, orders, now):
    broadcast = send_broadcast(
        campaign=campaign,
        body="Halo {nama}, pesanan {kode} mulai diproduksi. Cek: {link}",
        channel="whatsapp_manual",
        audience=Audience(),
        now=now,
    )

    messages = list(_broadcast_messages())
    assert [m.recipient for m in messages] == ["+6281299990000", "+6281322223333"]
    assert {m.status for m in messages} == {OutboxMessage.Status.MANUAL}
    assert {m.event_key for m in messages} == {f"broadcast:{broadcast.pk}"}
    budi_message = messages[0]
    budi = orders[2]
    assert budi_message.body.startswith(f"Halo Budi, pesanan {budi.code} mulai diproduksi.")
    assert f"/o/{budi.secret}/" in budi_message.body
    assert broadcast.recipients == 2
    assert AuditEvent.objects.filter(action="broadcast.sent").count() == 1


def test_it_filters_by_payment_variant_and_city(campaign, variants, orders, now):
    medium = variants[1]
    assert count_recipients(campaign, Audience()) == 2
    assert count_recipients(campaign, Audience(payment="unpaid")) == 1
    assert count_recipients(campaign, Audience(payment="paid")) == 1
    assert count_recipients(campaign, Audience(variant_id=medium.pk)) == 1
    assert count_recipients(campaign, Audience(city="bandung")) == 1
    assert count_recipients(campaign, Audience(city="Surabaya")) == 0

    send_broadcast(
        campaign=campaign,
        body="Jangan lupa bayar, {nama}",
        channel="whatsapp_manual",
        audience=Audience(payment="unpaid"),
        now=now,
    )
    (message,) = _broadcast_messages()
    assert message.body == "Jangan lupa bayar, Sari Wulandari"


def test_email_goes_only_to_buyers_with_an_address(campaign, orders, now):
    assert count_recipients(campaign, Audience(), "email") == 1

    send_broadcast(
        campaign=campaign, body="Update {kode}", channel="email", audience=Audience(), now=now
    )

    (message,) = _broadcast_messages()
    assert message.channel == "email" and message.recipient == "sari@example.com"
    assert message.status == OutboxMessage.Status.QUEUED


def test_cancelled_orders_hear_nothing(campaign, orders, now):
    Order.objects.filter(pk=orders[2].pk).update(status=Order.Status.CANCELLED, cancelled_at=now)

    assert count_recipients(campaign, Audience()) == 1


def test_the_cloud_api_needs_an_active_account(campaign, orders, shop, now):
    with pytest.raises(InvalidBroadcast) as error:
        send_broadcast(
            campaign=campaign, body="Hi", channel="whatsapp_cloud", audience=Audience(), now=now
        )
    assert "channel" in error.value.field_errors
    assert not Broadcast.objects.exists()

    WhatsAppAccount.objects.create(shop=shop, phone_number_id="1", access_token="t", is_active=True)
    send_broadcast(
        campaign=campaign, body="Hi", channel="whatsapp_cloud", audience=Audience(), now=now
    )
    assert {m.status for m in _broadcast_messages()} == {OutboxMessage.Status.QUEUED}


def test_an_empty_message_or_audience_writes_nothing(campaign, orders, now):
    with pytest.raises(InvalidBroadcast) as error:
        send_broadcast(
            campaign=campaign, body="  ", channel="whatsapp_manual", audience=Audience(), now=now
        )
    assert "body" in error.value.field_errors
    with pytest.raises(InvalidBroadcast):
        send_broadcast(
            campaign=campaign,
            body="Hi",
            channel="whatsapp_manual",
            audience=Audience(city="Surabaya"),
            now=now,
        )
    assert not Broadcast.objects.exists()
    assert not _broadcast_messages().exists()


def test_the_delivery_report_counts_each_state(campaign, orders, now, alice):
    broadcast = send_broadcast(
        campaign=campaign, body="Hi", channel="whatsapp_manual", audience=Audience(), now=now
    )
    first = _broadcast_messages().first()

    assert mark_whatsapp_sent(message=first, actor=alice, now=now) is True
    assert mark_whatsapp_sent(message=first, actor=alice, now=now) is False

    report = delivery_report([broadcast])
    assert report[broadcast.pk] == {"queued": 0, "sent": 1, "failed": 0, "manual": 1}
