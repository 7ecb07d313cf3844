"""Every figure of a shop (or one PO) in one object: what `openpo insights --json` prints and
the dashboard's insights pages show. Keys are stable; new ones may be added.

A shop's figures are read from its tallies (refreshed first: only the orders changed since the
last refresh are counted again); one PO's are counted from its own orders.
"""

from datetime import datetime

from django.utils import timezone

from openpo.catalog.models import Campaign, Shop
from openpo.insights import figures, tallies
from openpo.insights.calendar import months
from openpo.insights.segments import segments, shop_buyers
from openpo.insights.sizes import size_curves
from openpo.insights.suggest import next_po


def insights(shop: Shop, campaign: Campaign | None = None, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    tallies.refresh(shop)
    if campaign is None:
        counted = {**tallies.shop_figures(shop), **shop_buyers(shop, now)}
    else:
        orders = figures.standing_orders(shop, campaign)
        counted = {
            **tallies.count(orders, shop.tzinfo),
            **figures.buyers(orders),
            "segments": segments(orders, now),
        }
    return {
        "shop": shop.slug,
        "campaign": campaign.slug if campaign else None,
        "timezone": shop.timezone,
        **counted,
        "months": months(counted["by_month"]),
        "size_curves": size_curves(counted["variants"]),
        "next_po": next_po(shop).as_dict(),
    }
