"""Buyers by recency, frequency and spend: new, loyal, at risk, lapsed.

From each buyer's standing orders, at `now`:
- lapsed: the last order is more than `LAPSED_DAYS` old;
- at_risk: the last order is `RECENT_DAYS` to `LAPSED_DAYS` old;
- loyal: ordered within `RECENT_DAYS`, from two or more POs;
- new: ordered within `RECENT_DAYS`, from one PO.
Every buyer with a standing order is in exactly one segment. A shop's buyers are read from
their tallies (`BuyerTally`, kept by insights.tallies); one PO's are counted from its orders.
"""

from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Shop
from openpo.insights import tallies
from openpo.insights.figures import last_order_per_buyer
from openpo.insights.models import BuyerTally
from openpo.orders.models import Customer, Order

RECENT_DAYS = 180
LAPSED_DAYS = 365
SEGMENTS = {
    "new": _("New: one PO, ordered in the last 6 months"),
    "loyal": _("Loyal: two or more POs, ordered in the last 6 months"),
    "at_risk": _("At risk: last order 6 to 12 months ago"),
    "lapsed": _("Lapsed: last order more than a year ago"),
}


def rule(segment: str, now: datetime, last: str = "last", pos: str = "pos") -> dict:
    """The filter of one segment over rows with a last-order time and a count of POs."""
    recent, lapsed = now - timedelta(days=RECENT_DAYS), now - timedelta(days=LAPSED_DAYS)
    return {
        "new": {f"{last}__gte": recent, pos: 1},
        "loyal": {f"{last}__gte": recent, f"{pos}__gte": 2},
        "at_risk": {f"{last}__gte": lapsed, f"{last}__lt": recent},
        "lapsed": {f"{last}__lt": lapsed},
    }[segment]


def segments(orders: QuerySet[Order], now: datetime) -> dict[str, int]:
    """Buyers per segment among the buyers of `orders` (one PO's)."""
    per_buyer = last_order_per_buyer(orders)
    return {name: per_buyer.filter(**rule(name, now)).count() for name in SEGMENTS}


def shop_buyers(shop: Shop, now: datetime) -> dict:
    """Buyers, repeat buyers and the segments, counted over the buyers' tallies in one
    query (refresh first)."""
    found = BuyerTally.objects.filter(shop=shop).aggregate(
        customers=Count("pk"),
        repeat=Count("pk", filter=Q(pos__gte=2)),
        **{name: Count("pk", filter=Q(**rule(name, now, "last_at"))) for name in SEGMENTS},
    )
    customers, repeat = found["customers"], found["repeat"]
    return {
        "customers": customers,
        "repeat_customers": repeat,
        "repeat_rate": round(repeat / customers, 4) if customers else 0.0,
        "segments": {name: found[name] for name in SEGMENTS},
    }


def members(shop: Shop, segment: str, now: datetime | None = None) -> QuerySet[Customer]:
    """The shop's buyers in one segment, biggest spenders first, with `last`, `pos` and
    `spend`, as of the shop's last tally refresh. Unknown segment: KeyError."""
    if segment not in SEGMENTS:
        raise KeyError(segment)
    now = now or timezone.now()
    tallies.refresh(shop)
    return (
        Customer.objects.filter(
            tally__shop=shop, **rule(segment, now, "tally__last_at", "tally__pos")
        )
        .annotate(last=F("tally__last_at"), pos=F("tally__pos"), spend=F("tally__spend"))
        .order_by("-spend", "name", "pk")
    )
