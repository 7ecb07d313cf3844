"""Erasing a buyer's personal data on request (UU PDP), keeping their orders for the books.

What a buyer gave or what was written about them is replaced or removed, wherever a copy of
it lives in the shop: the customer (name, number, email, news choices), each of their orders
(name, number, email, address, postal code, city, notes, refund account, the keys that were
derived from the number), internal notes on those orders, messages to them in the outbox
(recipient, name, subject, text, error), their payment and refund proofs (the files deleted
after commit), refund accounts, bank-statement lines matched to their payments, the seller's
notes and reasons where they name the buyer, reconfirmation notes, testimonials (text, photo
and name), "remind me" sign-ups with their number or email, webhook payloads about their
orders, audit events that copied their details, and the admin's history of the customer.

What stays: orders with their codes, lines, amounts, statuses and dates; payments, expected
payments and refunds with their amounts; shipments with their courier and resi (the
courier's reference, needed for a dispute); the province (a coarse place, for the shop's
figures). The customer row stays as "Anonim #id" with a number that is not a number
(`+erased<id>`), so no later order, import, reply or sign-up can match it again: the same
person ordering later is a new customer.

An order still in progress needs the buyer's address or refund account: one paid and not yet
delivered, or one with money still to give back. Erasing then would leave the seller unable
to ship or refund, so it is refused (`ErasureNeedsConfirmation`, naming the orders) unless
the seller confirms they have what they need.

It all happens in one transaction, with one audit event (who, when, which customer id, what
was counted; never the erased data). Erasing an erased buyer again changes nothing and
writes nothing.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.core.models import AuditEvent
from openpo.fulfillment.models import Reconfirmation, Shipment, Testimonial
from openpo.hooks.models import WebhookDelivery
from openpo.messaging.models import OutboxMessage
from openpo.orders.models import Customer, Order, OrderNote, ReminderSignup
from openpo.payments.balances import goes_ahead, refund_owed
from openpo.payments.models import Payment, PaymentProof, Refund, StatementLine

ERASED_PHONE_PREFIX = "+erased"
ERASED_TEXT = "[dihapus]"
# Audit data keys that held a buyer's words or details (a self-correction's old and new
# values, notes, a reconfirmation's resolution).
AUDIT_PERSONAL_KEYS = ("changes", "note", "resolution")
# An order on its way still needs the address (a parcel can come back).
UNDELIVERED = (
    Order.FulfillmentStatus.PENDING,
    Order.FulfillmentStatus.PACKED,
    Order.FulfillmentStatus.SHIPPED,
)
# Shorter names are not redacted inside other text: "Ani" would cut "Tanimbar" apart.
MIN_NAME_LENGTH = 4


class ErasureNeedsConfirmation(DomainError):
    code = "erasure_needs_confirmation"
    http_status = 409
    default_message = _(
        "Orders still in progress need this buyer's address or refund account: %(orders)s. "
        "Confirm that you have what you need to finish them, or erase later."
    )


def erased_name(customer_id: int) -> str:
    return f"Anonim #{customer_id}"


def is_erased(customer: Customer) -> bool:
    return customer.phone.startswith(ERASED_PHONE_PREFIX)


@dataclass
class Erasure:
    """What an erasure changed (counts only: the erased data is gone)."""

    customer_id: int
    already_erased: bool = False
    orders: int = 0
    notes: int = 0
    messages: int = 0
    proof_files: int = 0
    refunds: int = 0
    statement_lines: int = 0
    reconfirmations: int = 0
    testimonials: int = 0
    reminder_signups: int = 0
    webhook_payloads: int = 0
    audit_events: int = 0
    in_progress: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def orders_in_progress(customer: Customer) -> list[Order]:
    """The buyer's orders that still need their address (paid, not yet delivered, in a PO
    that goes ahead) or their refund account (money still to give back)."""
    found = []
    orders = Order.objects.filter(customer=customer).select_related("campaign")
    for order in orders.order_by("created_at", "pk"):
        ships = (
            goes_ahead(order) and order.amount_paid > 0 and order.fulfillment_status in UNDELIVERED
        )
        if ships or refund_owed(order) > 0:
            found.append(order)
    return found


def _phone_spellings(phone: str) -> set[str]:
    """+6281234567890 as buyers and banks write it: +62…, 62…, 0…"""
    if not phone.startswith("+62"):
        return {phone} if phone else set()
    rest = phone[3:]
    return {phone, "62" + rest, "0" + rest}


def _redactor(needles: Iterable[str]) -> Callable[[str], str]:
    """Replace every needle (case-insensitive) in a text with the erased marker."""
    usable = sorted({n for n in needles if len(n.strip()) >= MIN_NAME_LENGTH}, key=len)[::-1]
    if not usable:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(n.strip()) for n in usable), re.IGNORECASE)
    return lambda text: pattern.sub(ERASED_TEXT, text) if text else text


def _delete_after_commit(file) -> None:
    """Delete a stored file once the erasure has committed (a rollback keeps it)."""
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def erase_customer(
    *,
    customer: Customer,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    confirm_in_progress: bool = False,
    now: datetime | None = None,
) -> Erasure:
    """Erase the buyer's personal data everywhere in their shop, keeping the books; refused
    while an order in progress needs it, unless `confirm_in_progress`."""
    now = now or timezone.now()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    result = Erasure(customer_id=customer.pk)
    if is_erased(customer):
        result.already_erased = True
        return result
    in_progress = orders_in_progress(customer)
    result.in_progress = [order.code for order in in_progress]
    if in_progress and not confirm_in_progress:
        raise ErasureNeedsConfirmation(orders=", ".join(result.in_progress))

    shop_id = customer.shop_id
    orders = list(Order.objects.select_for_update().filter(customer=customer).order_by("pk"))
    order_ids = [order.pk for order in orders]
    phones = {customer.phone} | {o.buyer_phone for o in orders if o.buyer_phone}
    emails = {customer.email} | {o.buyer_email for o in orders}
    emails.discard("")
    names = {customer.name} | {o.buyer_name for o in orders} | _earlier_names(shop_id, order_ids)
    redact = _redactor(
        [*names, *emails, *(spelling for phone in phones for spelling in _phone_spellings(phone))]
    )
    anonymous = erased_name(customer.pk)

    _erase_orders(orders, anonymous, redact, now)
    result.orders = len(orders)
    result.notes = OrderNote.objects.filter(order_id__in=order_ids).update(text=ERASED_TEXT)
    result.messages = _erase_messages(customer, shop_id, order_ids, phones | emails, anonymous)
    result.proof_files = _erase_proofs(order_ids)
    result.refunds = _erase_refunds(order_ids, redact)
    _redact_payments(order_ids, redact)
    result.statement_lines = StatementLine.objects.filter(
        Q(payment__order_id__in=order_ids) | Q(expected_payment__order_id__in=order_ids),
        shop_id=shop_id,
    ).update(description=ERASED_TEXT)
    result.reconfirmations = _erase_reconfirmations(order_ids)
    result.testimonials = _erase_testimonials(order_ids)
    for shipment in Shipment.objects.filter(orders__id__in=order_ids).distinct():
        if shipment.override_reason:
            shipment.override_reason = redact(shipment.override_reason)
            shipment.save(update_fields=["override_reason"])
    result.reminder_signups = (
        ReminderSignup.objects.filter(campaign__shop_id=shop_id)
        .filter(Q(phone__in=phones - {""}) | Q(email__in=emails))
        .delete()[0]
    )
    result.webhook_payloads = _erase_webhook_payloads(shop_id, orders, anonymous)
    result.audit_events = _erase_audit_data(customer, order_ids)
    _erase_admin_history(customer, anonymous)

    customer.name = anonymous
    customer.phone = f"{ERASED_PHONE_PREFIX}{customer.pk}"
    customer.email = ""
    customer.reminders_opt_in = False
    customer.opted_out_at = customer.opted_out_at or now
    customer.whatsapp_last_inbound_at = None
    customer.updated_at = now
    customer.save()
    audit_event(
        action="customer.erased",
        subject=customer,
        shop_id=shop_id,
        actor=actor,
        actor_label=actor_label,
        at=now,
        data={
            key: value
            for key, value in result.as_dict().items()
            if key not in ("customer_id", "already_erased")
        },
    )
    return result


def _earlier_names(shop_id: int, order_ids: list[int]) -> set[str]:
    """Names the buyer went by before a correction, so notes that use them are found too:
    the messages' recipient names and the corrections' old values."""
    names = set(
        OutboxMessage.objects.filter(shop_id=shop_id, order_id__in=order_ids).values_list(
            "recipient_name", flat=True
        )
    )
    corrections = AuditEvent.objects.filter(
        shop_id=shop_id,
        subject_type="orders.order",
        subject_id__in=[str(pk) for pk in order_ids],
        action="order.buyer_self_corrected",
    )
    for data in corrections.values_list("data", flat=True):
        old_and_new = ((data or {}).get("changes") or {}).get("buyer_name") or []
        names.update(value for value in old_and_new if isinstance(value, str))
    return names


def _erase_orders(
    orders: list[Order], anonymous: str, redact: Callable[[str], str], now: datetime
) -> None:
    for order in orders:
        order.buyer_name = anonymous
        order.buyer_phone = ""
        order.buyer_email = ""
        order.address = ""
        order.city = ""
        order.postal_code = ""
        order.notes = ""
        order.refund_bank_name = ""
        order.refund_account_number = ""
        order.refund_account_holder = ""
        order.cancel_reason = redact(order.cancel_reason)
        # An import's key is a hash of the number; a request's fingerprint, of the details.
        order.idempotency_key = ""
        order.request_fingerprint = ""
        order.updated_at = now
    Order.objects.bulk_update(
        orders,
        [
            "buyer_name",
            "buyer_phone",
            "buyer_email",
            "address",
            "city",
            "postal_code",
            "notes",
            "refund_bank_name",
            "refund_account_number",
            "refund_account_holder",
            "cancel_reason",
            "idempotency_key",
            "request_fingerprint",
            "updated_at",
        ],
        batch_size=500,
    )


def _erase_messages(
    customer: Customer, shop_id: int, order_ids: list[int], addresses: set[str], anonymous: str
) -> int:
    """Messages about the buyer's orders, and those to their number or email that belong to
    no order (news, a segment's broadcast); one not sent yet never will be."""
    messages = OutboxMessage.objects.filter(
        Q(order_id__in=order_ids) | Q(order__isnull=True, recipient__in=addresses - {""}),
        shop_id=shop_id,
    )
    count = 0
    for message in messages.iterator(chunk_size=500):
        message.recipient = f"erased-{customer.pk}-{message.pk}"
        message.recipient_name = anonymous
        message.subject = ""
        message.body = ERASED_TEXT
        message.last_error = ""
        if message.status != OutboxMessage.Status.SENT:
            message.status = OutboxMessage.Status.FAILED
            message.locked_until = None
        message.save(
            update_fields=[
                "recipient",
                "recipient_name",
                "subject",
                "body",
                "last_error",
                "status",
                "locked_until",
            ]
        )
        count += 1
    return count


def _erase_proofs(order_ids: list[int]) -> int:
    """The proof rows stay (a payment points at its proof) with no file and no file name."""
    count = 0
    for proof in PaymentProof.objects.filter(order_id__in=order_ids):
        if proof.file:
            _delete_after_commit(proof.file)
            count += 1
        proof.file = ""
        proof.original_name = ""
        proof.save(update_fields=["file", "original_name"])
    return count


def _erase_refunds(order_ids: list[int], redact: Callable[[str], str]) -> int:
    count = 0
    for refund in Refund.objects.filter(order_id__in=order_ids):
        if refund.proof:
            _delete_after_commit(refund.proof)
        refund.proof = ""
        refund.account_number = ""
        refund.account_holder = ""
        refund.note = redact(refund.note)
        refund.save(update_fields=["proof", "account_number", "account_holder", "note"])
        count += 1
    return count


def _redact_payments(order_ids: list[int], redact: Callable[[str], str]) -> None:
    for payment in Payment.objects.filter(order_id__in=order_ids).exclude(
        note="", reject_reason=""
    ):
        payment.note = redact(payment.note)
        payment.reject_reason = redact(payment.reject_reason)
        payment.save(update_fields=["note", "reject_reason"])


def _erase_reconfirmations(order_ids: list[int]) -> int:
    count = 0
    for row in Reconfirmation.objects.filter(order_id__in=order_ids):
        row.note = ERASED_TEXT if row.note else ""
        row.resolution = ERASED_TEXT if row.resolution else ""
        row.save(update_fields=["note", "resolution"])
        count += 1
    return count


def _erase_testimonials(order_ids: list[int]) -> int:
    """The rating stays (it is about the goods); the buyer's words, photo and name go."""
    count = 0
    for testimonial in Testimonial.objects.filter(order_id__in=order_ids):
        if testimonial.photo:
            _delete_after_commit(testimonial.photo)
        testimonial.photo = ""
        testimonial.text = ""
        testimonial.author_name = "Anonim"
        testimonial.save(update_fields=["photo", "text", "author_name"])
        count += 1
    return count


def _erase_webhook_payloads(shop_id: int, orders: list[Order], anonymous: str) -> int:
    """Events about the buyer's orders, delivered or waiting, keep the order without the name."""
    codes = [order.code for order in orders]
    count = 0
    deliveries = WebhookDelivery.objects.filter(
        endpoint__shop_id=shop_id, payload__data__code__in=codes
    )
    for delivery in deliveries.iterator(chunk_size=500):
        data = (delivery.payload or {}).get("data")
        if isinstance(data, dict) and "buyer_name" in data:
            data["buyer_name"] = anonymous
            delivery.save(update_fields=["payload"])
            count += 1
    return count


def _scrub(value: object) -> object:
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return ERASED_TEXT if isinstance(value, str) and value else value


def _erase_audit_data(customer: Customer, order_ids: list[int]) -> int:
    """Events about the buyer's orders and their reconfirmations keep what happened, not the
    details they copied (a self-correction's values, notes)."""
    reconfirmations = Reconfirmation.objects.filter(order_id__in=order_ids).values_list(
        "pk", flat=True
    )
    subjects = (
        Q(subject_type="orders.order", subject_id__in=[str(pk) for pk in order_ids])
        | Q(subject_type="orders.customer", subject_id=str(customer.pk))
        | Q(
            subject_type="fulfillment.reconfirmation",
            subject_id__in=[str(pk) for pk in reconfirmations],
        )
    )
    count = 0
    for event in AuditEvent.objects.filter(subjects, shop_id=customer.shop_id):
        data = dict(event.data or {})
        personal = [key for key in AUDIT_PERSONAL_KEYS if data.get(key)]
        if not personal:
            continue
        for key in personal:
            data[key] = _scrub(data[key])
        event.data = data
        event.save(update_fields=["data"])
        count += 1
    return count


def _erase_admin_history(customer: Customer, anonymous: str) -> None:
    """The admin's history names a customer as "name (number)"."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk)
    ).update(object_repr=anonymous)
