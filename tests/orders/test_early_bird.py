"""Early-bird prices: until a date, or for the first N units of the PO, and never more."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign
from openpo.orders.services import cancel_order
from tests import factories
from tests.concurrency import run_at_once
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _early(campaign, price=100_000):
    variant = campaign.variants.first()
    variant.early_bird_price = price
    variant.save(update_fields=["early_bird_price"])
    return variant


def test_the_early_bird_price_holds_until_its_date(shop, now):
    campaign = make_campaign(shop, now=now, early_bird_until=now + timedelta(hours=2))
    variant = _early(campaign)

    early = factories.order(campaign, variant=variant, units=2, buyer=factories.buyer(1), now=now)
    late = factories.order(
        campaign, variant=variant, units=2, buyer=factories.buyer(2), now=now + timedelta(hours=3)
    )

    assert (early.subtotal, early.early_bird) == (200_000, True)
    assert early.lines.get().unit_price == 100_000
    assert (late.subtotal, late.early_bird) == (240_000, False)
    assert late.total == 240_000 + 15_000


def test_the_first_n_units_get_the_early_bird_price(shop, now):
    campaign = make_campaign(shop, now=now, quotas=(None,), early_bird_units=3)
    variant = _early(campaign)

    first = factories.order(campaign, variant=variant, units=2, buyer=factories.buyer(1))
    # One early-bird unit is left; an order for two pays the normal price for both.
    second = factories.order(campaign, variant=variant, units=2, buyer=factories.buyer(2))
    third = factories.order(campaign, variant=variant, buyer=factories.buyer(3))
    cancel_order(order=first, reason="test")
    fourth = factories.order(campaign, variant=variant, buyer=factories.buyer(4))

    assert [o.early_bird for o in (first, second, third, fourth)] == [True, False, True, False]
    assert [o.subtotal for o in (first, second, third, fourth)] == [
        200_000,
        240_000,
        100_000,
        120_000,
    ]
    campaign.refresh_from_db()
    # Cancelling does not give early-bird units back: no more than 3 are ever sold cheaper.
    assert (campaign.early_bird_units_sold, campaign.early_bird_units_left) == (3, 0)


def test_variants_without_an_early_bird_price_keep_their_price(shop, now):
    campaign = make_campaign(shop, now=now, quotas=(None, None), early_bird_units=10)
    cheap, plain = _early(campaign), campaign.variants.last()

    order = factories.order(campaign, items={cheap.pk: 1, plain.pk: 1})

    assert order.subtotal == 100_000 + 120_000


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_buyers_racing_for_early_bird_units_never_get_more_than_n(shop, now):
    campaign = make_campaign(shop, now=now, quotas=(None,), early_bird_units=5)
    variant = _early(campaign)

    def buyer(number):
        def press():
            fresh = Campaign.objects.select_related("shop").get(pk=campaign.pk)
            return factories.order(fresh, variant=variant, buyer=factories.buyer(number))

        return press

    orders, errors = run_at_once([buyer(n) for n in range(20)])

    assert errors == []
    assert len(orders) == 20
    assert sum(o.early_bird for o in orders) == 5
    assert sorted(o.subtotal for o in orders) == [100_000] * 5 + [120_000] * 15
    campaign.refresh_from_db()
    assert campaign.early_bird_units_sold == 5
