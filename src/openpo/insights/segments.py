"""Buyers by recency, frequency and spend: new, loyal, at risk, lapsed.

From each buyer's standing orders (figures.last_order_per_buyer), at `now`:
- lapsed: the last order is more than `LAPSED_DAYS` old;
- at_risk: the last order is `RECENT_DAYS` to `LAPSED_DAYS` old;
- loyal: ordered within `RECENT_DAYS`, from two or more POs;
- new: ordered within `RECENT_DAYS`, from one PO.
Every buyer with a standing order is in exactly one segment. Counting is in the database.
"""

from datetime import datetime, timedelta

from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Shop
from openpo.insights.figures import last_order_per_buyer, standing_orders
from openpo.orders.models import Customer, Order

RECENT_DAYS = 180
LAPSED_DAYS = 365
SEGMENTS = {
    "new": _("New: one PO, ordered in the last 6 months"),
    "loyal": _("Loyal: two or more POs, ordered in the last 6 months"),
    "at_risk": _("At risk: last order 6 to 12 months ago"),
    "lapsed": _("Lapsed: last order more than a year ago"),
}


def _rule(segment: str, now: datetime) -> dict:
    recent, lapsed = now - timedelta(days=RECENT_DAYS), now - timedelta(days=LAPSED_DAYS)
    return {
        "new": {"last__gte": recent, "pos": 1},
        "loyal": {"last__gte": recent, "pos__gte": 2},
        "at_risk": {"last__gte": lapsed, "last__lt": recent},
        "lapsed": {"last__lt": lapsed},
    }[segment]


def segments(orders: QuerySet[Order], now: datetime) -> dict[str, int]:
    """Buyers per segment."""
    per_buyer = last_order_per_buyer(orders)
    return {name: per_buyer.filter(**_rule(name, now)).count() for name in SEGMENTS}


def members(shop: Shop, segment: str, now: datetime | None = None) -> QuerySet[Customer]:
    """The shop's buyers in one segment, biggest spenders first, with `last`, `pos` and
    `spend`. Unknown segment: KeyError."""
    now = now or timezone.now()
    orders = standing_orders(shop)
    if segment not in SEGMENTS:
        raise KeyError(segment)
    ids = last_order_per_buyer(orders).filter(**_rule(segment, now)).values("customer_id")
    return (
        Customer.objects.filter(pk__in=ids)
        .filter(orders__in=orders)
        .annotate(
            last=Max("orders__created_at"),
            pos=Count("orders__campaign_id", distinct=True),
            spend=Sum("orders__total"),
        )
        .order_by("-spend", "name")
    )
