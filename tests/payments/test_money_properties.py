"""Property-based test of money and quota (issue 5, "Done when").

Hypothesis drives random sequences of what happens to a shop's orders — orders placed, proofs
claimed, claims confirmed (with the right amount, less or more) or rejected, payments recorded by
the seller or found in a bank statement, refunds, cancellations, and the clock running past
payment deadlines while the expiry job runs — and after every step checks the books:

- each order's `amount_paid` is its confirmed payments' credited amounts (kode unik left out)
  minus its refunds, `amount_refunded` is its refunds, and its payment status fits the amounts;
- each variant's `reserved_units` (and the campaign's) are the units of its live orders;
- no two open expected payments of the shop ask for the same amount, and no order has two.

Every example builds on the same shop and campaigns inside a savepoint that is rolled back
afterwards, so examples never see each other. OPENPO_MONEY_EXAMPLES and OPENPO_MONEY_STEPS
make a longer hunt.
"""

import contextlib
import os
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from openpo.catalog.models import Campaign, Variant
from openpo.core.errors import DomainError
from openpo.orders.models import Order, OrderLine
from openpo.orders.services import BuyerDetails, cancel_order, expire_due_orders, place_order
from openpo.payments.errors import OverpaymentNotConfirmed
from openpo.payments.models import ExpectedPayment, Payment, Refund
from openpo.payments.services import (
    claim_payment,
    confirm_payment,
    record_payment,
    record_refund,
    reject_payment,
)
from tests.conftest import make_campaign

# A longer hunt: OPENPO_MONEY_EXAMPLES=2000 OPENPO_MONEY_STEPS=50 pytest tests/payments/...
EXAMPLES = int(os.environ.get("OPENPO_MONEY_EXAMPLES", "60"))
STEPS = int(os.environ.get("OPENPO_MONEY_STEPS", "25"))

PAY = Order.PaymentStatus
BUYERS = [
    BuyerDetails(address="Jl. Melati 2", name=name, phone=phone)
    for name, phone in [
        ("Sari", "0813 2222 3333"),
        ("Budi", "0812 4444 5555"),
        ("Dewi", "0857 6666 7777"),
    ]
]
# Small quotas so orders sell out, and one unlimited variant.
QUOTAS = (4, None, 3)


def _run_settings() -> settings:
    """60 sequences of up to 25 steps by default (about 20 s on SQLite)."""
    return settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _kept(payment: Payment, amount: int) -> int:
    """The kode unik a confirmation with `amount` keeps (only a full transfer carries it)."""
    expected = payment.expected_payment
    return expected.unique_code if expected and amount >= expected.amount else 0


def expected_payment_status(order: Order, takes_deposit: bool) -> str:
    """What the payment status must be, read from the amounts alone."""
    net, refunded = order.amount_paid, order.amount_refunded
    if net <= 0:
        return PAY.REFUNDED if refunded else PAY.UNPAID
    if net >= order.total:
        return PAY.PAID
    if takes_deposit and net >= order.deposit_due:
        return PAY.DEPOSIT_PAID
    return PAY.PARTIAL


