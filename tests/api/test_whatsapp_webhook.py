"""The WhatsApp Cloud API webhook, driven as Meta drives it: signed bodies in Meta's shape, the
verification handshake, and the rules they feed — a wrongly signed call records nothing; a
buyer's message opens the 24-hour window (free text to the local Meta stand-in), after which
the approved template or the seller's phone queue takes over; "berhenti" opts the buyer out of
broadcasts while their order messages still go; receipts only move forward."""

import hashlib
import hmac
import json
from dataclasses import replace
from datetime import timedelta

import pytest

from openpo.core.models import AuditEvent
from openpo.messaging import events
from openpo.messaging.broadcasts import Audience, send_broadcast
from openpo.messaging.delivery import deliver_due_messages
from openpo.messaging.models import OutboxMessage, WhatsAppAccount
from openpo.orders.models import Customer
from tests import factories
from tests.messaging.test_whatsapp_cloud import TOKEN, FakeGraphApi

pytestmark = pytest.mark.django_db

APP_SECRET = "5d41402abc4b2a76b9719d911017c592"
VERIFY_TOKEN = "openpo-verify-Zt9Qm2"
NUMBER_ID = "106540352242922"
SARI = "6281322223333"  # the `buyer` fixture's number as WhatsApp writes it
URL = "/api/v1/whatsapp/toko-alice/webhook"


@pytest.fixture
def graph_api(settings):
    api = FakeGraphApi()
    settings.WHATSAPP_API_URL = api.url
    settings.WHATSAPP_API_VERSION = "v21.0"
    yield api
    api.close()


@pytest.fixture
def account(shop):
    return WhatsAppAccount.objects.create(
        shop=shop,
        phone_number_id=NUMBER_ID,
        access_token=TOKEN,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        template_name="openpo_update",
        template_language="id",
        is_active=True,
    )


