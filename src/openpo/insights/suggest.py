"""A plan for the next PO, from the POs before it, with the history behind every number.

Units per variant (SKU, which a duplicated PO keeps), for every product the last `LOOKBACK`
POs sold: from that product's own last `LOOKBACK` POs (however long ago), weighted 3, 2, 1
from the newest, the product's total is planned; each SKU gets its share of the product's units
over those POs (a size-and-colour mix is steadier than one SKU's count, which is small and
noisy). A variant that sold out did not show its whole demand: its units are scaled by how
much of the PO's window was left when it sold out (window ÷ hours to sell out, at most
`MAX_SOLD_OUT_FACTOR` times). The open day and hour: the weekday and the hour of the day at
which most standing orders were placed. Each number comes with its evidence, so the seller
can see why (no black box).
"""

from dataclasses import dataclass, field

from openpo.catalog.models import Campaign, Shop
from openpo.insights import tallies

LOOKBACK = 3
WEIGHTS = (3, 2, 1)
MAX_SOLD_OUT_FACTOR = 1.5
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
S = Campaign.Status
TOOK_ORDERS = (S.CLOSED, S.PRODUCING, S.SHIPPING, S.COMPLETED)


@dataclass
class Plan:
    variants: list[dict] = field(default_factory=list)
    open_weekday: str | None = None
    open_hour: int | None = None
    evidence: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "variants": self.variants,
            "open_weekday": self.open_weekday,
            "open_hour": self.open_hour,
            "evidence": self.evidence,
        }


def _earlier(took: list[Campaign], before: Campaign | None) -> list[Campaign]:
    """`took` (POs that took orders) newest first — those that had closed before `before`
    opened, when given: all their orders were in by then."""
    if before is not None:
        took = [c for c in took if c.pk != before.pk and c.closes_at <= before.opens_at]
    return sorted(took, key=lambda c: (c.opens_at, c.pk), reverse=True)


def past_campaigns(shop: Shop, before: Campaign | None = None) -> list[Campaign]:
    """The shop's POs that took orders, newest first (those closed before `before` opened)."""
    return _earlier(list(Campaign.objects.filter(shop=shop, status__in=TOOK_ORDERS)), before)


def demand(units: int, sold_out_after_hours: float | None, window_hours: float) -> float:
    """What a variant would have sold without its quota: its units, scaled up if it sold out."""
    if sold_out_after_hours is None or window_hours <= 0:
        return float(units)
    factor = window_hours / max(sold_out_after_hours, 1.0)
    return units * min(max(factor, 1.0), MAX_SOLD_OUT_FACTOR)


def _window(campaign: Campaign) -> float:
    return (campaign.closes_at - campaign.opens_at).total_seconds() / 3600


def plan_units(
    history: list[Campaign], tallied: dict[int, dict], products: list[str] | None = None
) -> tuple[list[dict], list]:
    """Units to plan per SKU of `products` (by default those the newest POs of `history`,
    newest first, sold), and the evidence: each PO's units and demand per SKU, its weight,
    the SKU's share."""
    sold = {c.pk: tallied.get(c.pk, {}).get("variants", []) for c in history}
    if products is None:
        recent = history[:LOOKBACK]
        products = list(dict.fromkeys(v["product"] for c in recent for v in sold[c.pk]))
    planned, evidence = [], []
    for product in products:
        its_pos = [c for c in history if any(v["product"] == product for v in sold[c.pk])]
        if not its_pos:
            continue
        totals, per_sku = [], {}
        for campaign, weight in zip(its_pos, WEIGHTS, strict=False):
            total = 0.0
            for figure in sold[campaign.pk]:
                if figure["product"] != product:
                    continue
                wanted = demand(figure["units"], figure["sold_out_after_hours"], _window(campaign))
                total += wanted
                per_sku[figure["sku"]] = per_sku.get(figure["sku"], 0.0) + wanted
                evidence.append(
                    {
                        "campaign": figure["campaign"],
                        "product": product,
                        "sku": figure["sku"],
                        "units": figure["units"],
                        "sold_out_after_hours": figure["sold_out_after_hours"],
                        "demand": round(wanted, 1),
                        "weight": weight,
                    }
                )
            totals.append((total, weight))
        product_units = sum(t * w for t, w in totals) / sum(w for _t, w in totals)
        pooled = sum(per_sku.values())
        for sku, wanted in per_sku.items():
            share = wanted / pooled if pooled else 0.0
            planned.append({"sku": sku, "units": round(product_units * share)})
            for row in evidence:
                if row["sku"] == sku and row["product"] == product:
                    row["share"] = round(share, 3)
    planned.sort(key=lambda row: (-row["units"], row["sku"]))
    return planned, evidence


