"""The WhatsApp queue and the broadcast page: each message for the seller's phone with a one-tap
wa.me link and "mark sent"; composing a broadcast with a live audience count, and its report."""

from dataclasses import replace
from urllib.parse import quote

import pytest
from django.conf import settings

from openpo.messaging.models import Broadcast, OutboxMessage
from openpo.messaging.outbox import queue_message
from openpo.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(campaign, variants, buyer, now):
    small, medium = variants
    sari = factories.order(campaign, variant=small, buyer=buyer, now=now)
    budi_buyer = replace(buyer, name="Budi", phone="0812 9999 0000", email="", city="Jakarta")
    budi = factories.order(campaign, variant=medium, buyer=budi_buyer, now=now)
    Order.objects.filter(pk=budi.pk).update(payment_status=Order.PaymentStatus.PAID)
    return sari, budi


def _manual(shop, order, now, body="Halo Sari & teman, cek {link}?"):
    queue_message(
        shop=shop,
        event="broadcast",
        event_key="broadcast:99",
        channel="whatsapp",
        recipient=order.buyer_phone,
        recipient_name=order.buyer_name,
        body=body,
        order=order,
        campaign=order.campaign,
        manual=True,
        now=now,
    )
    return OutboxMessage.objects.get(event_key="broadcast:99", recipient=order.buyer_phone)


def test_it_lists_each_message_with_a_one_tap_wa_me_link(client, alice, shop, orders, now):
    sari, _budi = orders
    message = _manual(shop, sari, now)
    client.force_login(alice)

    html = client.get("/dashboard/messages/whatsapp/").content.decode()

    link = "https://wa.me/6281322223333?text=" + quote(message.body, safe="")
    assert link.replace("&", "&amp;") in html
    assert "Sari Wulandari" in html and "0813-2222-3333" in html
    assert f'name="message" value="{message.pk}"' in html


def test_marking_sent_takes_it_off_the_queue(client, alice, shop, orders, now):
    message = _manual(shop, orders[0], now)
    client.force_login(alice)

    response = client.post("/dashboard/messages/whatsapp/sent/", {"message": message.pk})

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.sent_at is not None
    html = client.get("/dashboard/messages/whatsapp/").content.decode()
    assert f'value="{message.pk}"' not in html


def test_the_queue_narrows_to_one_po_and_keeps_it_after_marking(client, alice, shop, orders, now):
    sari = orders[0]
    first = _manual(shop, sari, now)
    client.force_login(alice)

    other = OutboxMessage.objects.filter(pk=first.pk)
    other.update(campaign=None)
    html = client.get(f"/dashboard/messages/whatsapp/?po={sari.campaign_id}").content.decode()
    assert f'id="message-{first.pk}"' not in html

    other.update(campaign=sari.campaign)
    response = client.post(
        "/dashboard/messages/whatsapp/sent/", {"message": first.pk, "po": sari.campaign_id}
    )
    assert response["Location"] == f"/dashboard/messages/whatsapp/?po={sari.campaign_id}#queue"


def test_another_shops_message_cannot_be_marked(client, charlie, other_shop, shop, orders, now):
    message = _manual(shop, orders[0], now)
    client.force_login(charlie)

    response = client.post("/dashboard/messages/whatsapp/sent/", {"message": message.pk})

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.MANUAL


def test_the_queue_needs_a_post_to_mark_sent(client, alice, shop):
    client.force_login(alice)
    assert client.get("/dashboard/messages/whatsapp/sent/").status_code == 405


def test_the_broadcast_page_counts_the_audience_live(client, alice, campaign, orders):
    client.force_login(alice)
    url = f"/dashboard/po/{campaign.pk}/broadcast/"

    page = client.get(url)
    assert page.status_code == 200
    assert '<output id="audience-count"' in page.content.decode()

    def count(**query) -> str:
        html = client.get(url + "count/", query).content.decode()
        return html.split("<strong>")[1].split("</strong>")[0]

    assert count() == "2"
    assert count(payment="unpaid") == "1"
    assert count(city="jakarta") == "1"
    assert count(channel="email") == "1"


def test_sending_a_broadcast_fills_the_queue(client, alice, campaign, orders):
    client.force_login(alice)

    response = client.post(
        f"/dashboard/po/{campaign.pk}/broadcast/",
        {"payment": "paid", "channel": "whatsapp_manual", "body": "Terima kasih {nama} ({kode})"},
    )

    broadcast = Broadcast.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/messages/whatsapp/?broadcast={broadcast.pk}"
    (message,) = OutboxMessage.objects.filter(event_key=f"broadcast:{broadcast.pk}")
    budi = orders[1]
    assert message.body == f"Terima kasih Budi ({budi.code})"
    assert message.status == OutboxMessage.Status.MANUAL
    queue = client.get(response["Location"]).content.decode()
    assert f'id="message-{message.pk}"' in queue and "Sari" not in queue

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/dashboard/po/{campaign.pk}/broadcast/").content.decode()
    assert f'id="broadcast-{broadcast.pk}"' in html
    assert (
        f'data-status="manual" href="/dashboard/messages/whatsapp/?broadcast={broadcast.pk}"'
        in html
    )


def test_a_broadcast_to_nobody_is_refused(client, alice, campaign, orders):
    client.force_login(alice)

    response = client.post(
        f"/dashboard/po/{campaign.pk}/broadcast/",
        {"city": "Surabaya", "channel": "whatsapp_manual", "body": "Halo"},
    )

    assert response.status_code == 422
    assert not Broadcast.objects.exists()


def test_the_cloud_api_is_offered_only_when_set_up(client, alice, shop, campaign, orders):
    from openpo.messaging.models import WhatsAppAccount

    client.force_login(alice)
    url = f"/dashboard/po/{campaign.pk}/broadcast/"
    assert 'value="whatsapp_cloud"' not in client.get(url).content.decode()

    WhatsAppAccount.objects.create(shop=shop, phone_number_id="1", access_token="t", is_active=True)
    assert 'value="whatsapp_cloud"' in client.get(url).content.decode()
