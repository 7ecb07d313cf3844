"""A PO that fails its minimum or is cancelled asks its buyers for no more money: no settlement
or payment reminder goes out, and no open transfer amount is left to match."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign
from openpo.catalog.services import advance_campaign, cancel_campaign
from openpo.messaging.models import OutboxMessage
from openpo.messaging.reminders import remind_payments_due, remind_settlements_due
from openpo.orders.services import BuyerDetails, place_order
from openpo.payments.models import ExpectedPayment, Payment
from openpo.payments.services import record_payment
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _buyer(number: int) -> BuyerDetails:
    return BuyerDetails(name=f"Pembeli {number}", phone=f"0812{number:08d}", address="Jl. A 1")


@pytest.fixture
def dp_po(shop, now):
    return make_campaign(
        shop,
        now=now,
        moq_units=50,
        payment_policy=Campaign.PaymentPolicy.DEPOSIT,
        deposit_percent=50,
        settlement_due_on=(now + timedelta(days=5)).date(),
        closes_at=now + timedelta(hours=2),
    )


def _orders(campaign, now):
    variant = campaign.variants.first()
    paid_dp = place_order(
        campaign=campaign, buyer=_buyer(1), items={variant.pk: 1}, terms_accepted=True, now=now
    )
    deposit = paid_dp.open_expected_payment
    record_payment(
        order=paid_dp,
        amount=deposit.amount,
        source=Payment.Source.STATEMENT,
        expected_payment=deposit,
        now=now,
    )
    unpaid = place_order(
        campaign=campaign, buyer=_buyer(2), items={variant.pk: 1}, terms_accepted=True, now=now
    )
    return paid_dp, unpaid


@pytest.mark.parametrize("ending", ["fail", "cancel"])
def test_an_ended_po_sends_no_payment_or_settlement_reminder(dp_po, now, ending):
    _orders(dp_po, now)
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
