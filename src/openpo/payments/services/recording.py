"""Recording money on orders: payments claimed, confirmed and rejected, refunds paid out, and
what follows from them on the order.

`Order.amount_paid` is always confirmed payments minus refunds, recomputed from those rows
(never incremented) while the order row is locked, so two confirmations at once cannot lose
one. After each change the order's next expected payment follows: the rest of a short
transfer, or the settlement ("pelunasan") after a DP, each with its own unique amount.

Extra charges added after the PO closed (`payments.services.charges`) are expected payments of
their own (kind "extra") beside the order's steps: the steps ask for the order's own part
(`total - extra_charges`) less what was paid beyond the extra charges already paid, so what
all open expected payments ask for together is what the order still owes.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.core.audit import audit_event
from openpo.core.money import amount_problem, format_rupiah
from openpo.hooks import events as hook_events
from openpo.messaging import events as message_events
from openpo.orders.models import Order
from openpo.payments.errors import (
    InvalidPayment,
    OverpaymentNotConfirmed,
    PaymentAlreadyDecided,
)
from openpo.payments.models import (
    ExpectedPayment,
    Payment,
    PaymentProof,
    Refund,
    StatementLine,
)
from openpo.payments.unique_codes import NoFreeUniqueCode, draw_unique_code

# Without a settlement date on the PO, the rest of a DP is due this long after the DP.
SETTLEMENT_WINDOW = timedelta(days=14)
MAX_CODE_ATTEMPTS = 8


def _locked(order: Order) -> Order:
    """The order, read again under a row lock (SQLite: the write transaction is the lock)."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("campaign", "shop")
        .get(pk=order.pk)
    )


def _extra_charges_paid(order: Order) -> int:
    """What the order's paid extra charges asked for (their amounts before the kode unik)."""
    if not order.extra_charges:
        return 0
    return (
        ExpectedPayment.objects.filter(
            order=order, kind=ExpectedPayment.Kind.EXTRA, status=ExpectedPayment.Status.PAID
        ).aggregate(total=Sum("base_amount"))["total"]
        or 0
    )


def _payment_status(order: Order, net: int, refunded: int, extras_paid: int = 0) -> str:
    if net <= 0:
        return Order.PaymentStatus.REFUNDED if refunded else Order.PaymentStatus.UNPAID
    if net >= order.total:
        return Order.PaymentStatus.PAID
    # "DP received" only while the order's own settlement is still to come: an open extra
    # charge on a settled order leaves it partly paid.
    own_paid, own_total = net - extras_paid, order.total - order.extra_charges
    if order.campaign.takes_deposit and order.deposit_due <= own_paid < own_total:
        return Order.PaymentStatus.DEPOSIT_PAID
    return Order.PaymentStatus.PARTIAL


def _settlement_due(order: Order, now: datetime) -> datetime:
    campaign = order.campaign
    if campaign.settlement_due_on:
        end_of_day = datetime.combine(campaign.settlement_due_on, time(23, 59))
        return max(timezone.make_aware(end_of_day, order.shop.tzinfo), now + timedelta(hours=1))
    return now + SETTLEMENT_WINDOW


def _next_due(
    order: Order, now: datetime, extras_paid: int = 0
) -> tuple[str, int, datetime] | None:
    """What the buyer should transfer next for the order's own part (kind, base amount,
    due), or None. Extra charges have expected payments of their own, so the own part is the
    total without them, and money paid on them (`extras_paid`) does not pay it."""
    own_total = order.total - order.extra_charges
    own_paid = order.amount_paid - extras_paid
    if order.status != Order.Status.ACTIVE or own_paid >= own_total:
        return None
    takes_deposit = order.campaign.takes_deposit
    if takes_deposit and own_paid >= order.deposit_due:
        return (
            ExpectedPayment.Kind.SETTLEMENT,
            own_total - own_paid,
            _settlement_due(order, now),
        )
    first_due = order.deposit_due if takes_deposit else own_total
    kind = ExpectedPayment.Kind.DEPOSIT if takes_deposit else ExpectedPayment.Kind.FULL
    due = order.payment_deadline
    if own_paid > 0 and due <= now:
        # A short transfer arrived in time: give the rest one more payment window.
        due = now + timedelta(hours=order.campaign.payment_window_hours)
    return kind, first_due - own_paid, due


