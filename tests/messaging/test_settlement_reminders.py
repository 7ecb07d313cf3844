"""A buyer who paid the DP is reminded once, a day before the settlement is due; never twice,
also with several workers at once, and not after paying."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign
from openpo.core.models import AuditEvent
from openpo.messaging.reminders import remind_settlements_due
from openpo.payments.models import ExpectedPayment, Payment
from tests import factories
from tests.concurrency import run_at_once


def _dp_order(shop, now, number=1):
    campaign = Campaign.objects.filter(shop=shop, payment_policy="deposit").first() or (
        factories.dp_campaign(shop, now=now, quotas=(None,), settles_in_days=10)
    )
    order = factories.paid_order(
        campaign, buyer=factories.buyer(number), source=Payment.Source.STATEMENT, now=now
    )
    return ExpectedPayment.objects.get(order=order, status="open", kind="settlement")


def _reminders(expected):
    return AuditEvent.objects.filter(
        action="payment.settlement_reminder", subject_id=str(expected.order_id)
    ).count()


@pytest.mark.django_db
def test_the_buyer_is_reminded_once_a_day_before_the_settlement_is_due(shop, now):
    settlement = _dp_order(shop, now)
    day_before = settlement.due_at - timedelta(hours=23)

    assert remind_settlements_due(now=settlement.due_at - timedelta(days=3)) == 0
    assert remind_settlements_due(now=day_before) == 1
    assert remind_settlements_due(now=day_before + timedelta(hours=1)) == 0
    assert _reminders(settlement) == 1


@pytest.mark.django_db
def test_a_settled_order_is_not_reminded(shop, now):
    settlement = _dp_order(shop, now)
    factories.pay(settlement.order, source=Payment.Source.STATEMENT, now=now)
    assert remind_settlements_due(now=settlement.due_at - timedelta(hours=2)) == 0


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_workers_reminding_at_once_remind_each_buyer_once(shop, now, vendor, record_property):
    settlements = [_dp_order(shop, now, number) for number in range(10)]
    moment = settlements[0].due_at - timedelta(hours=12)

    counts, errors = run_at_once([lambda: remind_settlements_due(now=moment)] * 3)

    assert errors == []
    assert sum(counts) == 10
    assert [_reminders(s) for s in settlements] == [1] * 10
    record_property("result", f"{vendor}: 3 workers, 10 settlements due → {sorted(counts)}")
