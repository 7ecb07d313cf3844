"""Every figure of a shop (or one PO) in one object: what `openpo insights --json` prints and
the dashboard's insights pages show. Keys are stable; new ones may be added."""

from datetime import datetime

from django.utils import timezone

from openpo.catalog.models import Campaign, Shop
from openpo.insights import figures
from openpo.insights.segments import segments
from openpo.insights.suggest import next_po


def insights(shop: Shop, campaign: Campaign | None = None, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    orders = figures.standing_orders(shop, campaign)
    tz = shop.tzinfo
    return {
        "shop": shop.slug,
        "campaign": campaign.slug if campaign else None,
        "timezone": shop.timezone,
        **figures.totals(orders),
        "variants": [v.as_dict() for v in figures.variants(orders)],
        "by_weekday": figures.by_weekday(orders, tz),
        "by_hour": figures.by_hour(orders, tz),
        "provinces": figures.provinces(orders),
        "cities": figures.cities(orders),
        "channels": figures.channels(orders),
        **figures.buyers(orders),
        "segments": segments(orders, now),
        "next_po": next_po(shop).as_dict(),
    }
