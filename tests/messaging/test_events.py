"""Events write their messages to the outbox in the event's transaction: an email when the
buyer gave one and a WhatsApp message for the seller's phone, once per event, for every buyer
of a PO in one bulk insert; reminders are due at their time and written once."""

from datetime import timedelta

import pytest

from openpo.catalog.services import close_campaign, fail_campaign
from openpo.messaging import events
from openpo.messaging.models import OutboxMessage, WhatsAppAccount
from openpo.messaging.reminders import remind_payments_due, remind_po_events
from openpo.orders.models import Order, ReminderSignup
from openpo.orders.services import expire_order
from openpo.orders.services.reminders import sign_up_for_reminder
from openpo.payments.services import claim_payment, reject_payment
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _order(campaign, now, *, channel=Order.Channel.MANUAL, **details):
    """An order the seller took (by phone) for Sari, or the buyer `details` say: its buyer is
    not looking at the order page."""
    sari = {"name": "Sari", "phone": "0813 2222 3333", "email": "sari@example.com"}
    buyer = factories.buyer(**{**sari, **details})
    return factories.order(campaign, buyer=buyer, channel=channel, now=now)


def _messages(**filters):
    return list(
        OutboxMessage.objects.filter(**filters)
        .order_by("pk")
        .values_list("event", "channel", "recipient", "status")
    )


def test_an_order_writes_an_email_and_a_whatsapp_message_for_the_seller(campaign, now):
    order = _order(campaign, now)

    assert _messages() == [
        ("order_received", "email", "sari@example.com", "queued"),
        ("order_received", "whatsapp", "+6281322223333", "manual"),
    ]
    message = OutboxMessage.objects.get(channel="email")
    assert (message.order, message.campaign, message.event_key) == (
        order,
        campaign,
        f"order_received:{order.pk}",
    )


def test_a_buyer_who_ordered_on_the_web_page_gets_no_order_whatsapp_to_send_by_hand(campaign, now):
    # They are looking at their order page already; the seller's queue stays for what matters.
    _order(campaign, now, channel=Order.Channel.WEB)

    assert [m[1] for m in _messages()] == ["email"]


def test_with_the_whatsapp_cloud_api_every_message_is_queued_for_the_worker(campaign, now):
    WhatsAppAccount.objects.create(
        shop=campaign.shop, phone_number_id="123", access_token="t", is_active=True
    )
    _order(campaign, now, channel=Order.Channel.WEB)

    assert _messages(channel="whatsapp") == [
        ("order_received", "whatsapp", "+6281322223333", "queued")
    ]


def test_a_buyer_without_email_gets_only_the_whatsapp_message(campaign, now):
    _order(campaign, now, email="")

    assert [m[1] for m in _messages()] == ["whatsapp"]


def test_telling_an_event_twice_writes_nothing_more(campaign, now):
    order = _order(campaign, now)

    assert events.order_received(order, order.open_expected_payment, now)() == 2  # offered …
    assert OutboxMessage.objects.count() == 2  # … and ignored by the unique key


def test_a_rejected_payment_tells_the_buyer_why(campaign, now):
    order = _order(campaign, now)
    payment = claim_payment(order=order, now=now)

    reject_payment(payment=payment, reason="Nominal tidak sesuai", now=now)

    message = OutboxMessage.objects.get(event="payment_rejected", channel="email")
    assert "Nominal tidak sesuai" in message.body


def test_closing_a_po_tells_every_buyer_of_a_live_order_once(shop, now):
    campaign = make_campaign(shop, now=now, quotas=(None,))
    for index in range(30):
        _order(campaign, now, name=f"Buyer {index}", phone=f"0813 0000 {index:04d}", email="")
    OutboxMessage.objects.all().delete()

    close_campaign(campaign=campaign, now=now)
    events.po_closed(campaign, now)

    assert OutboxMessage.objects.filter(event="po_closed").count() == 30


def test_a_po_missing_its_minimum_tells_buyers_of_the_refund_not_that_it_closed(shop, now):
    campaign = make_campaign(shop, now=now, moq_units=10)
    _order(campaign, now)

    close_campaign(campaign=campaign, now=now)
    fail_campaign(campaign=campaign, now=now)

    assert {m[0] for m in _messages(campaign=campaign)} == {"order_received", "moq_failed_refund"}


def test_an_expired_order_tells_its_buyer(campaign, now):
    order = _order(campaign, now)

    expire_order(order=order, now=order.payment_deadline + timedelta(minutes=1))

    assert OutboxMessage.objects.filter(event="order_expired", order=order).count() == 2


