"""Keeping the tallies (models.py) up to date, and reading a shop's figures from them.

`refresh(shop)` finds the orders changed since the shop's mark (`Order.updated_at`, indexed by
shop), recounts the POs and the buyers they belong to, and writes the new rows in one short
transaction. The first refresh of a shop (or after its time zone changed, or `forget`) counts
everything. Counting happens before the transaction, so orders keep flowing meanwhile; a
refresh that finds a fresher one already written keeps that one. An order committed while a
refresh counted (its `updated_at` before the refresh began) is caught by a sweep: each change
is counted again once, when it is `SLACK` old.

`shop_figures(shop)` adds up the POs' tallies (segments.shop_buyers counts the buyers' rows):
a few hundred small rows, whatever the number of orders.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Count, Func, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from openpo.catalog.models import Campaign, Shop
from openpo.insights import figures
from openpo.insights.models import BuyerTally, CampaignTally, TallyMark
from openpo.orders.models import Customer, Order

SLACK = timedelta(minutes=2)  # longer than any order transaction waits for its lock
CHUNK = 500


def batched(ids: list[int], size: int):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class UtcHour(Func):
    """The UTC hour an instant falls in, as text "YYYY-MM-DD HH". Orders are counted per hour in
    the database and the hours put into the shop's time zone in Python: SQLite would otherwise
    call a Python function for every order. Exact for the shops' zones (WIB, WITA, WIT: whole
    hours from UTC, no daylight saving)."""

    output_field = CharField()
    template = "substr(%(expressions)s, 1, 13)"  # SQLite keeps UTC text "YYYY-MM-DD HH:MM:SS"

    def as_postgresql(self, compiler, connection, **extra):
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _blank() -> dict:
    return {
        "orders": 0,
        "units": 0,
        "revenue": 0,
        "by_weekday": [0] * 7,
        "by_hour": [0] * 24,
        "by_monthday": [0] * 31,
        "by_month": {},
        "provinces": {},
        "cities": {},
        "channels": {},
        "variants": [],
    }


def _times(orders: QuerySet[Order], tz) -> dict[int, dict]:
    """Each PO's totals and its orders per weekday, hour, date and month, from one query of
    orders per PO and UTC hour."""
    found: dict[int, dict] = {}
    rows = (
        orders.annotate(hour=UtcHour("created_at"))
        .values_list("campaign_id", "hour")
        .annotate(n=Count("pk"), u=Sum("units"), r=Sum("total"))
        .order_by()
    )
    for campaign_id, hour, n, units, revenue in rows:
        at = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(tz)
        f = found.setdefault(campaign_id, _blank())
        f["orders"] += n
        f["units"] += units
        f["revenue"] += revenue
        f["by_weekday"][at.isoweekday() - 1] += n
        f["by_hour"][at.hour] += n
        f["by_monthday"][at.day - 1] += n
        month = f["by_month"].setdefault(f"{at:%Y-%m}", [0, 0])
        month[0], month[1] = month[0] + n, month[1] + units
    for f in found.values():
        f["by_month"] = dict(sorted(f["by_month"].items()))
    return found


PLACES = (("provinces", "province"), ("cities", "city"), ("channels", "channel"))


def _places(orders: QuerySet[Order], found: dict[int, dict]) -> None:
    """Orders per province, city and channel of each PO, from one grouped query."""
    fields = [field for _key, field in PLACES]
    rows = orders.values_list("campaign_id", *fields).annotate(n=Count("pk")).order_by()
    for campaign_id, *names, n in rows:
        for (key, _field), name in zip(PLACES, names, strict=True):
            name = (name or "").strip() or "-"
            counted = found[campaign_id][key]
            counted[name] = counted.get(name, 0) + n
    for f in found.values():
        for key, _field in PLACES:
            f[key] = dict(sorted(f[key].items(), key=lambda item: (-item[1], item[0])))


def count_by_campaign(orders: QuerySet[Order], tz) -> dict[int, dict]:
    """Every per-order figure of `orders`, per PO (campaign id → figures), JSON-ready: three
    grouped queries and the variants', whatever the number of POs."""
    found = _times(orders, tz)
    if not found:
        return found
    _places(orders, found)
    ids = dict(Campaign.objects.filter(pk__in=found).values_list("slug", "pk"))
    for figure in figures.variants(orders):
        found[ids[figure.campaign]]["variants"].append(figure.as_dict())
    return found


def count(orders: QuerySet[Order], tz) -> dict:
    """Every per-order figure of `orders` as one (one PO's, for its page)."""
    return merged(list(count_by_campaign(orders, tz).values()))


def _buyer_rows(shop: Shop, customer_ids: set[int] | None) -> list[BuyerTally]:
    orders = figures.standing_orders(shop)
    chunks = [None] if customer_ids is None else batched(sorted(customer_ids), CHUNK)
    rows = []
    for chunk in chunks:
        some = orders if chunk is None else orders.filter(customer_id__in=chunk)
        found = (
            some.values("customer_id")
            .annotate(
                first=Min("created_at"),
                last=Max("created_at"),
                pos=Count("campaign_id", distinct=True),
                n=Count("pk"),
                spend=Sum("total"),
            )
            .order_by()
        )
        rows += [
            BuyerTally(
                customer_id=row["customer_id"],
                shop=shop,
                first_at=row["first"],
                last_at=row["last"],
                pos=row["pos"],
                orders=row["n"],
                spend=row["spend"],
            )
            for row in found
        ]
    return rows


