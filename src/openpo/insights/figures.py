"""The figures of a shop's (or one PO's) orders that need more than a count per bucket: which
orders stand, units per variant with the moment a quota sold out, and buyers per PO.

Every figure counts the orders that stand: status active (cancelled and expired orders were
never made or paid). The counts per time bucket, place and channel are in `tallies.py`, grouped
per PO. Functions take the orders to count (`standing_orders`) and return plain data, so the
dashboard, the command and the tests read the same numbers.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Max, QuerySet, Sum, Window

from openpo.catalog.models import Campaign, Shop
from openpo.orders.models import Order, OrderLine


def standing_orders(shop: Shop, campaign: Campaign | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(shop=shop, status=Order.Status.ACTIVE)
    return orders.filter(campaign=campaign) if campaign is not None else orders


@dataclass(frozen=True)
class VariantFigure:
    campaign: str
    sku: str
    product: str
    variant: str
    options: dict
    units: int
    orders: int
    quota: int | None
    sold_out_after_hours: float | None

    def as_dict(self) -> dict:
        return {
            "campaign": self.campaign,
            "sku": self.sku,
            "product": self.product,
            "variant": self.variant,
            "options": self.options,
            "units": self.units,
            "orders": self.orders,
            "quota": self.quota,
            "sold_out_after_hours": self.sold_out_after_hours,
        }


def sold_out_moments(orders: QuerySet[Order]) -> dict[int, datetime]:
    """When each variant with a quota sold out: the time of the standing order whose units
    brought the variant's running total to its quota (variant id → that time)."""
    lines = OrderLine.objects.filter(order__in=orders, variant__quota__isnull=False).annotate(
        running=Window(
            Sum("quantity"),
            partition_by=[F("variant_id")],
            order_by=[F("order__created_at").asc(), F("order_id").asc()],
        )
    )
    reached = lines.filter(running__gte=F("variant__quota")).values_list(
        "variant_id", "order__created_at"
    )
    moments: dict[int, datetime] = {}
    for variant_id, at in reached:
        if variant_id not in moments or at < moments[variant_id]:
            moments[variant_id] = at
    return moments


def variants(orders: QuerySet[Order]) -> list[VariantFigure]:
    """Units and orders per variant of each PO, most units first."""
    rows = (
        OrderLine.objects.filter(order__in=orders)
        .values(
            "variant_id",
            "sku",
            campaign_slug=F("order__campaign__slug"),
            opens_at=F("order__campaign__opens_at"),
            product=F("variant__product__name"),
            options=F("variant__options"),
            quota=F("variant__quota"),
        )
        .annotate(units=Sum("quantity"), order_count=Count("order_id", distinct=True))
        .order_by("-units", "campaign_slug", "sku")
    )
    moments = sold_out_moments(orders)
    found = []
    for row in rows:
        moment = moments.get(row["variant_id"])
        hours = None
        if moment is not None:
            hours = round(max((moment - row["opens_at"]).total_seconds(), 0) / 3600, 1)
        found.append(
            VariantFigure(
                campaign=row["campaign_slug"],
                sku=row["sku"],
                product=row["product"],
                variant=" / ".join(str(v) for v in (row["options"] or {}).values()),
                options=row["options"] or {},
                units=row["units"],
                orders=row["order_count"],
                quota=row["quota"],
                sold_out_after_hours=hours,
            )
        )
    return found


def buyers(orders: QuerySet[Order]) -> dict[str, float | int]:
    """Buyers with a standing order, those with standing orders in two or more POs, and the
    share of the second among the first."""
    per_buyer = orders.values("customer_id").annotate(pos=Count("campaign_id", distinct=True))
    customers = per_buyer.count()
    repeat = per_buyer.filter(pos__gte=2).count()
    return {
        "customers": customers,
        "repeat_customers": repeat,
        "repeat_rate": round(repeat / customers, 4) if customers else 0.0,
    }


def last_order_per_buyer(orders: QuerySet[Order]) -> QuerySet:
    """Per buyer: the last standing order's time, the POs ordered from and the money spent."""
    return (
        orders.values("customer_id")
        .annotate(
            last=Max("created_at"), pos=Count("campaign_id", distinct=True), spend=Sum("total")
        )
        .order_by()
    )
