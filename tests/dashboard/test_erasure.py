"""Erasing a buyer's personal data (UU PDP) from the buyer's page: an owner confirms, every copy
of the buyer's details in the shop is replaced or removed (read back row by row), the orders
and their money stay for the books, the erasure is audited without the data, a second erasure
changes nothing, and an order still in progress needs an explicit second tick. Staff get 403,
another shop's owner 404; the other buyer and the other shop are untouched."""

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from openpo.catalog.models import Shop
from openpo.core.models import AuditEvent
from openpo.fulfillment import models as fulfillment
from openpo.fulfillment.models import Reconfirmation
from openpo.fulfillment.services.addresses import BuyerCorrection, correct_buyer_details
from openpo.hooks import events as hook_events
from openpo.hooks.models import WebhookDelivery
from openpo.hooks.services import create_endpoint
from openpo.messaging.models import OutboxMessage
from openpo.messaging.outbox import queue_message
from openpo.orders.models import Customer, Order, OrderNote, ReminderSignup
from openpo.orders.services import place_order
from openpo.orders.services.changing import add_order_note
from openpo.orders.services.erasure import (
    ERASED_TEXT,
    ErasureNeedsConfirmation,
    erase_customer,
)
from openpo.payments.models import (
    Payment,
    PaymentProof,
    Refund,
    StatementImport,
    StatementLine,
)
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

SARI_PHONE = "+6281322223333"
SARI_EMAIL = "sari@example.com"
SARI_WORDS = ("Sari", "Wulandari", "6281322223333", "81322223333", SARI_EMAIL, "Melati")


@dataclass
class World:
    shop: Shop
    sari: Customer
    budi: Customer
    sari_order: Order
    budi_order: Order
    other_order: Order
    proof_path: Path


@pytest.fixture(autouse=True)
def _forget_endpoints():
    hook_events.forget()
    yield
    hook_events.forget()


def build_world(shop, other_shop, alice, now) -> World:
    """Alice's shop with two buyers: Sari (a WhatsApp order with everything a buyer leaves
    behind) and Budi; Charlie's shop with a buyer who uses Sari's number and email too."""
    create_endpoint(shop=shop, url="https://alice.example/hook", events=["order.created"])
    hook_events.forget()
    campaign = make_campaign(shop, now=now)
    sari_order = factories.order(
        campaign,
        channel=Order.Channel.WHATSAPP,
        buyer=factories.buyer(
            1,
            name="Sari Wulandari",
            phone="0813 2222 3333",
            email=SARI_EMAIL,
            address="Jl. Melati No. 5, RT 02",
            city="Bandung",
            province="Jawa Barat",
            postal_code="40115",
            notes="Chat: Sari Wulandari minta dibungkus rapi",
        ),
    )
    # The buyer corrects her own address (audited with the old and new values).
    correct_buyer_details(
        order=sari_order,
        correction=BuyerCorrection(
            name="Sari W.",
            phone="0813 2222 3333",
            address="Jl. Melati No. 7, RT 02",
            postal_code="40115",
        ),
    )
    sari_order.refresh_from_db()
    Order.objects.filter(pk=sari_order.pk).update(
        refund_bank_name="BCA", refund_account_number="5550001234", refund_account_holder="Sari W"
    )
    payment = factories.claimed(sari_order, proof=factories.proof_png("bukti_sari.png"))
    Payment.objects.filter(pk=payment.pk).update(note="Transfer dari Sari Wulandari 0813")
    proof = PaymentProof.objects.get(order=sari_order)
    add_order_note(order=sari_order, text="Sari minta kirim ke kantor Jl. Melati", actor=alice)
    queue_message(
        shop=shop,
        event="news",
        event_key="news:1",
        channel="whatsapp",
        recipient=SARI_PHONE,
        recipient_name="Sari Wulandari",
        body="Halo Sari Wulandari, PO baru dibuka!",
    )
    Refund.objects.create(
        shop=shop,
        order=sari_order,
        amount=5000,
        bank_name="BCA",
        account_number="5550001234",
        account_holder="Sari Wulandari",
        note="Kelebihan transfer Sari Wulandari",
        refunded_at=now,
    )
    statement = StatementImport.objects.create(shop=shop, bank_format="bca", imported_at=now)
    StatementLine.objects.create(
        shop=shop,
        statement=statement,
        fingerprint="s" * 64,
        posted_on=now.date(),
        description="TRSF E-BANKING CR SARI WULANDARI",
        amount=sari_order.open_expected_payment.amount,
        match=StatementLine.Match.MATCHED,
        expected_payment=sari_order.open_expected_payment,
    )
    Reconfirmation.objects.create(
        shop=shop,
        order=sari_order,
        reason=Reconfirmation.Reason.NOTE,
        note="RT/RW Jl. Melati kurang",
        created_at=now,
    )
    fulfillment.Testimonial.objects.create(
        shop=shop,
        campaign=campaign,
        order=sari_order,
        rating=5,
        text="Bagus! — Sari",
        author_name="Sari W.",
        created_at=now,
        approved_at=now,
    )
    later = make_campaign(shop, now=now, title="PO Berikutnya", publish=False)
    ReminderSignup.objects.create(campaign=later, phone=SARI_PHONE, created_at=now)
    ReminderSignup.objects.create(campaign=later, email=SARI_EMAIL, created_at=now)
    LogEntry.objects.log_actions(
        user_id=alice.pk,
        queryset=Customer.objects.filter(pk=sari_order.customer_id),
        action_flag=CHANGE,
        change_message="[]",
    )
    budi_order = factories.order(
        campaign, buyer=factories.buyer(2, name="Budi Santoso", email="budi@example.com")
    )
    other_campaign = make_campaign(other_shop, now=now, title="PO Charlie")
    other_order = factories.order(
        other_campaign,
        buyer=factories.buyer(
            3, name="Sari di Toko Lain", phone="0813 2222 3333", email=SARI_EMAIL
        ),
    )
    return World(
        shop=shop,
        sari=Customer.objects.get(pk=sari_order.customer_id),
        budi=Customer.objects.get(pk=budi_order.customer_id),
        sari_order=Order.objects.get(pk=sari_order.pk),
        budi_order=Order.objects.get(pk=budi_order.pk),
        other_order=other_order,
        proof_path=Path(proof.file.path),
    )


