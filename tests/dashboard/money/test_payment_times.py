"""A payment from a bank statement line knows its day, not its time: the pages show its date
alone, never a made-up "12:00" that reads as if the money came before a 21:59 order."""

from datetime import datetime

import pytest
from django.utils import formats, timezone, translation

from openpo.payments.models import Payment
from openpo.payments.services import record_payment
from openpo.payments.services.statements import received_at
from tests import factories

pytestmark = pytest.mark.django_db


def _local(moment: datetime, shop, pattern: str) -> str:
    with translation.override("id"):
        return formats.date_format(timezone.localtime(moment, shop.tzinfo), pattern)


def test_a_statement_payment_shows_its_date_alone(client, alice, campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    expected = order.open_expected_payment
    day = timezone.localtime(now, campaign.shop.tzinfo).date()
    record_payment(
        order=order,
        amount=expected.amount,
        source=Payment.Source.STATEMENT,
        expected_payment=expected,
        received_at=received_at(campaign.shop, day),
        now=now,
    )
    noon = received_at(campaign.shop, day)
    client.force_login(alice)

    seller = client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    buyer_page = client.get(f"/o/{order.secret}/").content.decode()

    assert _local(noon, campaign.shop, "j M Y") in seller
    assert _local(noon, campaign.shop, "j M Y H:i") not in seller
    assert _local(noon, campaign.shop, "j F Y") in buyer_page
    assert _local(noon, campaign.shop, "j F Y H:i") not in buyer_page


def test_cash_the_seller_recorded_keeps_its_time(client, alice, campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    record_payment(order=order, amount=50_000, source=Payment.Source.MANUAL, received_at=now)
    client.force_login(alice)

    page = client.get(f"/dashboard/orders/{order.pk}/").content.decode()

    assert _local(now, campaign.shop, "j M Y H:i") in page
