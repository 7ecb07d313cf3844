"""When things happen in the demo's story: moments in WIB, and the times buyers try to order
(a rush at opening, evenings and lunch, a spike before closing)."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from openpo.ops.demo.people import weighted
from openpo.ops.demo.shop_data import CampaignSpec

WIB = ZoneInfo("Asia/Jakarta")
# Buyers order in the evening after work and at lunch, hardly at night (hours in WIB).
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 7, 9, 8, 6, 6, 7, 8, 10, 14, 17, 16, 12, 6)


def wib_moment(now: datetime, day: int, hour: int, minute: int = 0) -> datetime:
    """`hour`:`minute` in WIB on the day `day` days after the WIB date of `now`."""
    today = timezone.localtime(now, WIB).date()
    return datetime.combine(today + timedelta(days=day), time(hour, minute), tzinfo=WIB)


def order_times(
    spec: CampaignSpec, opens_at: datetime, closes_at: datetime, rng: random.Random
) -> list[datetime]:
    """When buyers try to order: a rush at opening, evenings, and a spike before closing."""
    window = closes_at - opens_at
    times = []
    for _n in range(spec.orders):
        roll = rng.random()
        if roll < spec.rush:
            moment = opens_at + timedelta(minutes=rng.expovariate(1 / spec.rush_minutes))
        elif roll < spec.rush + 0.15:
            moment = closes_at - timedelta(hours=rng.expovariate(1 / 6))
        else:
            moment = evening_moment(rng, opens_at, closes_at)
        if not opens_at <= moment < closes_at:
            moment = opens_at + window * rng.random()
        times.append(moment)
    return times


def evening_moment(rng: random.Random, opens_at: datetime, closes_at: datetime) -> datetime:
    """A moment in the window on a random day, at an hour weighted by `HOUR_WEIGHTS` (WIB)."""
    first = timezone.localtime(opens_at, WIB).date()
    days = (timezone.localtime(closes_at, WIB).date() - first).days + 1
    for _attempt in range(20):
        day = first + timedelta(days=rng.randrange(days))
        hour = weighted(rng, list(enumerate(HOUR_WEIGHTS)))
        moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), WIB)
        if opens_at <= moment < closes_at:
            return moment
    return opens_at + (closes_at - opens_at) * rng.random()
