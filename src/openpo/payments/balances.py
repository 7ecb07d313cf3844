"""What buyers owe and what goes back to them: the one reading every page asks, for one order,
for a set of orders (a PO, a shop) or for each PO of a shop.

An order *goes ahead* while it is active and its PO has neither failed nor been cancelled.

- Due and paid: the totals of the orders that go ahead, and the money they hold (confirmed
  payments minus refunds, `Order.amount_paid`).
- Owed: what orders that go ahead have not paid yet. An order that does not go ahead (cancelled,
  expired, or of a failed or cancelled PO) owes nothing, whatever its payment status says.
- To refund: money the seller holds that must go back: all that is still paid on an order that
  does not go ahead, and what an order that goes ahead was paid beyond its total.
- Refunded: what was already given back (`Order.amount_refunded`, the sum of its refunds).
"""

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, When

from openpo.catalog.models import Campaign
from openpo.orders.models import Order

ENDED_CAMPAIGN = (Campaign.Status.FAILED, Campaign.Status.CANCELLED)

GOES_AHEAD = Q(status=Order.Status.ACTIVE) & ~Q(campaign__status__in=ENDED_CAMPAIGN)
DOES_NOT_GO_AHEAD = ~Q(status=Order.Status.ACTIVE) | Q(campaign__status__in=ENDED_CAMPAIGN)
REFUND_DUE = Q(amount_paid__gt=0) & (DOES_NOT_GO_AHEAD | Q(amount_paid__gt=F("total")))
NOTHING_TO_REFUND = Q(amount_paid=0) | (GOES_AHEAD & Q(amount_paid__lte=F("total")))

_AGGREGATES = {
    "due": Sum("total", filter=GOES_AHEAD, default=0),
    "paid": Sum("amount_paid", filter=GOES_AHEAD, default=0),
    "owed": Sum(
        F("total") - F("amount_paid"),
        filter=GOES_AHEAD & Q(amount_paid__lt=F("total")),
        default=0,
        output_field=IntegerField(),
    ),
    "to_refund": Sum(
        Case(
            When(GOES_AHEAD, then=F("amount_paid") - F("total")),
            default=F("amount_paid"),
            output_field=IntegerField(),
        ),
        filter=REFUND_DUE,
        default=0,
    ),
    "refunded": Sum("amount_refunded", default=0),
    "orders_to_refund": Count("id", filter=REFUND_DUE),
    "orders_refunded": Count("id", filter=Q(amount_refunded__gt=0) & NOTHING_TO_REFUND),
}


@dataclass(frozen=True)
class Balance:
    """The money of one order or of many, in rupiah (see the module's rules)."""

    due: int = 0
    paid: int = 0
    owed: int = 0
    to_refund: int = 0
    refunded: int = 0
    orders_to_refund: int = 0
    # Orders given money back with nothing left to give back.
    orders_refunded: int = 0

    @property
    def paid_percent(self) -> int:
        """How much of what is due has been paid, 0–100."""
        return min(100, round(100 * self.paid / self.due)) if self.due else 0

    @property
    def refunded_percent(self) -> int:
        """How much of the money to give back has gone back, 0–100."""
        whole = self.refunded + self.to_refund
        return min(100, round(100 * self.refunded / whole)) if whole else 0


def campaign_goes_ahead(campaign: Campaign) -> bool:
    """False once the PO has failed or been cancelled: its buyers owe nothing any more."""
    return campaign.status not in ENDED_CAMPAIGN


def goes_ahead(order: Order) -> bool:
    return order.status == Order.Status.ACTIVE and campaign_goes_ahead(order.campaign)


def order_balance(order: Order) -> Balance:
    """One order's balance (reads `order.campaign`'s status)."""
    if goes_ahead(order):
        owed = max(order.total - order.amount_paid, 0)
        to_refund = max(order.amount_paid - order.total, 0)
        due, paid = order.total, order.amount_paid
    else:
        owed, to_refund, due, paid = 0, order.amount_paid, 0, 0
    return Balance(
        due=due,
        paid=paid,
        owed=owed,
        to_refund=to_refund,
        refunded=order.amount_refunded,
        orders_to_refund=int(to_refund > 0),
        orders_refunded=int(order.amount_refunded > 0 and not to_refund),
    )


def balance_of(orders: QuerySet[Order]) -> Balance:
    """The balance of `orders` together (one read)."""
    return Balance(**orders.order_by().aggregate(**_AGGREGATES))


def campaign_balance(campaign: Campaign) -> Balance:
    """The balance of every order of one PO, cancelled and expired ones included."""
    return balance_of(Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign))


def balance_by_campaign(orders: QuerySet[Order]) -> dict[int, Balance]:
    """The balance of `orders` per PO, keyed by campaign id (one grouped read)."""
    rows = orders.order_by().values("campaign").annotate(**_AGGREGATES)
    return {row.pop("campaign"): Balance(**row) for row in rows}


def refunds_due(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders among `orders` that hold money they should give back."""
    return orders.filter(REFUND_DUE)


def refund_owed(order: Order) -> int:
    """How much of the order's paid money should go back to the buyer."""
    return order_balance(order).to_refund
