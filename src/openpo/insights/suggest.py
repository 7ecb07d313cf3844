"""A plan for the next PO, from the POs before it, with the history behind every number.

Units per variant (SKU, which a duplicated PO keeps): from the last `LOOKBACK` POs that took
orders (closed and after), the units each SKU sold, weighted 3, 2, 1 from the newest. A variant
that sold out did not show its whole demand: its units are scaled by how much of the PO's window
was left when it sold out (window ÷ hours to sell out, at most `MAX_SOLD_OUT_FACTOR` times).
The open day and hour: the weekday and the hour of the day at which most standing orders were
placed. Each number comes with its evidence, so the seller can see why (no black box).
"""

from dataclasses import dataclass, field

from openpo.catalog.models import Campaign, Shop
from openpo.insights import tallies

LOOKBACK = 3
WEIGHTS = (3, 2, 1)
MAX_SOLD_OUT_FACTOR = 2.0
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
    """The newest `LOOKBACK` of `took` (POs that took orders) — those that had closed before
    `before` opened, when given: all their orders were in by then."""
    if before is not None:
        took = [c for c in took if c.pk != before.pk and c.closes_at <= before.opens_at]
    return sorted(took, key=lambda c: (c.opens_at, c.pk), reverse=True)[:LOOKBACK]


def past_campaigns(shop: Shop, before: Campaign | None = None) -> list[Campaign]:
    """The newest POs of the shop that took orders (that had closed before `before` opened)."""
    return _earlier(list(Campaign.objects.filter(shop=shop, status__in=TOOK_ORDERS)), before)


def demand(units: int, sold_out_after_hours: float | None, window_hours: float) -> float:
    """What a variant would have sold without its quota: its units, scaled up if it sold out."""
    if sold_out_after_hours is None or window_hours <= 0:
        return float(units)
    factor = window_hours / max(sold_out_after_hours, 1.0)
    return units * min(max(factor, 1.0), MAX_SOLD_OUT_FACTOR)


def plan_units(campaigns: list[Campaign], tallied: dict[int, dict]) -> tuple[list[dict], list]:
    """Units to plan per SKU, and the evidence (each past PO's units for it), from the POs'
    tallied variants."""
    per_sku: dict[str, list[tuple[float, int]]] = {}
    evidence = []
    for campaign, weight in zip(campaigns, WEIGHTS, strict=False):
        window = (campaign.closes_at - campaign.opens_at).total_seconds() / 3600
        for figure in tallied.get(campaign.pk, {}).get("variants", []):
            wanted = demand(figure["units"], figure["sold_out_after_hours"], window)
            per_sku.setdefault(figure["sku"], []).append((wanted, weight))
            evidence.append(
                {
                    "campaign": figure["campaign"],
                    "sku": figure["sku"],
                    "units": figure["units"],
                    "sold_out_after_hours": figure["sold_out_after_hours"],
                    "demand": round(wanted, 1),
                    "weight": weight,
                }
            )
    planned = [
        {"sku": sku, "units": round(sum(d * w for d, w in seen) / sum(w for _d, w in seen))}
        for sku, seen in per_sku.items()
    ]
    planned.sort(key=lambda row: (-row["units"], row["sku"]))
    return planned, evidence


def _busiest(counts: list[int]) -> int | None:
    return max(range(len(counts)), key=lambda i: (counts[i], -i)) if any(counts) else None


def next_po(shop: Shop, tallied: dict[int, dict] | None = None) -> Plan:
    """The plan for the shop's next PO, from its tallies (`tallies.refresh` them first)."""
    tallied = tallies.campaign_figures(shop) if tallied is None else tallied
    plan = Plan()
    campaigns = past_campaigns(shop)
    if campaigns:
        plan.variants, plan.evidence = plan_units(campaigns, tallied)
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
    what it sold; and the naive guess "the same as the last PO that sold this SKU"."""

    rows: list[dict] = field(default_factory=list)

    @staticmethod
    def _mape(pairs: list[tuple[float, int]]) -> float | None:
        pairs = [(guess, sold) for guess, sold in pairs if sold > 0]
        if not pairs:
            return None
        return round(100 * sum(abs(guess - sold) / sold for guess, sold in pairs) / len(pairs), 1)

    @property
    def plan_mape(self) -> float | None:
        return self._mape([(r["planned"], r["sold"]) for r in self.rows])

    @property
    def naive_mape(self) -> float | None:
        return self._mape([(r["last_time"], r["sold"]) for r in self.rows])

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "plan_mape": self.plan_mape,
            "naive_mape": self.naive_mape,
        }


def backtest(shop: Shop) -> Backtest:
    """Every PO that took orders and had one before it: the units the plan would have given
    each SKU it sold again, the units of that SKU in the latest PO before it, what it sold."""
    result = Backtest()
    tallies.refresh(shop)
    tallied = tallies.campaign_figures(shop)
    took = list(Campaign.objects.filter(shop=shop, status__in=TOOK_ORDERS).order_by("opens_at"))
    for campaign in took:
        earlier = _earlier(took, campaign)
        if not earlier:
            continue
        planned = {row["sku"]: row["units"] for row in plan_units(earlier, tallied)[0]}
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
                    }
                )
    return result