def test_payment_reminders_go_24_and_3_hours_before_the_deadline_once_each(shop, now):
    campaign = make_campaign(shop, now=now, payment_window_hours=48)
    order = _order(campaign, now)
    deadline = order.payment_deadline

    assert remind_payments_due(deadline - timedelta(hours=25)) == 0
    assert remind_payments_due(deadline - timedelta(hours=24)) == 1
    assert remind_payments_due(deadline - timedelta(hours=23)) == 0
    assert remind_payments_due(deadline - timedelta(hours=3)) == 1
    assert remind_payments_due(deadline - timedelta(hours=2)) == 0

    keys = OutboxMessage.objects.filter(event="payment_reminder", channel="email")
    assert sorted(keys.values_list("event_key", flat=True)) == [
        f"payment_reminder:24h:{order.pk}",
        f"payment_reminder:3h:{order.pk}",
    ]


def test_an_order_with_a_claimed_payment_is_not_reminded(shop, now):
    campaign = make_campaign(shop, now=now, payment_window_hours=48)
    order = _order(campaign, now)
    claim_payment(order=order, now=now)

    assert remind_payments_due(order.payment_deadline - timedelta(hours=3)) == 0


def test_sign_ups_hear_once_when_the_po_opens(shop, now):
    campaign = make_campaign(
        shop, now=now, opens_at=now + timedelta(hours=2), closes_at=now + timedelta(days=5)
    )
    sign_up_for_reminder(campaign=campaign, contact="rina@example.com", now=now)
    sign_up_for_reminder(campaign=campaign, contact="0812 9999 0000", now=now)
    campaign.status = "open"
    campaign.save(update_fields=["status"])  # as the scheduler's open transition would
    opened = now + timedelta(hours=2, minutes=1)

    assert remind_po_events(opened) == 2
    assert remind_po_events(opened) == 0

    assert _messages(event="po_opens") == [
        ("po_opens", "email", "rina@example.com", "queued"),
        ("po_opens", "whatsapp", "+6281299990000", "manual"),
    ]
    assert not ReminderSignup.objects.filter(notified_at=None).exists()
    assert "PO Kaos Agustus" in OutboxMessage.objects.filter(event="po_opens").first().subject


def test_past_buyers_who_asked_hear_24_hours_before_a_new_po_closes_once(shop, now):
    old = make_campaign(shop, now=now, slug="old")
    _order(old, now, wants_updates=True)
    _order(old, now, name="Budi", phone="0813 9999 0000", email="budi@example.com")
    new = make_campaign(shop, now=now, slug="new", closes_at=now + timedelta(days=2))

    assert remind_po_events(now) == 0  # not within 24 h yet
    assert remind_po_events(new.closes_at - timedelta(hours=23)) == 1
    assert remind_po_events(new.closes_at - timedelta(hours=22)) == 0

    # Budi did not tick "tell me about the next PO": he hears nothing.
    assert _messages(event="po_closing_soon") == [
        ("po_closing_soon", "email", "sari@example.com", "queued"),
        ("po_closing_soon", "whatsapp", "+6281322223333", "manual"),
    ]


def test_an_order_reads_the_shop_and_its_template_in_one_query_and_inserts_once(
    shop, now, django_assert_num_queries
):
    from openpo.catalog.models import Campaign
    from openpo.messaging.services import save_template

    save_template(
        shop=shop, event="order_received", language="id", subject="Order {kode}", body="Hai {nama}"
    )
    order = _order(make_campaign(shop, now=now, slug="fresh"), now)
    OutboxMessage.objects.all().delete()
    order.campaign = Campaign.objects.get(pk=order.campaign_id)  # as a view reads it: no shop

    with django_assert_num_queries(2):
        events.order_received(order, order.open_expected_payment, now)()

    email = OutboxMessage.objects.get(channel="email")
    assert (email.subject, email.body) == (f"Order {order.code}", "Hai Sari")


def test_a_settlement_reminder_writes_the_buyer_a_message(shop, now):
    from openpo.messaging.reminders import remind_settlements_due
    from openpo.payments.models import ExpectedPayment, Payment

    campaign = factories.dp_campaign(shop, now=now, settles_in_days=10)
    order = factories.pay(_order(campaign, now), source=Payment.Source.STATEMENT, now=now)
    settlement = ExpectedPayment.objects.get(order=order, status="open", kind="settlement")

    assert remind_settlements_due(now=settlement.due_at - timedelta(hours=23)) == 1

    message = OutboxMessage.objects.get(event="settlement_reminder", channel="email")
    assert f"Rp {settlement.amount:,}".replace(",", ".") in message.body
    assert OutboxMessage.objects.filter(event="payment_confirmed", order=order).count() == 2