def _settle_extra_charges(order: Order) -> None:
    """Open extra charges follow the order: none is due from an order that no longer goes on
    (void), and one whose money the order already holds (paid in full by other transfers) is
    paid."""
    if not order.extra_charges:
        return
    open_extras = ExpectedPayment.objects.filter(
        order=order, kind=ExpectedPayment.Kind.EXTRA, status=ExpectedPayment.Status.OPEN
    )
    if order.status != Order.Status.ACTIVE:
        open_extras.update(status=ExpectedPayment.Status.VOID)
    elif order.amount_paid >= order.total:
        open_extras.update(status=ExpectedPayment.Status.PAID)


def _open_next_expected_payment(
    order: Order, now: datetime, extras_paid: int = 0
) -> ExpectedPayment | None:
    """Keep the open expected payment of the order's own part if it still asks for the right
    amount; otherwise void it and open the right one (or none when nothing more is due).
    Extra charges are left alone."""
    due = _next_due(order, now, extras_paid)
    open_ones = ExpectedPayment.objects.filter(
        order=order, status=ExpectedPayment.Status.OPEN
    ).exclude(kind=ExpectedPayment.Kind.EXTRA)
    current = open_ones.first()
    if due and current and (current.kind, current.base_amount) == due[:2]:
        return current
    open_ones.update(status=ExpectedPayment.Status.VOID)
    if not due:
        return None
    kind, base, due_at = due
    for _attempt in range(MAX_CODE_ATTEMPTS):
        try:
            code = draw_unique_code(shop_id=order.shop_id, base_amount=base)
        except NoFreeUniqueCode:
            return None  # the seller still sees the amount outstanding on the order
        try:
            with transaction.atomic():
                return ExpectedPayment.objects.create(
                    shop_id=order.shop_id,
                    order=order,
                    kind=kind,
                    base_amount=base,
                    unique_code=code,
                    amount=base + code,
                    due_at=due_at,
                    created_at=now,
                )
        except IntegrityError:
            continue  # a concurrent order took this amount: draw again
    return None


def settle_order(*, order: Order, now: datetime | None = None) -> Order:
    """Recompute the order's paid and refunded amounts and payment status from its payments
    and refunds, and open its next expected payment. Call inside the caller's transaction
    with the order locked (the services below do)."""
    now = now or timezone.now()
    confirmed = (
        Payment.objects.filter(order=order, status=Payment.Status.CONFIRMED).aggregate(
            total=Sum(F("amount") - F("unique_code"))
        )["total"]
        or 0
    )
    refunded = Refund.objects.filter(order=order).aggregate(total=Sum("amount"))["total"] or 0
    net = confirmed - refunded
    order.amount_paid = net
    _settle_extra_charges(order)
    extras_paid = _extra_charges_paid(order)
    status = _payment_status(order, net, refunded, extras_paid)
    was_paid = order.payment_status == Order.PaymentStatus.PAID
    Order.objects.filter(pk=order.pk).update(
        amount_paid=net, amount_refunded=refunded, payment_status=status, updated_at=now
    )
    order.amount_paid, order.amount_refunded, order.payment_status = net, refunded, status
    if status == Order.PaymentStatus.PAID and not was_paid:
        hook_events.order_paid(order, now)
    order.__dict__.pop("open_expected_payment", None)
    _open_next_expected_payment(order, now, extras_paid)
    return order


def _code_kept(expected: ExpectedPayment | None, amount: int) -> int:
    """The kode unik inside `amount`, when the buyer transferred it (amount ≥ the exact one)."""
    if expected is None or amount < expected.amount:
        return 0
    return expected.unique_code


