"""Recording money on an order: a claim confirmed or rejected, short and over-payments, a DP
followed by its settlement, refunds. `Order.amount_paid` is always the credited money of the
confirmed payments (the kode unik only identifies a transfer) minus the refunds."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from openpo.catalog.models import Campaign
from openpo.orders.models import Order
from openpo.orders.services import cancel_order
from openpo.orders.services.releasing import expire_order
from openpo.payments.errors import InvalidRefund, PaymentAlreadyDecided
from openpo.payments.models import ExpectedPayment, Payment
from openpo.payments.services.recording import (
    claim_payment,
    confirm_payment,
    record_payment,
    reject_payment,
)
from openpo.payments.services.refunds import record_refund, refund_owed, refunds_due
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(campaign, buyer, now) -> Order:
    return factories.order(campaign, buyer=buyer, now=now)


def _fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_a_claim_confirmed_makes_the_order_paid_without_counting_the_kode_unik(order, alice):
    expected = order.open_expected_payment
    payment = claim_payment(order=order)
    assert payment.status == Payment.Status.CLAIMED
    assert payment.amount == expected.amount

    confirm_payment(payment=payment, actor=alice)

    order = _fresh(order)
    payment.refresh_from_db()
    assert (payment.status, payment.decided_by) == (Payment.Status.CONFIRMED, alice)
    assert payment.credited == order.total == 135_000
    assert order.amount_paid == order.total
    assert order.payment_status == Order.PaymentStatus.PAID
    assert (order.amount_outstanding, order.amount_overpaid) == (0, 0)
    assert ExpectedPayment.objects.get(pk=expected.pk).status == ExpectedPayment.Status.PAID
    assert order.open_expected_payment is None
    assert not refunds_due(Order.objects.filter(pk=order.pk)).exists()


def test_a_short_transfer_leaves_the_order_partly_paid_with_a_new_amount_for_the_rest(order, alice):
    first = order.open_expected_payment
    payment = claim_payment(order=order)

    confirm_payment(payment=payment, actor=alice, amount=100_000)

    order = _fresh(order)
    assert order.amount_paid == 100_000
    assert order.payment_status == Order.PaymentStatus.PARTIAL
    assert order.amount_outstanding == 35_000
    rest = order.open_expected_payment
    assert rest.pk != first.pk
    assert rest.base_amount == 35_000
    assert rest.amount == 35_000 + rest.unique_code and rest.unique_code >= 1


def test_an_over_payment_is_shown_as_money_to_give_back(order, alice):
    payment = claim_payment(order=order)
    sent = order.open_expected_payment.amount + 10_000

    confirm_payment(payment=payment, actor=alice, amount=sent, allow_overpayment=True)

    order = _fresh(order)
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.amount_overpaid == 10_000
    assert refund_owed(order) == 10_000
    assert list(refunds_due(Order.objects.all())) == [order]


def test_a_down_payment_then_asks_for_the_settlement_by_the_pos_settlement_date(
    shop, buyer, now, alice
):
    settles_on = (now + timedelta(days=30)).date()
    campaign = factories.dp_campaign(shop, now=now, settlement_due_on=settles_on)
    order = factories.order(campaign, buyer=buyer, now=now)
    deposit = order.open_expected_payment
    assert (deposit.kind, deposit.base_amount) == (ExpectedPayment.Kind.DEPOSIT, 67_500)

    record_payment(
        order=order,
        amount=deposit.amount,
        source=Payment.Source.STATEMENT,
        expected_payment=deposit,
        now=now,
    )

    order = _fresh(order)
    assert order.amount_paid == 67_500
    assert order.payment_status == Order.PaymentStatus.DEPOSIT_PAID
    settlement = order.open_expected_payment
    assert settlement.kind == ExpectedPayment.Kind.SETTLEMENT
    assert settlement.base_amount == order.total - 67_500 == 67_500
    assert settlement.pk != deposit.pk
    assert settlement.amount == settlement.base_amount + settlement.unique_code
    local_due = timezone.localtime(settlement.due_at, shop.tzinfo)
    assert (local_due.date(), local_due.time()) == (settles_on, time(23, 59))

    record_payment(
        order=order,
        amount=settlement.amount,
        source=Payment.Source.STATEMENT,
        expected_payment=settlement,
        now=now,
    )
    order = _fresh(order)
    assert (order.amount_paid, order.payment_status) == (order.total, Order.PaymentStatus.PAID)


def test_a_rejected_claim_keeps_the_reason_and_the_order_can_expire_again(order, alice, now):
    payment = claim_payment(order=order, now=now)
    assert order.expected_payments.get().claimed_at is not None
    late = order.payment_deadline + timedelta(minutes=1)
    assert expire_order(order=order, now=late).status == Order.Status.ACTIVE  # proof waits

    reject_payment(payment=payment, reason="  Belum ada dana masuk  ", actor=alice)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REJECTED
    assert payment.reject_reason == "Belum ada dana masuk"
    assert order.expected_payments.get().claimed_at is None
    assert _fresh(order).amount_paid == 0
    assert expire_order(order=order, now=late).status == Order.Status.EXPIRED


def test_a_payment_is_decided_once(order, alice):
    payment = claim_payment(order=order)
    confirm_payment(payment=payment, actor=alice)

    with pytest.raises(PaymentAlreadyDecided):
        confirm_payment(payment=payment, actor=alice)
    with pytest.raises(PaymentAlreadyDecided):
        reject_payment(payment=payment, reason="salah", actor=alice)
    assert _fresh(order).amount_paid == order.total


def test_a_refund_cannot_exceed_what_was_paid(order, alice):
    record_payment(order=order, amount=50_000, source=Payment.Source.MANUAL, actor=alice)

    with pytest.raises(InvalidRefund) as error:
        record_refund(order=order, amount=50_001, note="tunai", actor=alice)

    assert "amount" in error.value.field_errors
    assert _fresh(order).amount_paid == 50_000
    assert not order.refunds.exists()


def test_a_refund_lowers_the_paid_amount_and_a_full_one_marks_the_order_refunded(order, alice, now):
    payment = claim_payment(order=order)
    confirm_payment(payment=payment, actor=alice)
    cancel_order(order=order, reason="buyer asked", actor=alice, now=now)
    order = _fresh(order)
    assert refund_owed(order) == order.total

    record_refund(order=order, amount=35_000, note="sebagian", actor=alice)
    order = _fresh(order)
    assert (order.amount_paid, order.amount_refunded) == (100_000, 35_000)
    assert refund_owed(order) == 100_000

    record_refund(order=order, amount=100_000, note="sisanya", actor=alice)
    order = _fresh(order)
    assert (order.amount_paid, order.amount_refunded) == (0, order.total)
    assert order.payment_status == Order.PaymentStatus.REFUNDED
    assert not refunds_due(Order.objects.filter(pk=order.pk)).exists()


def test_cash_recorded_by_the_seller_counts_at_once(order, alice):
    record_payment(
        order=order,
        amount=order.total,
        source=Payment.Source.MANUAL,
        note="Tunai di toko",
        actor=alice,
    )
    payment = order.payments.get()
    assert (payment.status, payment.source, payment.note) == (
        "confirmed",
        "manual",
        "Tunai di toko",
    )
    assert _fresh(order).payment_status == Order.PaymentStatus.PAID


def test_the_settlement_window_without_a_date_is_two_weeks(shop, buyer, now):
    campaign = make_campaign(
        shop, now=now, payment_policy=Campaign.PaymentPolicy.DEPOSIT, deposit_percent=30
    )
    order = factories.order(campaign, buyer=buyer, now=now)
    record_payment(order=order, amount=order.deposit_due, source="manual", now=now)
    settlement = _fresh(order).open_expected_payment
    assert settlement.kind == "settlement"
    assert settlement.due_at == now + timedelta(days=14)