def _changed(shop: Shop, times: list[Q], after_id: int) -> tuple[set[int], set[int]]:
    """The POs and buyers of the orders changed within `times` (ranges of `updated_at`) or
    newer than order `after_id`, and the buyers changed within `times`."""
    pairs: set[tuple[int, int]] = set()
    buyers: set[int] = set()
    orders = Order.objects.filter(shop=shop).order_by()
    for when in times:
        pairs |= set(orders.filter(when).values_list("campaign_id", "customer_id"))
        # A buyer whose order moved to another number changed too (no changed order).
        buyers |= set(Customer.objects.filter(when, shop=shop).values_list("pk", flat=True))
    pairs |= set(orders.filter(pk__gt=after_id).values_list("campaign_id", "customer_id"))
    return {c for c, _ in pairs}, {b for _, b in pairs} | buyers


def refresh(shop: Shop) -> bool:
    """Bring the shop's tallies up to date with its orders; False if nothing had changed.

    Counted again: what changed since the last refresh started (`counted_to`), and once more,
    when it has settled, what changed up to `SLACK` before now and was not swept yet
    (`swept_to`): an order committed while a refresh was counting is in that sweep."""
    started = timezone.now()
    settled = started - SLACK
    newest = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    mark = TallyMark.objects.filter(shop=shop).first()
    whole = mark is None or mark.timezone != shop.timezone
    if whole:
        campaign_ids = set(Campaign.objects.filter(shop=shop).values_list("pk", flat=True))
        customer_ids = None
        swept_to = settled
    else:
        times = [Q(updated_at__gte=mark.counted_to)]
        if settled > mark.swept_to:
            times.append(Q(updated_at__gte=mark.swept_to, updated_at__lt=settled))
        swept_to = max(mark.swept_to, settled)
        # New orders count even when written with an old time (loaded in bulk).
        campaign_ids, customer_ids = _changed(shop, times, mark.last_order_id)
        if not campaign_ids and not customer_ids:
            return False
    orders = figures.standing_orders(shop)
    by_campaign: dict[int, dict] = {}
    for chunk in [None] if whole else batched(sorted(campaign_ids), CHUNK):
        some = orders if chunk is None else orders.filter(campaign_id__in=chunk)
        by_campaign.update(count_by_campaign(some, shop.tzinfo))
    counted = [
        CampaignTally(
            campaign_id=pk,
            shop=shop,
            figures=by_campaign.get(pk) or _blank(),
            counted_at=started,
        )
        for pk in sorted(campaign_ids)
    ]
    buyers = _buyer_rows(shop, customer_ids)
    with transaction.atomic():
        mark, _created = TallyMark.objects.select_for_update().get_or_create(
            shop=shop,
            defaults={
                "timezone": shop.timezone,
                "counted_to": started,
                "swept_to": swept_to,
                "last_order_id": newest,
            },
        )
        if mark.counted_to > started and mark.timezone == shop.timezone:
            return False  # a refresh that started later has written already
        CampaignTally.objects.bulk_create(
            counted,
            update_conflicts=True,
            unique_fields=["campaign"],
            update_fields=["figures", "counted_at"],
        )
        stale = BuyerTally.objects.filter(shop=shop)
        if customer_ids is None:
            stale.delete()
        else:
            for chunk in batched(sorted(customer_ids), CHUNK):
                stale.filter(customer_id__in=chunk).delete()
        BuyerTally.objects.bulk_create(buyers, batch_size=2000)
        mark.timezone, mark.counted_to, mark.swept_to = shop.timezone, started, swept_to
        mark.last_order_id = max(mark.last_order_id, newest)
        mark.save()
    return True


def refresh_all() -> int:
    """Refresh every shop's tallies (the worker's tick, so a page rarely has much to count);
    returns how many shops had changes."""
    return sum(refresh(shop) for shop in Shop.objects.order_by("pk").iterator())


def forget(shop: Shop) -> None:
    """Count the shop from scratch at the next refresh (after orders were loaded in bulk)."""
    TallyMark.objects.filter(shop=shop).delete()


def campaign_figures(shop: Shop) -> dict[int, dict]:
    """The tallied figures of each of the shop's POs (campaign id → figures)."""
    return dict(CampaignTally.objects.filter(shop=shop).values_list("campaign_id", "figures"))


def _add(lists: list[list[int]], size: int) -> list[int]:
    total = [0] * size
    for counts in lists:
        total = [a + b for a, b in zip(total, counts, strict=True)]
    return total


def _most_first(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def merged(tallies: list[dict]) -> dict:
    """The figures of several POs as one: counts added, variants side by side."""
    months: dict[str, list[int]] = {}
    for t in tallies:
        for month, (n, units) in t["by_month"].items():
            seen = months.setdefault(month, [0, 0])
            seen[0], seen[1] = seen[0] + n, seen[1] + units
    places = {key: Counter() for key in ("provinces", "cities", "channels")}
    for t in tallies:
        for key, counter in places.items():
            counter.update(t[key])
    variants = [v for t in tallies for v in t["variants"]]
    variants.sort(key=lambda v: (-v["units"], v["campaign"], v["sku"]))
    return {
        "orders": sum(t["orders"] for t in tallies),
        "units": sum(t["units"] for t in tallies),
        "revenue": sum(t["revenue"] for t in tallies),
        "by_weekday": _add([t["by_weekday"] for t in tallies], 7),
        "by_hour": _add([t["by_hour"] for t in tallies], 24),
        "by_monthday": _add([t["by_monthday"] for t in tallies], 31),
        "by_month": dict(sorted(months.items())),
        **{key: _most_first(counter) for key, counter in places.items()},
        "variants": variants,
    }


def shop_figures(shop: Shop) -> dict:
    """The whole shop's per-order figures from its POs' tallies (refresh first)."""
    return merged(list(campaign_figures(shop).values()))
