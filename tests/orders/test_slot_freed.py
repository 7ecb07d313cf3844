"""A sold-out PO whose buyer cancels or lets an order expire takes the next buyer again: the
freed slot is orderable at once, not after the seller reopens the PO by hand."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign
from openpo.orders.errors import SoldOut
from openpo.orders.services.releasing import cancel_order, expire_order
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db(transaction=True)


def _place(campaign, variant, n, now):
    return factories.order(campaign, variant=variant, buyer=factories.buyer(n), now=now)


@pytest.mark.parametrize("release", ["cancel", "expire"])
def test_a_slot_freed_after_a_sold_out_answer_is_orderable_again(shop, alice, now, release):
    campaign = make_campaign(shop, now=now, quotas=(2,))
    variant = campaign.variants.get()
    first = _place(campaign, variant, 1, now)
    _place(campaign, variant, 2, now)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED  # sold out: it closed itself

    with pytest.raises(SoldOut):
        _place(campaign, variant, 3, now)

    if release == "cancel":
        cancel_order(order=first, actor=alice, reason="buyer asked", now=now)
    else:
        expire_order(order=first, now=first.payment_deadline + timedelta(minutes=1))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN

    third = _place(campaign, variant, 3, now)
    assert third.units == 1
    campaign.refresh_from_db()
    assert (campaign.status, campaign.reserved_units) == (Campaign.Status.CLOSED, 2)


def test_a_po_past_its_closing_time_stays_closed_when_a_slot_frees(shop, alice, now):
    campaign = make_campaign(shop, now=now, quotas=(1,), closes_at=now + timedelta(hours=1))
    variant = campaign.variants.get()
    order = _place(campaign, variant, 1, now)

    cancel_order(order=order, actor=alice, reason="late", now=now + timedelta(hours=2))

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
