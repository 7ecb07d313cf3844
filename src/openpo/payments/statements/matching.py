"""Matching credit lines to the shop's expected payments, by amount and payment window.

A line matches the OPEN expected payment whose unique amount it equals, when its date lies in
that payment's window (the day before it was created to the day after it was due, in the
shop's time zone). It is `ambiguous` when more than one order could be meant, including orders
whose amount before the kode unik equals the line (the buyer forgot the code): those are never
applied without the seller. A line for an order that expired or was cancelled (or that arrived
after the window), or for an extra charge the seller cancelled, is `late`, for the seller to
decide. A line whose payment the seller already confirmed from a proof is recognised
(`reconciled`), so it is not counted twice.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from openpo.catalog.models import Shop
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment, Payment, StatementLine

GRACE = timedelta(days=1)
CHUNK = 500
RECONCILED = "reconciled"


@dataclass
class MatchResult:
    match: str  # a StatementLine.Match value, or RECONCILED
    expected_payment: ExpectedPayment | None = None
    candidates: list[int] = field(default_factory=list)
    payment: Payment | None = None  # the confirmed payment a reconciled line belongs to


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class Matcher:
    """Loads the expected payments for a batch of amounts once, then matches line by line."""

    def __init__(self, *, shop: Shop, amounts: Iterable[int]) -> None:
        self.tz = shop.tzinfo
        amounts = sorted(set(amounts))
        self.by_amount: dict[int, list[ExpectedPayment]] = defaultdict(list)
        self.by_base: dict[int, list[ExpectedPayment]] = defaultdict(list)
        for chunk in _chunks(amounts):
            for ep in ExpectedPayment.objects.filter(shop=shop, amount__in=chunk).select_related(
                "order"
            ):
                self.by_amount[ep.amount].append(ep)
            for ep in ExpectedPayment.objects.filter(
                shop=shop, status=ExpectedPayment.Status.OPEN, base_amount__in=chunk
            ).select_related("order"):
                self.by_base[ep.base_amount].append(ep)
        paid_ids = [
            ep.pk
            for eps in self.by_amount.values()
            for ep in eps
            if ep.status == ExpectedPayment.Status.PAID
        ]
        self.unlinked: dict[int, list[Payment]] = defaultdict(list)
        for chunk in _chunks(paid_ids):
            for payment in Payment.objects.filter(
                expected_payment_id__in=chunk,
                status=Payment.Status.CONFIRMED,
                statement_line__isnull=True,
            ).order_by("received_at", "pk"):
                self.unlinked[payment.expected_payment_id].append(payment)

    def _opened_on(self, ep: ExpectedPayment) -> date:
        return ep.created_at.astimezone(self.tz).date() - GRACE

    def _in_window(self, ep: ExpectedPayment, posted_on: date) -> bool:
        return self._opened_on(ep) <= posted_on <= ep.due_at.astimezone(self.tz).date() + GRACE

    def match(self, *, posted_on: date, amount: int) -> MatchResult:
        exact = self.by_amount.get(amount, [])
        open_exact = [ep for ep in exact if ep.status == ExpectedPayment.Status.OPEN]
        in_window = [ep for ep in open_exact if self._in_window(ep, posted_on)]
        forgot_code = [
            ep
            for ep in self.by_base.get(amount, [])
            if ep not in in_window and self._in_window(ep, posted_on)
        ]
        already = [
            (ep, payments[0])
            for ep in exact
            if ep.status == ExpectedPayment.Status.PAID
            and self._opened_on(ep) <= posted_on
            and (payments := self.unlinked.get(ep.pk))
        ]
        if in_window and not forgot_code and not already:
            return MatchResult(StatementLine.Match.MATCHED, expected_payment=in_window[0])
        if in_window or forgot_code:
            candidates = [ep.pk for ep in [*in_window, *forgot_code]]
            return MatchResult(StatementLine.Match.AMBIGUOUS, candidates=candidates)
        if already:
            ep, payment = already[0]
            self.unlinked[ep.pk].remove(payment)  # one line per confirmed payment
            return MatchResult(RECONCILED, expected_payment=ep, payment=payment)
        late = [ep for ep in open_exact if posted_on > ep.due_at.astimezone(self.tz).date()]
        late += [
            ep
            for ep in exact
            if ep.status == ExpectedPayment.Status.VOID
            and (
                ep.order.status in (Order.Status.EXPIRED, Order.Status.CANCELLED)
                # An extra charge the seller cancelled: the buyer may have paid it anyway.
                or ep.kind == ExpectedPayment.Kind.EXTRA
            )
            and self._opened_on(ep) <= posted_on
        ]
        if late:
            return MatchResult(
                StatementLine.Match.LATE,
                expected_payment=late[0] if len(late) == 1 else None,
                candidates=[ep.pk for ep in late],
            )
        return MatchResult(StatementLine.Match.UNMATCHED)
