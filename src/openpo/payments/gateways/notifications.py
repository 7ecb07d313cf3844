"""Midtrans in the shop's books: a notification becomes a payment (confirmed, or waiting for
the seller's check), and a buyer's "pay online" becomes a Snap payment page.

Rules this module guarantees:
- Nothing is read from a notification before its signature matches the shop's server key,
  and a signed notification is taken only when its amount is written as Midtrans writes it
  and its (unsigned) transaction status agrees with its signed status code.
- Midtrans signs neither the transaction status nor the transaction id, so a notification
  that would move money (a payment, confirmed or for review) is first confirmed with
  Midtrans' Get Status API, outside any transaction: only what that answer says is recorded,
  and its transaction id, status and amount must be the notification's. When they are not,
  or Midtrans does not know the transaction, nothing moves (409, so a status that only lagged
  is asked again at Midtrans' retry); when Midtrans cannot be asked, nothing is written (503,
  Midtrans retries later). So a signed body replayed with a made-up transaction id makes
  nothing, and one expected payment is paid by the gateway once: another transaction for
  an expected payment that a confirmed gateway payment paid is only noted (`already_paid`).
- A notification refused for its signature, its form or the status check is kept on the
  shop's audit trail for its owners to see, within an hourly limit (`refusals`).
- Money is applied automatically only when it is exactly what the order's open expected
  payment asks for, in rupiah, on an active order. Money for an expired or cancelled order,
  an expected payment already paid or replaced, a different amount, or a card payment
  challenged by fraud detection becomes a *claimed* payment with a note: it lands in the
  seller's verification queue and never counts before the seller confirms it.
- Each (transaction id, status, fraud status) is handled once: Midtrans repeats
  notifications, and every handled one leaves a `payment.gateway_notification` audit event,
  looked for under the order's row lock before anything is written. One transaction id is
  at most one payment (the payments' unique gateway reference).
- Statuses that move no money (pending, deny, cancel, expire, failure, refund, …) only leave
  the audit event: a transaction that expires after it settled changes nothing, and refunds
  are recorded by the seller with their transfer proof.
- A notification for an order id OpenPO does not know (another system on the same Midtrans
  account, or an order deleted since) is answered as handled, so Midtrans stops retrying,
  and kept in the audit trail on the shop, so the money can still be traced.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openpo.catalog.models import Shop
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.core.models import AuditEvent
from openpo.core.money import format_rupiah
from openpo.orders.models import Order
from openpo.payments.gateways import refusals
from openpo.payments.gateways.midtrans import (
    Action,
    GatewayOff,
    Notification,
    RefusedNotification,
    Unconfirmed,
    UnknownTransaction,
    action_for,
    create_snap_transaction,
    get_transaction_status,
    parse_notification,
    split_order_id,
)
from openpo.payments.models import ExpectedPayment, Payment
from openpo.payments.services.recording import confirm_payment, record_payment

logger = logging.getLogger(__name__)

NOTIFICATION_EVENT = "payment.gateway_notification"
# Snap keeps a payment page for a day; past the deadline the buyer still gets this long.
SNAP_MIN_MINUTES = 15
SNAP_MAX_MINUTES = 24 * 60


class NothingToPay(DomainError):
    code = "nothing_to_pay"
    http_status = 409
    default_message = gettext_lazy("There is nothing to pay on this order right now.")


@dataclass(frozen=True)
class NotificationResult:
    """`outcome`: recorded (money applied), review (waiting for the seller), noted (audit
    only; `already_paid` when the gateway had paid the expected payment with another
    transaction), duplicate (seen before, nothing written) or ignored (unknown order id)."""

    outcome: str
    payment: Payment | None = None


def midtrans_order_id(order: Order, expected: ExpectedPayment) -> str:
    """The order id Midtrans knows this expected payment by."""
    return f"{order.code}-{expected.pk}"


def _find(shop: Shop, order_id: str) -> tuple[Order | None, ExpectedPayment | None]:
    parts = split_order_id(order_id)
    if parts is None:
        return None, None
    code, expected_id = parts
    expected = (
        ExpectedPayment.objects.select_related("order")
        .filter(pk=expected_id, shop=shop, order__code=code)
        .first()
    )
    if expected is None:
        return None, None
    return expected.order, expected


def _seen(shop: Shop, notification: Notification) -> bool:
    return AuditEvent.objects.filter(
        shop_id=shop.pk,
        action=NOTIFICATION_EVENT,
        data__transaction_id=notification.transaction_id,
        data__transaction_status=notification.transaction_status,
        data__fraud_status=notification.fraud_status,
    ).exists()


def _review_reason(
    order: Order, expected: ExpectedPayment, notification: Notification, action: Action
) -> str | None:
    """Why this money must wait for the seller (in the site's language), or None."""
    if order.status == Order.Status.EXPIRED:
        return _("Arrived after the order expired: confirm it or refund it.")
    if order.status == Order.Status.CANCELLED:
        return _("Arrived after the order was cancelled: confirm it or refund it.")
    if expected.status == ExpectedPayment.Status.PAID:
        return _("This amount was already paid: the buyer may have paid twice.")
    if expected.status != ExpectedPayment.Status.OPEN:
        return _("The payment it was for was replaced (the order changed): check the amount.")
    if notification.currency not in ("", "IDR"):
        return _("Paid in %(currency)s, not rupiah.") % {"currency": notification.currency}
    if notification.amount != expected.amount:
        return _("Midtrans reported %(paid)s; the order asked for %(asked)s.") % {
            "paid": format_rupiah(notification.amount),
            "asked": format_rupiah(expected.amount),
        }
    if action is Action.REVIEW:
        return _(
            "Midtrans' fraud detection challenged this card payment: approve or deny it in "
            "the Midtrans dashboard, then confirm or reject it here."
        )
    return None


def _hold_for_review(
    order: Order, expected: ExpectedPayment, notification: Notification, note: str, now: datetime
) -> Payment:
    amount = notification.amount
    payment = Payment.objects.create(
        shop_id=order.shop_id,
        order=order,
        expected_payment=expected,
        amount=amount,
        # Same rule as recorded payments: the kode unik only identified the money.
        unique_code=expected.unique_code if amount >= expected.amount else 0,
        status=Payment.Status.CLAIMED,
        source=Payment.Source.GATEWAY,
        gateway_reference=notification.transaction_id,
        received_at=notification.paid_at(now),
        created_at=now,
        note=f"Midtrans: {note}",
    )
    if expected.status == ExpectedPayment.Status.OPEN:
        # Money may be on its way: the order waits for the seller instead of expiring.
        ExpectedPayment.objects.filter(pk=expected.pk, claimed_at__isnull=True).update(
            claimed_at=now
        )
    audit_event(
        action="payment.claimed",
        subject=order,
        shop_id=order.shop_id,
        actor_label="midtrans",
        at=now,
        data={"payment": payment.pk, "amount": amount, "reason": note},
    )
    return payment


def _apply(
    order: Order, expected: ExpectedPayment, notification: Notification, now: datetime
) -> NotificationResult:
    """Under the order's lock: a payment, confirmed or for review, or nothing new."""
    action = action_for(notification.transaction_status, notification.fraud_status)
    if action is Action.NOTE:
        return NotificationResult("noted")
    existing = Payment.objects.filter(
        shop_id=order.shop_id, gateway_reference=notification.transaction_id
    ).first()
    paid_by_gateway = (
        Payment.objects.filter(expected_payment=expected, source=Payment.Source.GATEWAY)
        .filter(status=Payment.Status.CONFIRMED)
        .exclude(gateway_reference=notification.transaction_id)
        .first()
    )
    if existing is None and paid_by_gateway is not None:
        # Midtrans takes one payment per order id; a second one is a replay, never new money.
        return NotificationResult("already_paid", paid_by_gateway)
    reason = _review_reason(order, expected, notification, action)
    if existing is not None:
        # The same transaction again under a new status: a challenged card payment that the
        # seller approved in Midtrans now settles; anything else is already in the books.
        if existing.status == Payment.Status.CLAIMED and action is Action.RECORD and not reason:
            return NotificationResult("recorded", confirm_payment(payment=existing, now=now))
        return NotificationResult("noted", existing)
    if reason:
        return NotificationResult(
            "review", _hold_for_review(order, expected, notification, reason, now)
        )
    payment = record_payment(
        order=order,
        amount=notification.amount,
        source=Payment.Source.GATEWAY,
        gateway_reference=notification.transaction_id,
        expected_payment=expected,
        received_at=notification.paid_at(now),
        note=f"Midtrans {notification.payment_type}".strip(),
        now=now,
    )
    return NotificationResult("recorded", payment)


def handle_midtrans_notification(
    *, shop: Shop, payload: object, now: datetime | None = None
) -> NotificationResult:
    """Apply one Midtrans HTTP notification to the shop's books (see the module's rules).
    Raises GatewayOff (Midtrans is off for the shop), InvalidNotification, a
    RefusedNotification (BadSignature, BadAmount, StatusMismatch, Unconfirmed; kept on the
    shop's audit trail) or StatusCheckUnavailable (nothing written)."""
    now = now or timezone.now()
    if not shop.midtrans_server_key:
        raise GatewayOff()
    try:
        notification = parse_notification(payload, server_key=shop.midtrans_server_key)
        order, expected = _find(shop, notification.order_id)
        action = action_for(notification.transaction_status, notification.fraud_status)
        if order is not None and action is not Action.NOTE and not _seen(shop, notification):
            # Outside the transaction: no row waits on Midtrans' answer.
            notification = _confirmed(shop, notification)
    except RefusedNotification as error:
        refusals.keep_refusal(shop=shop, payload=payload, error=error, now=now)
        raise
    return _handle(shop, notification, order, expected, now)


def _confirmed(shop: Shop, notification: Notification) -> Notification:
    """The notification as Midtrans' Get Status API tells it; Unconfirmed when its
    transaction id, status or amount differ (or Midtrans does not know the transaction)."""
    status = get_transaction_status(
        server_key=shop.midtrans_server_key, order_id=notification.order_id
    )
    if status is None:
        raise UnknownTransaction()
    if (
        status.order_id,
        status.transaction_id,
        status.transaction_status,
        status.gross_amount,
    ) != (
        notification.order_id,
        notification.transaction_id,
        notification.transaction_status,
        notification.gross_amount,
    ):
        raise Unconfirmed(
            confirmed_status=status.transaction_status,
            confirmed_amount=status.gross_amount,
            confirmed_transaction_id=status.transaction_id,
        )
    return dataclasses.replace(
        notification,
        status_code=status.status_code,
        fraud_status=status.fraud_status,
        payment_type=status.payment_type or notification.payment_type,
        currency=status.currency or notification.currency,
        transaction_time=status.transaction_time or notification.transaction_time,
        settlement_time=status.settlement_time or notification.settlement_time,
    )


@transaction.atomic
def _handle(
    shop: Shop,
    notification: Notification,
    order: Order | None,
    expected: ExpectedPayment | None,
    now: datetime,
) -> NotificationResult:
    if order is not None:
        # Repeated notifications queue here, so the second finds the first one's event.
        order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        expected.refresh_from_db()
    if _seen(shop, notification):
        return NotificationResult("duplicate")
    with translation.override(settings.LANGUAGE_CODE):
        if order is None:
            result = NotificationResult("ignored")
        else:
            result = _apply(order, expected, notification, now)
    audit_event(
        action=NOTIFICATION_EVENT,
        subject=order or shop,
        shop_id=shop.pk,
        actor_label="midtrans",
        at=now,
        data={
            **notification.summary(),
            "outcome": result.outcome,
            "payment": result.payment.pk if result.payment else None,
        },
    )
    return result


def _snap_body(order: Order, expected: ExpectedPayment, finish_url: str, now: datetime) -> dict:
    minutes_left = int((expected.due_at - now) / timedelta(minutes=1))
    customer = {"first_name": order.buyer_name[:50], "phone": order.buyer_phone}
    if order.buyer_email:
        customer["email"] = order.buyer_email
    return {
        "transaction_details": {
            "order_id": midtrans_order_id(order, expected),
            "gross_amount": expected.amount,
        },
        # One line for the whole amount: Midtrans wants the items to add up to it exactly.
        "item_details": [
            {
                "id": order.code,
                "price": expected.amount,
                "quantity": 1,
                "name": f"{order.code} {order.campaign.title}"[:50],
            }
        ],
        "customer_details": customer,
        "callbacks": {"finish": finish_url},
        "expiry": {
            "start_time": timezone.localtime(now, order.shop.tzinfo).strftime(
                "%Y-%m-%d %H:%M:%S %z"
            ),
            "unit": "minutes",
            "duration": min(max(minutes_left, SNAP_MIN_MINUTES), SNAP_MAX_MINUTES),
        },
    }


def start_midtrans_payment(*, order: Order, finish_url: str, now: datetime | None = None) -> str:
    """The Snap payment page for the order's open expected payment (made once per expected
    payment and kept a while, so a second tap opens the same page). Raises GatewayOff,
    NothingToPay, or GatewayUnavailable when Snap refuses or cannot be reached."""
    now = now or timezone.now()
    shop = order.shop
    if not shop.midtrans_server_key:
        raise GatewayOff()
    expected = order.open_expected_payment
    if order.status != Order.Status.ACTIVE or expected is None:
        raise NothingToPay()
    order_id = midtrans_order_id(order, expected)
    key_id = hashlib.sha256(shop.midtrans_server_key.encode()).hexdigest()[:12]
    cache_key = f"midtrans-snap:{shop.pk}:{key_id}:{order_id}"
    try:
        if url := cache.get(cache_key):
            return url
    except Exception:  # a broken cache only costs a second Snap call
        logger.exception("cache read failed for %s", cache_key)
    body = _snap_body(order, expected, finish_url, now)
    snap = create_snap_transaction(server_key=shop.midtrans_server_key, body=body)
    try:
        cache.set(cache_key, snap.redirect_url, timeout=body["expiry"]["duration"] * 60)
    except Exception:
        logger.exception("cache write failed for %s", cache_key)
    audit_event(
        action="payment.gateway_started",
        subject=order,
        shop_id=shop.pk,
        actor_label="buyer",
        at=now,
        data={"order_id": order_id, "amount": expected.amount},
    )
    return snap.redirect_url
