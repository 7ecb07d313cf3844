"""The message log of an order, a customer and a PO: every outbox row with its status, channel,
time and text, only the seller's own shop's."""

import pytest

from openpo.messaging.models import OutboxMessage
from openpo.messaging.outbox import queue_message
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(campaign, buyer, now):
    return factories.order(campaign, buyer=buyer, now=now)


def _write(order, now, key, channel="whatsapp", body="Halo Sari", **kwargs):
    queue_message(
        shop=order.shop,
        event="test",
        event_key=key,
        channel=channel,
        recipient=order.buyer_email if channel == "email" else order.buyer_phone,
        recipient_name=order.buyer_name,
        body=body,
        order=order,
        campaign=order.campaign,
        now=now,
        **kwargs,
    )


def test_the_order_log_lists_its_messages(client, alice, order, now):
    _write(order, now, "a:1", body="Pesanan PO diterima")
    _write(order, now, "a:2", channel="email", body="Email konfirmasi")
    OutboxMessage.objects.filter(event_key="a:2").update(status="failed", last_error="SMTP 550")
    client.force_login(alice)

    html = client.get(f"/dashboard/orders/{order.pk}/messages/").content.decode()

    assert "Pesanan PO diterima" in html and "Email konfirmasi" in html
    assert "status-failed" in html and "SMTP 550" in html
    assert "status-queued" in html


def test_the_customer_log_spans_their_orders_in_several_pos(client, alice, shop, order, buyer, now):
    other_po = make_campaign(shop, now=now, title="PO Hoodie")
    second = factories.order(other_po, buyer=buyer, now=now)
    _write(order, now, "b:1", body="Pesan PO pertama")
    _write(second, now, "b:2", body="Pesan PO kedua")
    client.force_login(alice)

    html = client.get(f"/dashboard/customers/{order.customer_id}/messages/").content.decode()

    assert "Pesan PO pertama" in html and "Pesan PO kedua" in html
    assert order.code in html and second.code in html


def test_the_campaign_log_holds_only_that_pos_messages(client, alice, shop, order, buyer, now):
    other_po = make_campaign(shop, now=now, title="PO Hoodie")
    other = factories.order(other_po, buyer=buyer, now=now)
    _write(order, now, "c:1", body="Untuk PO Kaos")
    _write(other, now, "c:2", body="Untuk PO Hoodie")
    client.force_login(alice)

    html = client.get(f"/dashboard/po/{order.campaign_id}/messages/").content.decode()

    assert "Untuk PO Kaos" in html and "Untuk PO Hoodie" not in html


def test_another_shop_sees_no_log(client, charlie, other_shop, order, now):
    _write(order, now, "d:1")
    client.force_login(charlie)

    for url in [
        f"/dashboard/orders/{order.pk}/messages/",
        f"/dashboard/customers/{order.customer_id}/messages/",
        f"/dashboard/po/{order.campaign_id}/messages/",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_log_shows_whatsapps_delivered_and_read_receipts(client, alice, order, now):
    _write(order, now, "r:1", body="Sudah dikirim")
    _write(order, now, "r:2", body="Sudah dibaca")
    OutboxMessage.objects.filter(event_key="r:1").update(
        status="sent", sent_at=now, delivered_at=now
    )
    OutboxMessage.objects.filter(event_key="r:2").update(
        status="sent", sent_at=now, delivered_at=now, read_at=now
    )
    client.force_login(alice)

    html = client.get(f"/dashboard/orders/{order.pk}/messages/").content.decode()

    assert html.count("status-delivered") == 1 and html.count("status-read") == 1