@pytest.fixture
def world(shop, other_shop, alice, now) -> World:
    return build_world(shop, other_shop, alice, now)


def _erase_page(world: World) -> str:
    return f"/dashboard/customers/{world.sari.pk}/erase/"


def _no_trace(text: str) -> bool:
    return not any(word.lower() in text.lower() for word in SARI_WORDS)


def assert_sari_is_erased(world: World) -> None:
    """Every row that held Sari's details, read back."""
    sari = Customer.objects.get(pk=world.sari.pk)
    assert sari.name == f"Anonim #{sari.pk}"
    assert sari.phone == f"+erased{sari.pk}" and sari.email == ""
    assert sari.opted_out_at is not None and not sari.reminders_opt_in

    order = Order.objects.get(pk=world.sari_order.pk)
    for name in ("buyer_name", "buyer_phone", "buyer_email", "address", "city", "postal_code"):
        assert _no_trace(getattr(order, name)), name
    assert order.buyer_phone == "" and order.buyer_email == "" and order.address == ""
    assert order.notes == "" and order.refund_account_number == ""
    assert order.refund_account_holder == "" and order.idempotency_key == ""
    assert order.province == "Jawa Barat"  # kept: a coarse place, for the shop's figures

    assert [n.text for n in OrderNote.objects.filter(order=order)] == [ERASED_TEXT]
    messages = OutboxMessage.objects.filter(shop=world.shop).exclude(order__customer=world.budi)
    assert messages.count() >= 3  # order received by email and WhatsApp, the news, ...
    for message in messages:
        text = " ".join([message.recipient, message.recipient_name, message.subject, message.body])
        assert _no_trace(text), text
        assert message.status in (OutboxMessage.Status.FAILED, OutboxMessage.Status.SENT)

    proof = PaymentProof.objects.get(order=order)
    assert not proof.file and proof.original_name == ""
    assert not world.proof_path.exists()
    payment = Payment.objects.get(order=order)
    assert payment.note == f"Transfer dari {ERASED_TEXT} 0813"
    refund = Refund.objects.get(order=order)
    assert refund.account_number == "" and refund.account_holder == ""
    assert refund.note == f"Kelebihan transfer {ERASED_TEXT}" and refund.amount == 5000
    assert StatementLine.objects.get(shop=world.shop).description == ERASED_TEXT
    assert Reconfirmation.objects.get(order=order).note == ERASED_TEXT
    testimonial = fulfillment.Testimonial.objects.get(order=order)
    assert (testimonial.text, testimonial.author_name, testimonial.rating) == ("", "Anonim", 5)
    assert not ReminderSignup.objects.filter(campaign__shop=world.shop).exists()
    delivery = WebhookDelivery.objects.get(payload__data__code=order.code)
    assert delivery.payload["data"]["buyer_name"] == f"Anonim #{sari.pk}"
    corrected = AuditEvent.objects.get(action="order.buyer_self_corrected")
    assert _no_trace(json.dumps(corrected.data))
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Customer), object_id=str(sari.pk)
    )
    assert entry.object_repr == f"Anonim #{sari.pk}"


