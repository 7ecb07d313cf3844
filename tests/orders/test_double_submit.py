"""A double tap or a browser retry sends the same order twice at the same instant: one order."""

import pytest

from openpo.catalog.models import Campaign, Variant
from openpo.orders.models import Order
from openpo.orders.services import place_order
from tests.concurrency import run_at_once
from tests.conftest import make_campaign


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_eight_identical_submits_make_one_order(shop, now, buyer, vendor, record_property):
    campaign = make_campaign(shop, now=now, quotas=(20,))
    variant = campaign.variants.get()

    def submit():
        fresh = Campaign.objects.select_related("shop").get(pk=campaign.pk)
        return place_order(
            terms_accepted=True,
            campaign=fresh,
            buyer=buyer,
            items={variant.pk: 2},
            idempotency_key="tap-1",
        )

    orders, errors = run_at_once([submit] * 8)

    assert errors == []
    assert len({order.pk for order in orders}) == 1
    assert Order.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).reserved_units == 2
    assert Campaign.objects.get(pk=campaign.pk).reserved_units == 2
    record_property("result", f"{vendor}: 8 identical submits → {Order.objects.count()} order")
