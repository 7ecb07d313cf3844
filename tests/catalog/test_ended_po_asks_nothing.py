"""A PO that fails its minimum or is cancelled asks its buyers for no more money: no settlement
or payment reminder goes out, and no open transfer amount is left to match."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign
from openpo.catalog.services import advance_campaign, cancel_campaign
from openpo.messaging.models import OutboxMessage
from openpo.messaging.reminders import remind_payments_due, remind_settlements_due
from openpo.payments.models import ExpectedPayment, Payment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dp_po(shop, now):
    return factories.dp_campaign(
        shop, now=now, settles_in_days=5, moq_units=50, closes_at=now + timedelta(hours=2)
    )


@pytest.mark.parametrize("ending", ["fail", "cancel"])
def test_an_ended_po_sends_no_payment_or_settlement_reminder(dp_po, now, ending):
    factories.paid_order(dp_po, buyer=factories.buyer(1), source=Payment.Source.STATEMENT, now=now)
    factories.order(dp_po, buyer=factories.buyer(2), now=now)
    assert ExpectedPayment.objects.filter(status="open").count() == 2
    later = now + timedelta(hours=3)
    if ending == "fail":
        assert advance_campaign(campaign=dp_po, now=later).status == Campaign.Status.FAILED
    else:
        cancel_campaign(campaign=dp_po, reason="Bahan tidak tersedia", now=later)

    assert not ExpectedPayment.objects.filter(status="open").exists()
    before = OutboxMessage.objects.filter(event__in=["payment_reminder", "settlement_reminder"])
    sent_before = before.count()
    remind_payments_due(now=later + timedelta(hours=22))
    remind_settlements_due(now=now + timedelta(days=5))
    assert before.count() == sent_before
    assert not ExpectedPayment.objects.filter(reminded_at__isnull=False).exists()
