"""What the shop's WhatsApp number hears back, as `messaging.inbound` records it: the buyer's
last message (only forward), STOP / berhenti in any dress opting them out of broadcasts and
next-PO news until START / mulai, their sign-ups withdrawn, one confirmation per request."""

from dataclasses import replace
from datetime import timedelta

import pytest

from openpo.messaging.inbound import handle_whatsapp_webhook, is_start, is_stop, keyword
from openpo.messaging.models import OutboxMessage, WhatsAppAccount
from openpo.messaging.reminders import remind_po_events
from openpo.orders.models import Customer, ReminderSignup
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

SARI = "6281322223333"


@pytest.fixture
def account(shop):
    return WhatsAppAccount.objects.create(
        shop=shop,
        phone_number_id="106540352242922",
        access_token="t",
        app_secret="s",
        verify_token="v",
        is_active=True,
    )


@pytest.fixture
def sari_order(campaign, buyer, now):
    return factories.order(campaign, buyer=replace(buyer, wants_updates=True), now=now)


def _message(text: str, at, *, wa_id: str = SARI, wamid: str = "wamid.1", kind: str = "text"):
    message = {"from": wa_id, "id": wamid, "timestamp": str(int(at.timestamp())), "type": kind}
    if kind == "text":
        message["text"] = {"body": text}
    elif kind == "button":
        message["button"] = {"payload": "STOP_PROMOS", "text": text}
    elif kind == "interactive":
        message["interactive"] = {
            "type": "button_reply",
            "button_reply": {"id": "b1", "title": text},
        }
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": {"phone_number_id": "106540352242922"},
                            "messages": [message],
                        },
                    }
                ]
            }
        ],
    }


def _sari() -> Customer:
    return Customer.objects.get(phone="+" + SARI)


@pytest.mark.parametrize(
    "text", ["STOP", "stop", "Stop!", "  Berhenti. ", "BERHENTI", "unsubscribe", "Batal  langganan"]
)
def test_stop_in_any_case_and_punctuation_is_a_stop(text):
    assert is_stop(text)


@pytest.mark.parametrize("text", ["stop dulu ya kak", "berhentinya kapan?", "", "🛑", "halo"])
def test_a_sentence_is_not_a_stop(text):
    assert not is_stop(text)


def test_start_and_mulai_are_starts():
    assert is_start("START") and is_start("Mulai!") and not is_start("mulai produksi")
    assert keyword("  Berhenti. ") == "berhenti"


@pytest.mark.parametrize("kind", ["text", "button", "interactive"])
def test_a_stop_opts_the_buyer_out_with_one_confirmation(account, sari_order, now, kind):
    result = handle_whatsapp_webhook(
        account=account, payload=_message("Berhenti", now, kind=kind), now=now
    )

    assert result.opted_out == 1
    sari = _sari()
    assert sari.opted_out_at == now and not sari.reminders_opt_in
    assert sari.whatsapp_last_inbound_at == now.replace(microsecond=0)
    (reply,) = OutboxMessage.objects.filter(event="whatsapp_reply")
    assert reply.recipient == "+" + SARI and reply.status == OutboxMessage.Status.QUEUED


def test_the_same_stop_delivered_twice_answers_once(account, sari_order, now):
    for _attempt in range(2):
        handle_whatsapp_webhook(account=account, payload=_message("stop", now), now=now)

    assert OutboxMessage.objects.filter(event="whatsapp_reply").count() == 1


def test_start_opts_the_buyer_back_in(account, sari_order, now):
    handle_whatsapp_webhook(account=account, payload=_message("stop", now), now=now)
    later = now + timedelta(minutes=5)

    handle_whatsapp_webhook(
        account=account, payload=_message("Mulai", later, wamid="wamid.2"), now=later
    )

    sari = _sari()
    assert sari.opted_out_at is None and sari.reminders_opt_in
    assert OutboxMessage.objects.filter(event="whatsapp_reply").count() == 2


def test_without_the_cloud_api_on_the_confirmation_waits_in_the_phone_queue(
    account, sari_order, now
):
    WhatsAppAccount.objects.filter(pk=account.pk).update(is_active=False)

    handle_whatsapp_webhook(account=account, payload=_message("stop", now), now=now)

    assert OutboxMessage.objects.get(event="whatsapp_reply").status == "manual"


def test_the_last_message_time_never_moves_backwards(account, sari_order, now):
    handle_whatsapp_webhook(account=account, payload=_message("halo", now), now=now)
    earlier = now - timedelta(hours=3)

    handle_whatsapp_webhook(
        account=account, payload=_message("lama", earlier, wamid="wamid.0"), now=now
    )

    assert _sari().whatsapp_last_inbound_at == now.replace(microsecond=0)


def test_an_opted_out_buyer_hears_no_next_po_news_until_a_fresh_tick(
    account, shop, campaign, sari_order, buyer, now
):
    handle_whatsapp_webhook(account=account, payload=_message("berhenti", now), now=now)
    closing = make_campaign(
        shop, now=now, title="PO Hoodie", closes_at=now + timedelta(hours=12), quotas=(None,)
    )
    # A later order without the "tell me about next POs" box ticked keeps the opt-out.
    factories.order(campaign, buyer=replace(buyer, wants_updates=False), now=now)
    remind_po_events(now=now)
    assert not OutboxMessage.objects.filter(event="po_closing_soon", campaign=closing).exists()

    # Ticking it on a later order is a fresh, explicit choice: news again.
    factories.order(campaign, buyer=replace(buyer, wants_updates=True), now=now)
    assert _sari().reminders_opt_in is True and _sari().opted_out_at is None
    remind_po_events(now=now)
    assert OutboxMessage.objects.filter(event="po_closing_soon", campaign=closing).exists()


def test_a_buyer_who_opted_in_hears_next_po_news(account, shop, sari_order, now):
    closing = make_campaign(
        shop, now=now, title="PO Hoodie", closes_at=now + timedelta(hours=12), quotas=(None,)
    )

    remind_po_events(now=now)

    assert OutboxMessage.objects.filter(
        event="po_closing_soon", campaign=closing, recipient="+" + SARI
    ).exists()


def test_a_stop_withdraws_the_buyers_sign_ups(account, shop, now):
    upcoming = make_campaign(shop, now=now, title="PO Desember", opens_at=now + timedelta(days=2))
    ReminderSignup.objects.create(campaign=upcoming, phone="+" + SARI, created_at=now)
    ReminderSignup.objects.create(campaign=upcoming, phone="+6281299990000", created_at=now)

    handle_whatsapp_webhook(account=account, payload=_message("STOP", now), now=now)

    assert list(ReminderSignup.objects.values_list("phone", flat=True)) == ["+6281299990000"]
    assert OutboxMessage.objects.filter(event="whatsapp_reply").count() == 1


def test_an_unknown_number_or_a_picture_breaks_nothing(account, sari_order, now):
    picture = _message("", now, kind="image")
    stranger = _message("Halo", now, wa_id="6281299998888", wamid="wamid.9")
    not_a_number = _message("STOP", now, wa_id="abc", wamid="wamid.10")

    results = [
        handle_whatsapp_webhook(account=account, payload=payload, now=now)
        for payload in (picture, stranger, not_a_number)
    ]

    assert [r.messages for r in results] == [1, 1, 0]
    assert _sari().whatsapp_last_inbound_at == now.replace(microsecond=0)
    assert not OutboxMessage.objects.filter(event="whatsapp_reply").exists()