def _check_amount(amount: int) -> None:
    if amount < 1:
        raise InvalidPayment(field_errors={"amount": [_("Enter the amount that arrived.")]})
    if problem := amount_problem(amount):
        raise InvalidPayment(field_errors={"amount": [problem]})


def _refuse_unconfirmed_overpayment(order: Order, credited: int) -> None:
    """Counting `credited` more must not over-pay the order unless the seller said it did."""
    owed = max(0, order.total - order.amount_paid)
    if credited <= owed:
        return
    extra = format_rupiah(credited - owed)
    if owed == 0:
        raise OverpaymentNotConfirmed(OverpaymentNotConfirmed.already_paid, extra=extra)
    raise OverpaymentNotConfirmed(extra=extra, owed=format_rupiah(owed))


def _close_expected(payment: Payment) -> None:
    if payment.expected_payment_id:
        ExpectedPayment.objects.filter(
            pk=payment.expected_payment_id, status=ExpectedPayment.Status.OPEN
        ).update(status=ExpectedPayment.Status.PAID)


@transaction.atomic
def claim_payment(
    *,
    order: Order,
    proof: PaymentProof | None = None,
    expected_payment: ExpectedPayment | None = None,
    now: datetime | None = None,
) -> Payment | None:
    """The buyer says they paid the open expected payment (or `expected_payment`, one of the
    order's open extra charges; a proof was uploaded): a payment waiting for the seller's check.
    A proof sent while an earlier claim on the same payment still waits joins that claim, so one
    transfer is never counted twice. None when nothing is expected now."""
    now = now or timezone.now()
    order = _locked(order)
    waiting = Payment.objects.filter(order=order, status=Payment.Status.CLAIMED)
    if expected_payment is not None:
        # An extra charge is a transfer of its own: only a claim on it is the same transfer.
        waiting = waiting.filter(expected_payment=expected_payment)
        expected_payment = ExpectedPayment.objects.filter(
            pk=expected_payment.pk, order=order, status=ExpectedPayment.Status.OPEN
        ).first()
    waiting = waiting.order_by("id").first()
    if waiting is not None:
        if proof is not None:
            PaymentProof.objects.filter(pk=proof.pk).update(claim=waiting)
            audit_event(
                action="payment.proof_joined",
                subject=order,
                shop_id=order.shop_id,
                actor_label="buyer",
                at=now,
                data={"payment": waiting.pk, "proof": proof.pk},
            )
        return waiting
    expected = expected_payment or order.open_expected_payment
    if expected is None:
        return None
    payment = Payment.objects.create(
        shop_id=order.shop_id,
        order=order,
        expected_payment=expected,
        amount=expected.amount,
        unique_code=expected.unique_code,
        status=Payment.Status.CLAIMED,
        source=Payment.Source.PROOF,
        proof=proof,
        received_at=now,
        created_at=now,
    )
    if proof is not None:
        PaymentProof.objects.filter(pk=proof.pk).update(claim=payment)
    ExpectedPayment.objects.filter(pk=expected.pk, claimed_at__isnull=True).update(claimed_at=now)
    audit_event(
        action="payment.claimed",
        subject=order,
        shop_id=order.shop_id,
        actor_label="buyer",
        at=now,
        data={"payment": payment.pk, "amount": payment.amount},
    )
    return payment


