"""Cash flow of a PO and of a shop: collected (kode unik apart), collected before production,
outstanding, refunded, and by day in the shop's time zone."""

from datetime import UTC, date, datetime, timedelta

import pytest

from openpo.catalog.services.lifecycle import close_campaign, fail_campaign, start_production
from openpo.orders.services import cancel_order
from openpo.payments.cashflow import (
    DayFlow,
    campaign_cash_flow,
    cash_by_campaign,
    shop_cash_flow,
)
from openpo.payments.models import Payment
from openpo.payments.services import (
    claim_payment,
    record_payment,
    record_refund,
    reject_payment,
)
from tests import factories
from tests.conftest import make_campaign

MANUAL = Payment.Source.MANUAL
# 23:30 WIB on 10 August is still 10 August in Jakarta, though already 16:30 UTC.
LATE_EVENING = datetime(2026, 8, 10, 16, 30, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 8, 10, 17, 30, tzinfo=UTC)  # 00:30 WIB on 11 August


@pytest.mark.django_db
def test_it_counts_confirmed_payments_without_their_kode_unik(campaign, buyer, now):
    paid = factories.order(campaign, buyer=buyer, now=now)
    expected = paid.open_expected_payment
    factories.pay(paid, source=Payment.Source.STATEMENT, now=now)
    claimed = factories.order(campaign, buyer=buyer, now=now)
    reject_payment(payment=claim_payment(order=claimed, now=now), reason="Belum masuk", now=now)
    claim_payment(order=claimed, now=now)  # waiting for the seller: not collected yet

    flow = campaign_cash_flow(campaign)

    assert flow.collected == 135_000
    assert flow.unique_codes == expected.unique_code
    assert flow.received == expected.amount
    assert flow.collected_before_production == 135_000


@pytest.mark.django_db
def test_it_splits_what_came_in_before_production_started(shop, buyer, now):
    campaign = make_campaign(shop, now=now)
    early, late = (
        factories.order(campaign, buyer=buyer, now=now),
        factories.order(campaign, buyer=buyer, now=now),
    )
    record_payment(order=early, amount=135_000, source=MANUAL, now=now)
    campaign = close_campaign(campaign=campaign, now=now + timedelta(hours=1))
    campaign = start_production(campaign=campaign, now=now + timedelta(hours=2))
    record_payment(
        order=late,
        amount=50_000,
        source=MANUAL,
        received_at=now + timedelta(hours=3),
        now=now + timedelta(hours=3),
    )

    flow = campaign_cash_flow(campaign)

    assert (flow.collected, flow.collected_before_production) == (185_000, 135_000)
    assert flow.outstanding == 85_000


@pytest.mark.django_db
def test_it_counts_what_live_orders_still_owe(shop, campaign, buyer, now):
    part = factories.order(campaign, buyer=buyer, units=2, now=now)  # 255.000
    record_payment(order=part, amount=100_000, source=MANUAL, now=now)
    factories.order(campaign, buyer=buyer, now=now)  # 135.000, nothing paid
    cancelled = factories.order(campaign, buyer=buyer, now=now)
    cancel_order(order=cancelled, now=now)
    failed = make_campaign(shop, now=now, moq_units=50, title="PO Gagal")
    factories.order(failed, buyer=buyer, now=now)
    fail_campaign(campaign=close_campaign(campaign=failed, now=now), now=now)

    assert campaign_cash_flow(campaign).outstanding == 155_000 + 135_000
    assert campaign_cash_flow(failed).outstanding == 0
    assert shop_cash_flow(shop).outstanding == 290_000


@pytest.mark.django_db
def test_it_adds_up_refunds_and_days_in_the_shops_time_zone(campaign, buyer, now):
    first, second = (
        factories.order(campaign, buyer=buyer, now=now),
        factories.order(campaign, buyer=buyer, now=now),
    )
    record_payment(order=first, amount=135_000, source=MANUAL, received_at=LATE_EVENING, now=now)
    record_payment(order=second, amount=60_000, source=MANUAL, received_at=AFTER_MIDNIGHT, now=now)
    record_refund(order=first, amount=35_000, now=AFTER_MIDNIGHT + timedelta(days=2))

    flow = campaign_cash_flow(campaign)

    assert (flow.collected, flow.refunded, flow.held) == (195_000, 35_000, 160_000)
    assert flow.days == [
        DayFlow(date(2026, 8, 10), 135_000, 0),
        DayFlow(date(2026, 8, 11), 60_000, 0),
        DayFlow(date(2026, 8, 12), 0, 0),
        DayFlow(date(2026, 8, 13), 0, 35_000),
    ]
    assert flow.busiest_day == 135_000


@pytest.mark.django_db
def test_a_shop_in_wita_counts_its_own_days(shop, campaign, buyer, now):
    shop.timezone = shop.TimeZone.WITA  # 16:30 UTC is 00:30 WITA the next day
    shop.save()
    order = factories.order(campaign, buyer=buyer, now=now)
    record_payment(order=order, amount=135_000, source=MANUAL, received_at=LATE_EVENING, now=now)

    assert [d.day for d in shop_cash_flow(shop).days] == [date(2026, 8, 11)]


@pytest.mark.django_db
def test_the_shop_sums_its_pos_and_nobody_elses(shop, other_shop, campaign, buyer, now):
    second = make_campaign(shop, now=now, title="PO Hoodie")
    theirs = make_campaign(other_shop, now=now, title="PO Charlie")
    factories.paid_order(campaign, buyer=buyer, amount=135_000, now=now)
    factories.paid_order(second, buyer=buyer, amount=40_000, now=now)
    factories.paid_order(theirs, buyer=buyer, amount=99_000, now=now)
    factories.order(campaign, buyer=buyer, now=now)

    flow = shop_cash_flow(shop)

    assert (flow.collected, flow.outstanding) == (175_000, 95_000 + 135_000)
    rows = {row.campaign.pk: row for row in cash_by_campaign(shop)}
    assert set(rows) == {campaign.pk, second.pk}
    assert (rows[campaign.pk].collected, rows[campaign.pk].outstanding) == (135_000, 135_000)
    assert (rows[second.pk].collected, rows[second.pk].outstanding) == (40_000, 95_000)


@pytest.mark.django_db
def test_a_po_without_money_has_an_empty_series(campaign):
    flow = campaign_cash_flow(campaign)

    assert (flow.collected, flow.outstanding, flow.refunded, flow.days) == (0, 0, 0, [])
    assert flow.busiest_day == 0
