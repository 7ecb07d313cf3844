"""Done-when of issue 6: with a real SMTP server, the exact expected emails arrive for a full
PO life — order, payment reminder, confirmation, closing, shipped — in Indonesian by default
and in English for a shop that writes to its buyers in English."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from openpo.catalog.services import close_campaign
from openpo.fulfillment.services.shipping import create_shipment, mark_shipped
from openpo.messaging.delivery import deliver_due_messages
from openpo.messaging.models import OutboxMessage
from openpo.messaging.reminders import remind_payments_due
from openpo.payments.services import claim_payment, confirm_payment
from tests import factories
from tests.conftest import make_campaign
from tests.smtpserver import smtp_server_fixture  # noqa: F401  (registers `smtp_server`)

pytestmark = pytest.mark.django_db


def _live_a_po(shop, buyer, now, smtp_server):
    """Drive a PO through its life with services, delivering the outbox after each step;
    returns the order and every email received, in order."""
    campaign = make_campaign(shop, now=now)
    variant = campaign.variants.order_by("position").first()

    order = factories.order(campaign, variant=variant, units=2, buyer=buyer, now=now)
    amount = order.open_expected_payment.amount
    assert deliver_due_messages(now=now) == 1

    at_reminder = order.payment_deadline - timedelta(hours=3)
    assert remind_payments_due(at_reminder - timedelta(hours=18)) == 0  # nothing due yet
    assert remind_payments_due(at_reminder) == 1
    assert remind_payments_due(at_reminder + timedelta(minutes=1)) == 0  # once
    assert deliver_due_messages(now=at_reminder) == 1

    paid_at = at_reminder + timedelta(hours=1)
    payment = claim_payment(order=order, now=paid_at)
    confirm_payment(payment=payment, now=paid_at)
    assert deliver_due_messages(now=paid_at) == 1

    closed_at = paid_at + timedelta(hours=1)
    close_campaign(campaign=campaign, now=closed_at)
    assert deliver_due_messages(now=closed_at) == 1

    shipped_at = closed_at + timedelta(days=10)
    shipment = create_shipment(
        orders=[order], courier="jne", tracking_number="JNE0123456789", now=shipped_at
    )
    mark_shipped(shipment=shipment, now=shipped_at)
    mark_shipped(shipment=shipment, now=shipped_at)  # marked twice: still one message
    assert deliver_due_messages(now=shipped_at) == 1
    assert deliver_due_messages(now=shipped_at) == 0

    received = smtp_server.wait_for(5)
    return order, amount, received


def test_a_buyer_gets_the_five_emails_of_a_po_life_in_indonesian(shop, buyer, now, smtp_server):
    order, amount, received = _live_a_po(shop, buyer, now, smtp_server)

    code = order.code
    assert [(m["To"], m["Subject"]) for m in received] == [
        ("sari@example.com", f"Pesanan {code} diterima"),
        ("sari@example.com", f"Pengingat pembayaran {code}"),
        ("sari@example.com", f"Pembayaran {code} diterima"),
        ("sari@example.com", "PO Kaos Agustus sudah ditutup"),
        ("sari@example.com", f"Pesanan {code} sudah dikirim"),
    ]
    bodies = [smtp_server.body(m).replace("\r\n", "\n") for m in received]
    deadline = order.payment_deadline.astimezone(ZoneInfo("Asia/Jakarta"))
    money = f"Rp {amount:,}".replace(",", ".")
    assert bodies[0].startswith("Halo Sari Wulandari,")
    assert f"Total: Rp 255.000.\nSilakan transfer tepat {money} sebelum" in bodies[0]
    assert f"{deadline:%H:%M} WIB" in bodies[0]
    assert f"/o/{order.secret}/" in bodies[0]
    assert f"Mohon transfer tepat {money} sebelum" in bodies[1]
    assert f"Pembayaran {money} untuk pesanan {code}" in bodies[2]
    assert "Sisa tagihan: Rp 0." in bodies[2]
    assert f"Pesanan {code} (Rp 255.000) masuk produksi" in bodies[3]
    assert "sudah dikirim lewat JNE.\nNomor resi: JNE0123456789" in bodies[4]
    assert all(body.rstrip().endswith("Toko Alice") for body in bodies)


def test_each_step_also_waits_as_a_whatsapp_message_for_the_sellers_phone(
    shop, buyer, now, smtp_server
):
    _order, _amount, _received = _live_a_po(shop, buyer, now, smtp_server)

    whatsapp = OutboxMessage.objects.filter(channel="whatsapp").order_by("created_at", "pk")
    # The buyer ordered on the web page and is looking at it: no "order received" to tap out.
    assert [m.event for m in whatsapp] == [
        "payment_reminder",
        "payment_confirmed",
        "po_closed",
        "shipped",
    ]
    assert {(m.recipient, m.status) for m in whatsapp} == {("+6281322223333", "manual")}


def test_a_shop_writing_in_english_sends_the_english_wording(shop, buyer, now, smtp_server):
    shop.message_language = "en"
    shop.save(update_fields=["message_language"])

    order, _amount, received = _live_a_po(shop, buyer, now, smtp_server)

    code = order.code
    assert [m["Subject"] for m in received] == [
        f"Order {code} received",
        f"Payment reminder for {code}",
        f"Payment for {code} received",
        "PO Kaos Agustus is closed",
        f"Order {code} is on its way",
    ]
    body = smtp_server.body(received[0])
    assert body.startswith("Hi Sari Wulandari,")
    assert "Please transfer exactly Rp " in body
    assert "Tracking number: JNE0123456789" in smtp_server.body(received[4])