@pytest.fixture
def orders(campaign, variants, buyer, now):
    """Sari (the `buyer`) and Budi, each with a live order."""
    sari = factories.order(campaign, variant=variants[0], buyer=buyer, now=now)
    budi = factories.order(
        campaign,
        variant=variants[1],
        buyer=replace(buyer, name="Budi", phone="0812 9999 0000", email=""),
        now=now,
    )
    return sari, budi


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(value: dict) -> dict:
    """Meta's webhook body around one change's value."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "6281211112222",
                                "phone_number_id": NUMBER_ID,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def text_from(
    wa_id: str, text: str, at, wamid: str = "wamid.HBgLNjI4MTMyMjIyMzMzMxUCABIYIDEx"
) -> dict:
    return envelope(
        {
            "contacts": [{"profile": {"name": "Sari"}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": wamid,
                    "timestamp": str(int(at.timestamp())),
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        }
    )


def status_of(wamid: str, status: str, at, **extra) -> dict:
    return envelope(
        {
            "statuses": [
                {
                    "id": wamid,
                    "status": status,
                    "timestamp": str(int(at.timestamp())),
                    "recipient_id": SARI,
                    **extra,
                }
            ]
        }
    )


def post(client, payload, *, signature: str | None = "right", url: str = URL, secret=APP_SECRET):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if signature == "right":
        headers["X-Hub-Signature-256"] = sign(body, secret)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(url, body, content_type="application/json", headers=headers)


def _sari() -> Customer:
    return Customer.objects.get(phone="+" + SARI)


def _broadcast(campaign, now, body="Halo {nama}, produksi mulai minggu ini."):
    return send_broadcast(
        campaign=campaign, body=body, channel="whatsapp_cloud", audience=Audience(), now=now
    )


def test_the_24_hour_rule_and_the_opt_out_at_work(
    client, campaign, orders, account, graph_api, now
):
    sari_order, _budi_order = orders
    OutboxMessage.objects.all().delete()  # what placing the orders wrote is not this test's
    # The story starts 30 hours ago (Meta never reports a message from the future).
    start = (now - timedelta(hours=30)).replace(microsecond=0)

    # A wrongly signed "Halo kak" changes nothing.
    forged = post(client, text_from(SARI, "Halo kak", start), signature=sign(b"other body"))
    assert forged.status_code == 403
    assert _sari().whatsapp_last_inbound_at is None

    # The same message, signed with the app secret: Sari's window opens.
    response = post(client, text_from(SARI, "Halo kak", start))
    assert response.status_code == 200
    assert _sari().whatsapp_last_inbound_at == start

    # An hour later a broadcast goes to Sari as free text (Budi never wrote: the template).
    first = _broadcast(campaign, start + timedelta(hours=1))
    assert deliver_due_messages(now=start + timedelta(hours=1)) == 2
    sent = {r["body"]["to"]: r["body"] for r in graph_api.requests}
    assert sent[SARI]["type"] == "text"
    assert sent[SARI]["text"]["body"].startswith("Halo Sari Wulandari, produksi mulai")
    assert sent["6281299990000"]["type"] == "template"
    assert first.recipients == 2

    # 25 hours after her message the window is shut: the approved template carries it.
    graph_api.requests.clear()
    _broadcast(campaign, start + timedelta(hours=25), body="Update kedua untuk {nama}")
    assert deliver_due_messages(now=start + timedelta(hours=25)) == 2
    sent = {r["body"]["to"]: r["body"] for r in graph_api.requests}
    assert sent[SARI]["type"] == "template"
    assert sent[SARI]["template"]["name"] == "openpo_update"

    # Without an approved template it waits in the seller's phone queue, and Meta hears nothing.
    account.template_name = ""
    account.save()
    graph_api.requests.clear()
    third = _broadcast(campaign, start + timedelta(hours=26), body="Update ketiga")
    assert deliver_due_messages(now=start + timedelta(hours=26)) == 0
    assert graph_api.requests == []
    assert set(
        OutboxMessage.objects.filter(event_key=third.event_key).values_list("status", flat=True)
    ) == {OutboxMessage.Status.MANUAL}

    # Now "Berhenti." opts Sari out, with one confirmation inside the window it opens.
    stop = text_from(SARI, "  Berhenti. ", now, wamid="wamid.STOP1")
    assert post(client, stop).status_code == 200
    assert post(client, stop).status_code == 200  # Meta delivering it twice changes nothing
    sari = _sari()
    assert sari.opted_out_at is not None and sari.reminders_opt_in is False
    (reply,) = OutboxMessage.objects.filter(event="whatsapp_reply")
    assert reply.recipient == "+" + SARI and reply.status == OutboxMessage.Status.QUEUED
    assert AuditEvent.objects.filter(action="customer.opted_out").count() == 1
    graph_api.requests.clear()
    assert deliver_due_messages(now=now + timedelta(minutes=1)) == 1
    assert graph_api.requests[0]["body"]["type"] == "text"  # the window she just opened

    # The next broadcast skips her; a payment reminder about her order still reaches her.
    fourth = _broadcast(campaign, now, body="PO berikutnya segera dibuka!")
    assert fourth.recipients == 1
    recipients = OutboxMessage.objects.filter(event_key=fourth.event_key)
    assert list(recipients.values_list("recipient", flat=True)) == ["+6281299990000"]
    events.payment_reminder(sari_order, "24h", now)
    assert OutboxMessage.objects.filter(
        order=sari_order, event="payment_reminder", recipient="+" + SARI
    ).exists()


def test_a_missing_or_wrong_signature_records_nothing(client, orders, account, now):
    assert post(client, text_from(SARI, "STOP", now), signature=None).status_code == 401
    assert post(client, text_from(SARI, "STOP", now), signature="sha256=00").status_code == 403
    assert post(client, text_from(SARI, "STOP", now), signature="sha1=abc").status_code == 403
    other_secret = post(client, text_from(SARI, "STOP", now), secret="not-the-app-secret")
    assert other_secret.status_code == 403

    sari = _sari()
    assert sari.whatsapp_last_inbound_at is None and sari.opted_out_at is None
    assert not OutboxMessage.objects.filter(event="whatsapp_reply").exists()


def test_the_verification_handshake_echoes_the_challenge(client, account):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }

    response = client.get(URL, query)

    assert response.status_code == 200
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_a_wrong_handshake_is_refused(client, account, query):
    response = client.get(URL, query)

    assert response.status_code == 403
    assert b"1" not in response.content


def test_unknown_shops_and_shops_without_the_webhook_answer_the_same_404(
    client, shop, other_shop, account, now
):
    body = text_from(SARI, "Halo", now)
    answers = [
        post(client, body, url="/api/v1/whatsapp/no-such-shop/webhook"),
        post(client, body, url="/api/v1/whatsapp/toko-charlie/webhook"),
        client.get(
            "/api/v1/whatsapp/toko-charlie/webhook",
            {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "7"},
        ),
    ]

    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    assert b"toko" not in answers[0].content


def test_a_call_signed_for_another_shop_is_refused(client, shop, other_shop, orders, account, now):
    WhatsAppAccount.objects.create(
        shop=other_shop,
        phone_number_id="200000000000001",
        access_token="other",
        app_secret="charlies-own-app-secret",
        verify_token="charlie-verify",
    )

    response = post(
        client, text_from(SARI, "Halo", now), url="/api/v1/whatsapp/toko-charlie/webhook"
    )

    assert response.status_code == 403
    assert _sari().whatsapp_last_inbound_at is None


def test_messages_to_another_number_of_the_app_are_ignored(client, orders, account, now):
    payload = text_from(SARI, "STOP", now)
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"

    assert post(client, payload).status_code == 200

    sari = _sari()
    assert sari.whatsapp_last_inbound_at is None and sari.opted_out_at is None


def _sent_message(shop, order, now, wamid="wamid.SENT1") -> OutboxMessage:
    return OutboxMessage.objects.create(
        shop=shop,
        order=order,
        event="broadcast",
        event_key="broadcast:99",
        channel="whatsapp",
        recipient="+" + SARI,
        body="Halo",
        status=OutboxMessage.Status.SENT,
        next_attempt_at=now,
        created_at=now,
        sent_at=now,
        provider_id=wamid,
    )


def test_receipts_are_recorded_and_never_move_backwards(client, shop, orders, account, now):
    message = _sent_message(shop, orders[0], now - timedelta(minutes=5))
    delivered_at = (now - timedelta(minutes=4)).replace(microsecond=0)
    read_at = (now - timedelta(minutes=3)).replace(microsecond=0)

    assert post(client, status_of("wamid.SENT1", "sent", now)).status_code == 200
    assert post(client, status_of("wamid.SENT1", "delivered", delivered_at)).status_code == 200
    message.refresh_from_db()
    assert (message.delivered_at, message.read_at) == (delivered_at, None)

    post(client, status_of("wamid.SENT1", "read", read_at))
    # Late and out of order: a second "delivered", then "failed", change nothing.
    post(client, status_of("wamid.SENT1", "delivered", now))
    post(client, status_of("wamid.SENT1", "failed", now, errors=[{"code": 131026}]))

    message.refresh_from_db()
    assert (message.delivered_at, message.read_at) == (delivered_at, read_at)
    assert message.status == OutboxMessage.Status.SENT


def test_read_first_also_counts_as_delivered(client, shop, orders, account, now):
    message = _sent_message(shop, orders[0], now)
    read_at = now.replace(microsecond=0)

    post(client, status_of("wamid.SENT1", "read", read_at))
    post(client, status_of("wamid.SENT1", "delivered", read_at + timedelta(seconds=1)))

    message.refresh_from_db()
    assert message.read_at == read_at and message.delivered_at == read_at


def test_a_failed_receipt_shows_the_message_failed(client, shop, orders, account, now):
    message = _sent_message(shop, orders[0], now)
    error = {
        "code": 131047,
        "title": "Re-engagement message",
        "error_data": {"details": "More than 24 hours have passed since the customer last replied"},
    }

    post(client, status_of("wamid.SENT1", "failed", now, errors=[error]))

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "131047" in message.last_error and "24 hours" in message.last_error


def test_another_shops_message_ids_are_not_touched(client, shop, other_shop, orders, account, now):
    theirs = _sent_message(other_shop, None, now, wamid="wamid.THEIRS")

    post(client, status_of("wamid.THEIRS", "read", now))

    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"object": "whatsapp_business_account", "entry": "x"}',
        b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": []}]}]}',
        json.dumps(
            envelope({"messages": [{"from": "abc"}, {"from": SARI, "type": "text", "text": 5}]})
        ).encode(),
        json.dumps(envelope({"statuses": [{"id": 5, "status": "read"}, {"status": "x"}]})).encode(),
        json.dumps({"object": "page", "entry": []}).encode(),
    ],
)
def test_signed_bodies_it_does_not_understand_are_answered_200(client, orders, account, body):
    assert post(client, body).status_code == 200


def test_a_body_too_large_is_refused(client, account):
    body = b'{"x": "' + b"a" * (600 * 1024) + b'"}'

    assert post(client, body).status_code == 413


def test_other_methods_are_refused(client, account):
    assert client.put(URL).status_code == 405


def test_it_needs_no_csrf_token(orders, account, now):
    from django.test import Client

    meta = Client(enforce_csrf_checks=True)

    assert post(meta, text_from(SARI, "Halo", now)).status_code == 200
    assert _sari().whatsapp_last_inbound_at is not None


def test_past_the_rate_limit_calls_are_answered_429_and_not_read(
    client, orders, account, now, settings
):
    from openpo.core.ratelimit import hit

    limit, window = settings.RATE_LIMITS["whatsapp_webhook"]
    for _call in range(limit):
        hit("whatsapp_webhook", "127.0.0.1", limit=limit, window=window)

    response = post(client, text_from(SARI, "Halo", now))

    assert response.status_code == 429
    assert _sari().whatsapp_last_inbound_at is None
