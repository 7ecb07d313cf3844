"""Each order awaiting payment has a transfer amount no other open order of the shop has."""

import pytest

from openpo.catalog.models import Campaign
from openpo.orders.services import cancel_order
from openpo.payments.models import ExpectedPayment
from tests import factories
from tests.concurrency import run_at_once
from tests.conftest import make_campaign


@pytest.mark.django_db
def test_an_order_asks_for_its_total_plus_a_three_digit_code(campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)

    expected = order.expected_payments.get()
    assert expected.kind == ExpectedPayment.Kind.FULL
    assert expected.base_amount == order.total == 135_000
    assert 1 <= expected.unique_code <= 999
    assert expected.amount == 135_000 + expected.unique_code
    assert expected.due_at == order.payment_deadline
    assert expected.status == ExpectedPayment.Status.OPEN


@pytest.mark.django_db
def test_a_down_payment_order_asks_for_the_dp_first(shop, buyer, now):
    campaign = make_campaign(
        shop, now=now, payment_policy=Campaign.PaymentPolicy.DEPOSIT, deposit_percent=50
    )
    order = factories.order(campaign, buyer=buyer, now=now)
    expected = order.expected_payments.get()
    assert (expected.kind, expected.base_amount) == ("deposit", 67_500)


@pytest.mark.django_db
def test_cancelling_frees_the_amount(campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    cancel_order(order=order, now=now)
    assert order.expected_payments.get().status == ExpectedPayment.Status.VOID


@pytest.mark.django_db
def test_it_moves_to_four_digits_when_every_three_digit_code_is_taken(
    campaign, variants, buyer, now
):
    first = factories.order(campaign, variant=variants[1], buyer=buyer, now=now)
    taken = first.expected_payments.get()
    ExpectedPayment.objects.bulk_create(
        ExpectedPayment(
            shop=campaign.shop,
            order=first,
            kind="full",
            base_amount=taken.base_amount,
            unique_code=code,
            amount=taken.base_amount + code,
            due_at=now,
            created_at=now,
        )
        for code in range(1, 1000)
        if code != taken.unique_code
    )
    order = factories.order(campaign, variant=variants[1], buyer=buyer, now=now)
    assert 1000 <= order.expected_payments.get().unique_code <= 9999


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_never_share_a_transfer_amount(shop, now, vendor, record_property):
    campaign = make_campaign(shop, now=now, quotas=(None,))
    variant = campaign.variants.get()

    def buyer(number):
        def order():
            fresh = Campaign.objects.select_related("shop").get(pk=campaign.pk)
            return factories.order(fresh, variant=variant, buyer=factories.buyer(number))

        return order

    orders, errors = run_at_once([buyer(n) for n in range(40)])

    assert errors == []
    amounts = list(
        ExpectedPayment.objects.filter(order__in=[o.pk for o in orders]).values_list(
            "amount", flat=True
        )
    )
    assert len(amounts) == 40 and len(set(amounts)) == 40
    record_property("result", f"{vendor}: 40 concurrent same-price orders → 40 distinct amounts")