def assert_others_untouched(world: World) -> None:
    budi = Customer.objects.get(pk=world.budi.pk)
    assert budi.name == "Budi Santoso" and budi.email == "budi@example.com"
    budi_order = Order.objects.get(pk=world.budi_order.pk)
    assert budi_order.buyer_name == "Budi Santoso" and budi_order.address == "Jl. Melati 2"
    other = Order.objects.get(pk=world.other_order.pk)
    assert (other.buyer_name, other.buyer_phone) == ("Sari di Toko Lain", SARI_PHONE)
    assert other.customer.phone == SARI_PHONE and other.customer.email == SARI_EMAIL
    theirs = OutboxMessage.objects.filter(order=other)
    assert theirs.exists() and set(theirs.values_list("recipient", flat=True)) == {SARI_EMAIL}


def test_the_buyer_page_offers_owners_the_erasure(client, alice, world):
    client.force_login(alice)

    response = client.get(f"/dashboard/customers/{world.sari.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sari W." in html and world.sari_order.code in html
    assert _erase_page(world) in html
    assert "Hapus data pribadi" in html


def test_the_order_page_links_to_the_buyer_page(client, alice, world):
    client.force_login(alice)

    html = client.get(f"/dashboard/orders/{world.sari_order.pk}/").content.decode()

    assert f'href="/dashboard/customers/{world.sari.pk}/"' in html


def test_the_confirmation_says_what_will_happen(client, alice, world):
    client.force_login(alice)

    response = client.get(_erase_page(world))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Yang dihapus" in html and "Yang tetap disimpan" in html
    assert "tidak bisa dibatalkan" in html
    assert Customer.objects.get(pk=world.sari.pk).name == "Sari W."  # a GET changes nothing


def test_it_erases_every_copy_and_keeps_the_books(
    client, alice, world, django_capture_on_commit_callbacks
):
    sari_order = world.sari_order
    books = (sari_order.total, sari_order.subtotal, sari_order.units, sari_order.code)
    lines = list(sari_order.lines.values_list("sku", "quantity", "unit_price"))
    payments = list(Payment.objects.filter(order=sari_order).values_list("amount", "status"))
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_erase_page(world), {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/customers/{world.sari.pk}/"
    assert_sari_is_erased(world)
    assert_others_untouched(world)
    order = Order.objects.get(pk=sari_order.pk)
    assert (order.total, order.subtotal, order.units, order.code) == books
    assert list(order.lines.values_list("sku", "quantity", "unit_price")) == lines
    assert list(Payment.objects.filter(order=order).values_list("amount", "status")) == payments

    page = client.get(response["Location"]).content.decode()
    assert "Data pribadi sudah dihapus" in page and "Sari" not in page


def test_it_is_audited_without_the_erased_data(client, alice, world):
    messages = OutboxMessage.objects.filter(
        Q(order=world.sari_order) | Q(order=None, recipient=SARI_PHONE)
    ).count()
    client.force_login(alice)

    client.post(_erase_page(world), {"confirm": "on"})

    event = AuditEvent.objects.get(action="customer.erased")
    assert event.actor == alice and event.shop_id == world.shop.pk
    assert (event.subject_type, event.subject_id) == ("orders.customer", str(world.sari.pk))
    assert event.data["orders"] == 1 and event.data["messages"] == messages >= 3
    assert event.data["proof_files"] == 1 and event.data["reminder_signups"] == 2
    assert _no_trace(json.dumps(event.data))


def test_the_buyer_can_no_longer_be_matched_by_number_or_email(client, alice, world):
    campaign = world.sari_order.campaign
    client.force_login(alice)
    client.post(_erase_page(world), {"confirm": "on"})

    assert not Customer.objects.filter(shop=world.shop, phone=SARI_PHONE).exists()
    assert not Customer.objects.filter(shop=world.shop, email=SARI_EMAIL).exists()
    assert not Order.objects.filter(shop=world.shop, buyer_phone=SARI_PHONE).exists()
    # Ordering again with the same number makes a new buyer, not the erased one.
    again = place_order(
        campaign=campaign,
        buyer=factories.buyer(1, name="Sari Lagi", phone="0813 2222 3333"),
        items={campaign.variants.first().pk: 1},
        terms_accepted=True,
    )
    assert again.customer_id != world.sari.pk
    assert Customer.objects.get(pk=world.sari.pk).orders.count() == 1


def test_a_second_erasure_changes_nothing(client, alice, world, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_erase_page(world), {"confirm": "on"})
    before = list(Order.objects.filter(pk=world.sari_order.pk).values())

    result = erase_customer(customer=world.sari, actor=alice)
    response = client.post(_erase_page(world), {"confirm": "on"})

    assert result.already_erased and result.orders == 0
    assert response.status_code == 302  # back to the buyer's page, which says so
    assert list(Order.objects.filter(pk=world.sari_order.pk).values()) == before
    assert AuditEvent.objects.filter(action="customer.erased").count() == 1
    assert_sari_is_erased(world)


def test_it_needs_the_box_ticked(client, alice, world):
    client.force_login(alice)

    response = client.post(_erase_page(world), {})

    assert response.status_code == 422
    assert "Centang kotak" in response.content.decode()
    assert Customer.objects.get(pk=world.sari.pk).name == "Sari W."
    assert not AuditEvent.objects.filter(action="customer.erased").exists()


def test_an_order_in_progress_needs_a_second_tick(client, alice, world, now):
    # Budi has paid and waits for his parcel: the seller still needs his address.
    factories.pay(world.budi_order)
    page = f"/dashboard/customers/{world.budi.pk}/erase/"
    client.force_login(alice)

    shown = client.get(page).content.decode()
    refused = client.post(page, {"confirm": "on"})

    assert world.budi_order.code in shown
    assert refused.status_code == 409
    assert world.budi_order.code in refused.content.decode()
    assert "masih berjalan" in refused.content.decode()
    assert Customer.objects.get(pk=world.budi.pk).name == "Budi Santoso"
    assert Order.objects.get(pk=world.budi_order.pk).address == "Jl. Melati 2"

    confirmed = client.post(page, {"confirm": "on", "confirm_in_progress": "on"})

    assert confirmed.status_code == 302
    order = Order.objects.get(pk=world.budi_order.pk)
    assert order.address == "" and order.buyer_name == f"Anonim #{world.budi.pk}"
    assert order.amount_paid == order.total  # the money stays
    event = AuditEvent.objects.get(action="customer.erased")
    assert event.data["in_progress"] == [order.code]


def test_a_refused_erasure_leaves_everything_as_it_was(client, alice, world):
    factories.pay(world.budi_order)
    deliveries = list(WebhookDelivery.objects.values_list("payload", flat=True))

    with pytest.raises(ErasureNeedsConfirmation):
        erase_customer(customer=world.budi, actor=alice)

    assert list(WebhookDelivery.objects.values_list("payload", flat=True)) == deliveries
    assert Customer.objects.get(pk=world.budi.pk).email == "budi@example.com"


def test_staff_cannot_erase(client, bob, world):
    client.force_login(bob)

    assert client.get(_erase_page(world)).status_code == 403
    assert client.post(_erase_page(world), {"confirm": "on"}).status_code == 403
    buyer_page = client.get(f"/dashboard/customers/{world.sari.pk}/").content.decode()

    assert "Hanya pemilik toko" in buyer_page and _erase_page(world) not in buyer_page
    assert Customer.objects.get(pk=world.sari.pk).name == "Sari W."


def test_another_shops_owner_gets_404(client, charlie, world):
    client.force_login(charlie)

    assert client.get(_erase_page(world)).status_code == 404
    assert client.post(_erase_page(world), {"confirm": "on"}).status_code == 404
    assert client.get(f"/dashboard/customers/{world.sari.pk}/").status_code == 404
    assert Customer.objects.get(pk=world.sari.pk).name == "Sari W."


def test_unsent_messages_are_never_sent(client, alice, world, now):
    client.force_login(alice)
    client.post(_erase_page(world), {"confirm": "on"})

    # Whatever the worker claims now, none of the erased buyer's messages is among it.
    waiting = OutboxMessage.objects.filter(
        shop=world.shop,
        status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.MANUAL],
        next_attempt_at__lte=now + timedelta(days=1),
    )
    assert not waiting.exclude(order__customer=world.budi).exists()