class MoneyAndQuota(RuleBasedStateMachine):
    """One shop with a full-payment PO and a DP PO; the world is set on the class by the test."""

    world: dict = {}

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.shop = self.world["shop"]
        self.campaigns: list[Campaign] = self.world["campaigns"]
        self.clock = self.world["now"]
        self.seller = self.world["seller"]
        self.steps = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------

    def _tick(self, minutes: int = 7) -> None:
        self.clock += timedelta(minutes=minutes)

    def _orders(self) -> list[Order]:
        return list(Order.objects.filter(shop=self.shop).order_by("pk"))

    def _pick(self, rows: list, index: int):
        return rows[index % len(rows)] if rows else None

    # --- steps -----------------------------------------------------------------------------

    @rule(
        which=st.integers(0, 1),
        buyer=st.integers(0, len(BUYERS) - 1),
        quantities=st.lists(st.integers(0, 3), min_size=len(QUOTAS), max_size=len(QUOTAS)),
    )
    def place(self, which, buyer, quantities):
        self._tick()
        campaign = Campaign.objects.get(pk=self.campaigns[which].pk)
        variants = list(campaign.variants.order_by("position"))
        items = {v.pk: q for v, q in zip(variants, quantities, strict=True)}
        # Sold out or nothing chosen is an answer, not a failure.
        with contextlib.suppress(DomainError):
            place_order(
                campaign=campaign,
                buyer=BUYERS[buyer],
                items=items,
                channel=Order.Channel.MANUAL,
                now=self.clock,
            )

    @rule(index=st.integers(0, 50))
    def claim(self, index):
        self._tick()
        order = self._pick(self._orders(), index)
        if order:
            claim_payment(order=order, now=self.clock)

    # Amounts are drawn from fixed ranges and folded into what the moment allows: the kode unik
    # is random, so a range bounded by an amount would differ between runs of one example.
    @rule(
        index=st.integers(0, 50),
        how=st.sampled_from(["exact", "less", "more"]),
        delta=st.integers(1, 200_000),
        consent=st.booleans(),
    )
    def confirm(self, index, how, delta, consent):
        self._tick()
        claimed = list(Payment.objects.filter(status=Payment.Status.CLAIMED).order_by("pk"))
        payment = self._pick(claimed, index)
        if payment is None:
            return
        amount = None
        if how == "less" and payment.amount > 1:
            amount = 1 + delta % (payment.amount - 1)
        elif how == "more":
            amount = payment.amount + delta
        order = Order.objects.get(pk=payment.order_id)
        try:
            confirm_payment(
                payment=payment,
                amount=amount,
                allow_overpayment=consent,
                actor=self.seller,
                now=self.clock,
            )
        except OverpaymentNotConfirmed:
            # Refused only when it really would over-pay a live order, and nothing changed.
            assert not consent and order.status == Order.Status.ACTIVE
            credited = (amount or payment.amount) - (
                payment.unique_code if amount is None else _kept(payment, amount)
            )
            assert order.amount_paid + credited > order.total
            assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CLAIMED

    @rule(index=st.integers(0, 50))
    def reject(self, index):
        self._tick()
        claimed = list(Payment.objects.filter(status=Payment.Status.CLAIMED).order_by("pk"))
        payment = self._pick(claimed, index)
        if payment:
            reject_payment(payment=payment, reason="Belum masuk", actor=self.seller, now=self.clock)

    @rule(index=st.integers(0, 50), amount=st.integers(1, 400_000), consent=st.booleans())
    def record_manual(self, index, amount, consent):
        self._tick()
        order = self._pick(self._orders(), index)
        if order:
            before = Payment.objects.count()
            try:
                record_payment(
                    order=order,
                    amount=amount,
                    source=Payment.Source.MANUAL,
                    allow_overpayment=consent,
                    actor=self.seller,
                    now=self.clock,
                )
            except OverpaymentNotConfirmed:
                assert not consent and order.amount_paid + amount > order.total
                assert Payment.objects.count() == before

    @rule(index=st.integers(0, 50))
    def record_from_statement(self, index):
        self._tick()
        open_ones = list(
            ExpectedPayment.objects.filter(status=ExpectedPayment.Status.OPEN)
            .select_related("order")
            .order_by("pk")
        )
        expected = self._pick(open_ones, index)
        if expected:
            record_payment(
                order=expected.order,
                amount=expected.amount,
                source=Payment.Source.STATEMENT,
                expected_payment=expected,
                now=self.clock,
            )

    @rule(index=st.integers(0, 50), share=st.integers(0, 1_000_000))
    def refund(self, index, share):
        self._tick()
        paid = list(Order.objects.filter(shop=self.shop, amount_paid__gt=0).order_by("pk"))
        order = self._pick(paid, index)
        if order:
            amount = 1 + share % order.amount_paid  # 1 … all that was paid
            record_refund(order=order, amount=amount, actor=self.seller, now=self.clock)

    @rule(index=st.integers(0, 50))
    def cancel(self, index):
        self._tick()
        order = self._pick(self._orders(), index)
        if order:
            cancel_order(order=order, reason="Batal", actor=self.seller, now=self.clock)

    @rule(hours=st.integers(1, 30))
    def expire_due(self, hours):
        self.clock += timedelta(hours=hours)
        expire_due_orders(now=self.clock)

    # --- the books after every step --------------------------------------------------------
    # A handful of plain reads summed up in Python: the check runs after every step.

    @invariant()
    def books_balance(self):
        takes_deposit = {c.pk: c.takes_deposit for c in self.campaigns}
        credited: dict[int, int] = defaultdict(int)
        for order_id, amount, code in (
            Payment.objects.filter(shop=self.shop, status=Payment.Status.CONFIRMED)
            .order_by()
            .values_list("order_id", "amount", "unique_code")
        ):
            credited[order_id] += amount - code
        refunded: dict[int, int] = defaultdict(int)
        for order_id, amount in (
            Refund.objects.filter(shop=self.shop).order_by().values_list("order_id", "amount")
        ):
            refunded[order_id] += amount
        live_units: dict[int, int] = defaultdict(int)
        for order in Order.objects.filter(shop=self.shop).order_by():
            paid_in, out = credited[order.pk], refunded[order.pk]
            assert order.amount_paid == paid_in - out, (order.code, order.amount_paid, paid_in, out)
            assert order.amount_refunded == out, (order.code, order.amount_refunded, out)
            status = expected_payment_status(order, takes_deposit[order.campaign_id])
            assert order.payment_status == status, (order.code, order.payment_status, status)
            if order.status == Order.Status.ACTIVE:
                live_units[order.campaign_id] += order.units

        # Quota: each variant and campaign holds exactly the units of its live orders.
        lines: dict[int, int] = defaultdict(int)
        for variant_id, quantity in (
            OrderLine.objects.filter(order__shop=self.shop, order__status=Order.Status.ACTIVE)
            .order_by()
            .values_list("variant_id", "quantity")
        ):
            lines[variant_id] += quantity
        for pk, reserved in (
            Variant.objects.filter(campaign__shop=self.shop)
            .order_by()
            .values_list("pk", "reserved_units")
        ):
            assert reserved == lines[pk], ("variant", pk, reserved, lines[pk])
        for pk, reserved in (
            Campaign.objects.filter(shop=self.shop).order_by().values_list("pk", "reserved_units")
        ):
            assert reserved == live_units[pk], ("campaign", pk, reserved, live_units[pk])

        # Transfer amounts: unique among open ones, one per order, none for dead orders.
        open_ones = list(
            ExpectedPayment.objects.filter(shop=self.shop, status=ExpectedPayment.Status.OPEN)
            .order_by()
            .values_list("order_id", "amount", "order__status")
        )
        amounts = Counter(amount for _order, amount, _status in open_ones)
        per_order = Counter(order for order, _amount, _status in open_ones)
        assert not [a for a, n in amounts.items() if n > 1], amounts
        assert not [o for o, n in per_order.items() if n > 1], per_order
        assert all(status == Order.Status.ACTIVE for _o, _a, status in open_ones), open_ones


@pytest.mark.django_db
def test_money_and_quota_add_up_after_every_step(shop, alice):
    now = timezone.now()
    full = make_campaign(
        shop, now=now, quotas=QUOTAS, closes_at=now + timedelta(days=30), title="PO Lunas"
    )
    deposit = make_campaign(
        shop,
        now=now,
        quotas=QUOTAS,
        closes_at=now + timedelta(days=30),
        title="PO DP",
        payment_policy=Campaign.PaymentPolicy.DEPOSIT,
        deposit_percent=30,
    )
    MoneyAndQuota.world = {
        "shop": shop,
        "campaigns": [full, deposit],
        "now": now,
        "seller": alice,
    }
    run_state_machine_as_test(MoneyAndQuota, settings=_run_settings())
