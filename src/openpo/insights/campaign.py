"""One PO's own story, beside the figures every scope has (figures.py): how orders arrived over
its window, how fast buyers paid, what the "remind me" list brought, when the minimum was
reached and how much money was in before production started.

`campaign_figures(campaign, now=...)` returns plain data:
- `by_day`: one row per local day of the window (opening day to closing day, zeros included):
  `{"date": "2026-03-02", "orders", "units", "units_to_date"}`;
- `first_hours_share`: the share of the PO's standing orders placed in its first `FIRST_HOURS`
  hours; `last_day_share`: in the 24 hours before it closed (its closing time, or the moment it
  closed early or sold out);
- `reminders`: `{"signups", "ordered", "conversion"}`, sign-ups whose WhatsApp number or email
  placed a standing order in this PO;
- `payment_speed`: `{"paid_orders", "median_hours", "within_24h_share"}`, from each standing
  order's placing to its first confirmed payment's receipt;
- `expired`, `cancelled`: orders that did not stand;
- `moq`: `{"moq_units", "units", "reached_at"}` (null if the minimum was never reached, or the
  PO has none);
- `cash_before_production`: rupiah of confirmed payments received before production started
  (all of them, while it has not).
Counting is in the database; Python only fills empty days and takes a median.
"""

import statistics
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Min, Q, Sum, Window
from django.db.models.functions import TruncDate
from django.utils import timezone

from openpo.catalog.models import Campaign
from openpo.insights.figures import standing_orders
from openpo.orders.models import Order, ReminderSignup
from openpo.payments.models import Payment

FIRST_HOURS = 6


def _days(campaign: Campaign, until: datetime) -> list[date]:
    tz = campaign.shop.tzinfo
    first = timezone.localtime(campaign.opens_at, tz).date()
    last = timezone.localtime(until, tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def by_day(campaign: Campaign, orders, until: datetime) -> list[dict]:
    rows = (
        orders.annotate(day=TruncDate("created_at", tzinfo=campaign.shop.tzinfo))
        .values("day")
        .annotate(n=Count("pk"), u=Sum("units"))
        .order_by()
    )
    counted = {row["day"]: (row["n"], row["u"]) for row in rows}
    days = _days(campaign, until)
    for day in counted:  # an order placed outside the window (a manual one) still counts
        if day not in days:
            days.append(day)
    found, to_date = [], 0
    for day in sorted(days):
        n, units = counted.get(day, (0, 0))
        to_date += units
        found.append(
            {"date": day.isoformat(), "orders": n, "units": units, "units_to_date": to_date}
        )
    return found


def _end(campaign: Campaign) -> datetime:
    """When the PO stopped taking orders: its closing time, or earlier if it closed early."""
    if campaign.closed_at and campaign.closed_at < campaign.closes_at:
        return campaign.closed_at
    return campaign.closes_at


def _shares(campaign: Campaign, orders) -> tuple[float, float]:
    end = _end(campaign)
    counts = orders.aggregate(
        total=Count("pk"),
        first=Count(
            "pk", filter=Q(created_at__lt=campaign.opens_at + timedelta(hours=FIRST_HOURS))
        ),
        last=Count("pk", filter=Q(created_at__gte=end - timedelta(hours=24), created_at__lt=end)),
    )
    if not counts["total"]:
        return 0.0, 0.0
    return (
        round(counts["first"] / counts["total"], 4),
        round(counts["last"] / counts["total"], 4),
    )


def reminders(campaign: Campaign, orders) -> dict:
    signups = ReminderSignup.objects.filter(campaign=campaign)
    phones = orders.values("buyer_phone")
    emails = orders.exclude(buyer_email="").values("buyer_email")
    total = signups.count()
    ordered = signups.filter(
        Q(phone__in=phones, phone__gt="") | Q(email__in=emails, email__gt="")
    ).count()
    return {
        "signups": total,
        "ordered": ordered,
        "conversion": round(ordered / total, 4) if total else 0.0,
    }


def payment_speed(orders) -> dict:
    paid = (
        orders.annotate(
            first_paid=Min(
                "payments__received_at",
                filter=Q(payments__status=Payment.Status.CONFIRMED),
            )
        )
        .filter(first_paid__isnull=False)
        .values_list("created_at", "first_paid")
    )
    hours = [max((at - placed).total_seconds(), 0) / 3600 for placed, at in paid]
    return {
        "paid_orders": len(hours),
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "within_24h_share": round(sum(h <= 24 for h in hours) / len(hours), 4) if hours else 0.0,
    }


def moq_reached_at(campaign: Campaign, orders) -> datetime | None:
    """The time of the standing order that brought the PO's units to its minimum."""
    if not campaign.moq_units:
        return None
    running = orders.annotate(
        to_date=Window(Sum("units"), order_by=[F("created_at").asc(), F("pk").asc()])
    )
    return (
        running.filter(to_date__gte=campaign.moq_units)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
        .first()
    )


def cash_before_production(campaign: Campaign) -> int:
    payments = Payment.objects.filter(order__campaign=campaign, status=Payment.Status.CONFIRMED)
    if campaign.production_started_at:
        payments = payments.filter(received_at__lt=campaign.production_started_at)
    return payments.aggregate(total=Sum("amount", default=0))["total"]


def campaign_figures(campaign: Campaign, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    orders = standing_orders(campaign.shop, campaign)
    first_share, last_share = _shares(campaign, orders)
    reached = moq_reached_at(campaign, orders)
    others = Order.objects.filter(campaign=campaign).aggregate(
        expired=Count("pk", filter=Q(status=Order.Status.EXPIRED)),
        cancelled=Count("pk", filter=Q(status=Order.Status.CANCELLED)),
    )
    days = by_day(campaign, orders, min(_end(campaign), max(now, campaign.opens_at)))
    return {
        "campaign": campaign.slug,
        "by_day": days,
        "first_hours_share": first_share,
        "last_day_share": last_share,
        "reminders": reminders(campaign, orders),
        "payment_speed": payment_speed(orders),
        "expired": others["expired"],
        "cancelled": others["cancelled"],
        "moq": {
            "moq_units": campaign.moq_units,
            "units": days[-1]["units_to_date"] if days else 0,
            "reached_at": reached and timezone.localtime(reached, campaign.shop.tzinfo),
        },
        "cash_before_production": cash_before_production(campaign),
    }
