"""A war PO: many buyers at the same instant, one limited variant. No slot is ever sold twice.

Each buyer is a thread with its own database connection, released together by a barrier, on
SQLite (`pytest`) and on a real PostgreSQL server (`pytest --postgres`).
"""

import time

import pytest

from openpo.catalog.models import Campaign, Variant
from openpo.orders.errors import SoldOut
from openpo.orders.models import Order
from openpo.orders.services import place_order
from tests import factories
from tests.concurrency import run_at_once
from tests.conftest import make_campaign

BUYERS = 50
QUOTA = 20


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_race_for_twenty_slots(shop, now, vendor, record_property):
    campaign = make_campaign(shop, now=now, quotas=(QUOTA,))
    variant = campaign.variants.get()

    def buyer(number: int):
        def press_order():
            # Like a request: load the campaign, then place the order.
            fresh = Campaign.objects.select_related("shop").get(pk=campaign.pk)
            return place_order(
                terms_accepted=True,
                campaign=fresh,
                buyer=factories.buyer(number),
                items={variant.pk: 1},
            )

        return press_order

    started = time.perf_counter()
    orders, errors = run_at_once([buyer(n) for n in range(BUYERS)])
    seconds = time.perf_counter() - started
    sold_out = [e for e in errors if isinstance(e, SoldOut)]
    other_errors = [e for e in errors if not isinstance(e, SoldOut)]

    assert other_errors == []
    assert (len(orders), len(sold_out)) == (QUOTA, BUYERS - QUOTA)
    assert Order.objects.filter(campaign=campaign, status=Order.Status.ACTIVE).count() == QUOTA
    assert len({order.code for order in orders}) == QUOTA
    assert Variant.objects.get(pk=variant.pk).reserved_units == QUOTA
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.reserved_units == QUOTA
    # Nothing left to sell: the PO closed itself.
    assert (campaign.status, campaign.close_reason) == ("closed", "sold_out")
    record_property(
        "result",
        f"{vendor}: {BUYERS} buyers, quota {QUOTA} → {len(orders)} orders, "
        f"{len(sold_out)} SoldOut, {len(other_errors)} other errors, reserved "
        f"{campaign.reserved_units}, in {seconds * 1000:.0f} ms",
    )