def _busiest(counts: list[int]) -> int | None:
    return max(range(len(counts)), key=lambda i: (counts[i], -i)) if any(counts) else None


def next_po(shop: Shop, tallied: dict[int, dict] | None = None) -> Plan:
    """The plan for the shop's next PO, from its tallies (`tallies.refresh` them first)."""
    tallied = tallies.campaign_figures(shop) if tallied is None else tallied
    plan = Plan()
    history = past_campaigns(shop)
    if history:
        plan.variants, plan.evidence = plan_units(history, tallied)
    counted = tallies.merged(list(tallied.values()))
    weekdays, hours = counted["by_weekday"], counted["by_hour"]
    day, hour = _busiest(weekdays), _busiest(hours)
    plan.open_weekday = WEEKDAYS[day] if day is not None else None
    plan.open_hour = hour
    plan.evidence.append({"orders_by_weekday": weekdays, "orders_by_hour": hours})
    return plan


@dataclass
class Backtest:
    """How the plan would have done: each past PO planned from the POs before it, against
    what it sold; and the naive guess "the same as the last PO that sold this SKU".

    The error is the mean absolute percentage error over the SKUs sold again. A variant that
    sold out showed only a lower bound of its demand: a guess at or above what it sold counts
    as no error there, a guess below it as the shortfall (censored demand; the same rule for
    the plan and the naive guess)."""

    rows: list[dict] = field(default_factory=list)

    def _misses(self, guessed: str) -> list[tuple[float, int]]:
        """(units missed, units sold) per row that sold."""
        misses = []
        for row in self.rows:
            guess, sold = row[guessed], row["sold"]
            if sold > 0:
                missed = max(sold - guess, 0) if row.get("sold_out") else abs(guess - sold)
                misses.append((missed, sold))
        return misses

    def _mape(self, guessed: str) -> float | None:
        misses = self._misses(guessed)
        if not misses:
            return None
        return round(100 * sum(m / sold for m, sold in misses) / len(misses), 1)

    def _wape(self, guessed: str) -> float | None:
        """Units missed over units sold: big SKUs weigh more (what production feels)."""
        misses = self._misses(guessed)
        if not misses:
            return None
        return round(100 * sum(m for m, _s in misses) / sum(s for _m, s in misses), 1)

    @property
    def plan_mape(self) -> float | None:
        return self._mape("planned")

    @property
    def naive_mape(self) -> float | None:
        return self._mape("last_time")

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "plan_mape": self.plan_mape,
            "naive_mape": self.naive_mape,
            "plan_wape": self._wape("planned"),
            "naive_wape": self._wape("last_time"),
        }


def backtest(shop: Shop) -> Backtest:
    """Every PO that took orders and had one before it: for the products it sold (the seller
    knows what she will sell), the units the plan would have given each SKU sold before, the
    units of that SKU in the latest PO before it that sold it, and what it sold."""
    result = Backtest()
    tallies.refresh(shop)
    tallied = tallies.campaign_figures(shop)
    took = list(Campaign.objects.filter(shop=shop, status__in=TOOK_ORDERS).order_by("opens_at"))
    for campaign in took:
        earlier = _earlier(took, campaign)
        if not earlier:
            continue
        products = list(
            dict.fromkeys(v["product"] for v in tallied.get(campaign.pk, {}).get("variants", []))
        )
        planned = {row["sku"]: row["units"] for row in plan_units(earlier, tallied, products)[0]}
        last_time: dict[str, int] = {}
        for older in earlier:  # newest first: the first PO that sold a SKU is its last time
            for figure in tallied.get(older.pk, {}).get("variants", []):
                last_time.setdefault(figure["sku"], figure["units"])
        for figure in tallied.get(campaign.pk, {}).get("variants", []):
            if figure["sku"] in planned:
                result.rows.append(
                    {
                        "campaign": campaign.slug,
                        "sku": figure["sku"],
                        "planned": planned[figure["sku"]],
                        "last_time": last_time.get(figure["sku"], 0),
                        "sold": figure["units"],
                        "sold_out": figure["sold_out_after_hours"] is not None,
                    }
                )
    return result