@transaction.atomic
def confirm_payment(
    *,
    payment: Payment,
    actor: AbstractBaseUser | None = None,
    amount: int | None = None,
    allow_overpayment: bool = False,
    now: datetime | None = None,
) -> Payment:
    """The seller saw the money arrive: the claimed payment counts (with the amount that
    really arrived, when it differs). A payment is decided once, and one that would pay the
    order more than it owes (a second proof of one transfer, say) needs `allow_overpayment`."""
    now = now or timezone.now()
    if amount is not None:
        _check_amount(amount)
    order = _locked(payment.order)
    changes = {"status": Payment.Status.CONFIRMED, "decided_at": now, "decided_by": actor}
    if amount is not None:
        changes["amount"] = amount
        changes["unique_code"] = _code_kept(payment.expected_payment, amount)
    if not allow_overpayment and order.status == Order.Status.ACTIVE:
        arrived = changes.get("amount", payment.amount)
        kept = changes.get("unique_code", payment.unique_code)
        if Payment.objects.filter(pk=payment.pk, status=Payment.Status.CLAIMED).exists():
            _refuse_unconfirmed_overpayment(order, arrived - kept)
    if not Payment.objects.filter(pk=payment.pk, status=Payment.Status.CLAIMED).update(**changes):
        raise PaymentAlreadyDecided()
    payment.refresh_from_db()
    _close_expected(payment)
    settle_order(order=order, now=now)
    audit_event(
        action="payment.confirmed",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        at=now,
        data={"payment": payment.pk, "amount": payment.amount},
    )
    message_events.payment_confirmed(payment, now)
    return payment


@transaction.atomic
def reject_payment(
    *,
    payment: Payment,
    reason: str,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Payment:
    """The money did not arrive (or not this money): the claim does not count, and the reason
    is shown to the buyer on their order page."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise InvalidPayment(
            field_errors={"reason": [_("Tell the buyer why, so they can fix it.")]}
        )
    order = _locked(payment.order)
    if not Payment.objects.filter(pk=payment.pk, status=Payment.Status.CLAIMED).update(
        status=Payment.Status.REJECTED, decided_at=now, decided_by=actor, reject_reason=reason
    ):
        raise PaymentAlreadyDecided()
    payment.refresh_from_db()
    if (
        payment.expected_payment_id
        and not Payment.objects.filter(
            expected_payment_id=payment.expected_payment_id, status=Payment.Status.CLAIMED
        ).exists()
    ):
        # Nothing else claims it: the order may expire at its deadline again.
        ExpectedPayment.objects.filter(pk=payment.expected_payment_id).update(claimed_at=None)
    audit_event(
        action="payment.rejected",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        at=now,
        data={"payment": payment.pk, "amount": payment.amount, "reason": reason},
    )
    message_events.payment_rejected(payment, now)
    return payment


@transaction.atomic
def record_payment(
    *,
    order: Order,
    amount: int,
    source: str,
    received_at: datetime | None = None,
    expected_payment: ExpectedPayment | None = None,
    statement_line: StatementLine | None = None,
    gateway_reference: str = "",
    note: str = "",
    allow_overpayment: bool = False,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Payment:
    """A payment known to have arrived (a statement line, a gateway notification, cash the
    seller took): confirmed at once. One gateway reference or statement line is one payment,
    however often it is recorded. Money the seller types (source manual) that would pay the
    order more than it owes needs `allow_overpayment`: a slip of the keyboard is not money."""
    now = now or timezone.now()
    _check_amount(amount)
    # Checked under the order's lock, so a notification repeated at the same instant waits
    # for the first and then finds its payment.
    order = _locked(order)
    if gateway_reference and (
        existing := Payment.objects.filter(
            shop_id=order.shop_id, gateway_reference=gateway_reference
        ).first()
    ):
        return existing
    if statement_line and (
        existing := Payment.objects.filter(statement_line=statement_line).first()
    ):
        return existing
    if source == Payment.Source.MANUAL and not allow_overpayment:
        _refuse_unconfirmed_overpayment(order, amount - _code_kept(expected_payment, amount))
    payment = Payment.objects.create(
        shop_id=order.shop_id,
        order=order,
        expected_payment=expected_payment,
        amount=amount,
        unique_code=_code_kept(expected_payment, amount),
        status=Payment.Status.CONFIRMED,
        source=source,
        statement_line=statement_line,
        gateway_reference=gateway_reference,
        received_at=received_at or now,
        created_at=now,
        decided_at=now,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note.strip(),
    )
    _close_expected(payment)
    settle_order(order=order, now=now)
    audit_event(
        action="payment.recorded",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        actor_label="" if actor else source,
        at=now,
        data={"payment": payment.pk, "amount": amount, "source": source},
    )
    message_events.payment_confirmed(payment, now)
    return payment
