"""Cash flow of one PO or of a whole shop (reads only): the money collected, how much of it came
in before production started, what is still outstanding, what was refunded, and the same day by
day in the shop's time zone.

- Collected is what confirmed payments credit to orders: the money that arrived minus the kode
  unik, which only identified the transfer; the kode unik kept is shown on its own.
- Collected before production counts payments received before the PO's
  `production_started_at`; while production has not started, all of them.
- Outstanding (what buyers still owe), to refund (what the seller holds that must go back) and
  refunded are `payments.balances`: orders that are cancelled or expired, or of a failed or
  cancelled PO, owe nothing; what they hold is to refund.
- Collected minus refunded is what the seller holds.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from openpo.catalog.models import Campaign, Shop
from openpo.orders.models import Order
from openpo.payments.balances import (
    Balance,
    balance_by_campaign,
    balance_of,
    campaign_goes_ahead,
)
from openpo.payments.models import Payment, Refund

# Days without money are filled in (zero bars) when the series spans at most this many days;
# a longer history lists only the days something happened.
MAX_FILLED_DAYS = 62
CREDITED = F("amount") - F("unique_code")
BEFORE_PRODUCTION = Q(order__campaign__production_started_at__isnull=True) | Q(
    received_at__lt=F("order__campaign__production_started_at")
)


@dataclass(frozen=True)
class DayFlow:
    """Money in and out on one local day."""

    day: date
    collected: int
    refunded: int

    @property
    def net(self) -> int:
        return self.collected - self.refunded


@dataclass(frozen=True)
class CashFlow:
    collected: int
    unique_codes: int
    collected_before_production: int
    outstanding: int
    to_refund: int
    refunded: int
    days: list[DayFlow]
    # A failed or cancelled PO: nothing is outstanding, what it holds is to refund.
    ended: bool = False

    @property
    def received(self) -> int:
        """Everything that arrived, kode unik included."""
        return self.collected + self.unique_codes

    @property
    def held(self) -> int:
        """Collected minus refunded: the buyers' money the seller holds now."""
        return self.collected - self.refunded

    @property
    def busiest_day(self) -> int:
        """The largest bar of the daily series (collected or refunded), for scaling a chart."""
        return max((max(d.collected, d.refunded) for d in self.days), default=0)


def _cash_flow(
    payments: QuerySet[Payment],
    refunds: QuerySet[Refund],
    orders: QuerySet[Order],
    tz: ZoneInfo,
    ended: bool = False,
) -> CashFlow:
    confirmed = payments.filter(status=Payment.Status.CONFIRMED).order_by()
    money_in = confirmed.aggregate(
        collected=Sum(CREDITED, default=0),
        unique_codes=Sum("unique_code", default=0),
        before=Sum(CREDITED, filter=BEFORE_PRODUCTION, default=0),
    )
    balance = balance_of(orders)
    collected_by_day = dict(
        confirmed.annotate(day=TruncDate("received_at", tzinfo=tz))
        .values("day")
        .annotate(total=Sum(CREDITED))
        .values_list("day", "total")
    )
    refunded_by_day = dict(
        refunds.order_by()
        .annotate(day=TruncDate("refunded_at", tzinfo=tz))
        .values("day")
        .annotate(total=Sum("amount"))
        .values_list("day", "total")
    )
    return CashFlow(
        collected=money_in["collected"],
        unique_codes=money_in["unique_codes"],
        collected_before_production=money_in["before"],
        outstanding=balance.owed,
        to_refund=balance.to_refund,
        refunded=balance.refunded,
        days=_series(collected_by_day, refunded_by_day),
        ended=ended,
    )


def _series(collected: dict[date, int], refunded: dict[date, int]) -> list[DayFlow]:
    days = sorted(set(collected) | set(refunded))
    if days and (days[-1] - days[0]).days < MAX_FILLED_DAYS:
        days = [days[0] + timedelta(days=n) for n in range((days[-1] - days[0]).days + 1)]
    return [DayFlow(day, collected.get(day, 0), refunded.get(day, 0)) for day in days]


def campaign_cash_flow(campaign: Campaign) -> CashFlow:
    """The cash flow of one PO."""
    return _cash_flow(
        Payment.objects.filter(shop_id=campaign.shop_id, order__campaign=campaign),
        Refund.objects.filter(shop_id=campaign.shop_id, order__campaign=campaign),
        Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign),
        campaign.shop.tzinfo,
        ended=not campaign_goes_ahead(campaign),
    )


def shop_cash_flow(shop: Shop) -> CashFlow:
    """The cash flow of every PO of the shop together."""
    return _cash_flow(
        Payment.objects.filter(shop=shop),
        Refund.objects.filter(shop=shop),
        Order.objects.filter(shop=shop),
        shop.tzinfo,
    )


@dataclass(frozen=True)
class CampaignCash:
    """One PO's line in the shop-wide table."""

    campaign: Campaign
    collected: int
    collected_before_production: int
    outstanding: int
    to_refund: int
    refunded: int

    @property
    def ended(self) -> bool:
        return not campaign_goes_ahead(self.campaign)


def cash_by_campaign(shop: Shop) -> list[CampaignCash]:
    """Each PO of the shop with money in, out, owed or to refund, newest first (two grouped
    reads)."""
    money_in = {
        row["order__campaign"]: row
        for row in Payment.objects.filter(shop=shop, status=Payment.Status.CONFIRMED)
        .order_by()
        .values("order__campaign")
        .annotate(
            collected=Sum(CREDITED, default=0),
            before=Sum(CREDITED, filter=BEFORE_PRODUCTION, default=0),
        )
    }
    balances = balance_by_campaign(Order.objects.filter(shop=shop))
    moved = {pk for pk, b in balances.items() if b.owed or b.to_refund or b.refunded}
    ids = set(money_in) | moved
    campaigns = Campaign.objects.filter(shop=shop, pk__in=ids).order_by("-opens_at", "-id")
    return [
        CampaignCash(
            campaign=c,
            collected=money_in.get(c.pk, {}).get("collected", 0),
            collected_before_production=money_in.get(c.pk, {}).get("before", 0),
            outstanding=balances.get(c.pk, Balance()).owed,
            to_refund=balances.get(c.pk, Balance()).to_refund,
            refunded=balances.get(c.pk, Balance()).refunded,
        )
        for c in campaigns
    ]
