"""A PO that sold out answers the rush from memory for a second, and a freed slot still sells.

Once every buyer is told "sold out" (or "closed"), the next second's taps are answered without
reading the PO or writing a rate-limit count (orders/refusals.py). A cancellation in this
process takes the memory back at once; one in another process (here: the rows changed behind
this process's back) counts within a second. A buyer retrying the order they placed gets it.
"""

import time

import pytest

from openpo.catalog.models import Campaign, Variant
from openpo.orders import refusals
from openpo.orders.errors import SoldOut
from openpo.orders.models import Order
from openpo.orders.services.releasing import cancel_order
from tests.api.conftest import order_body, post_order
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sold_out(client, shop, now):
    """A PO of one slot, bought by the first buyer; the second was told it sold out."""
    campaign = make_campaign(shop, now=now, quotas=(1,), slug="war")
    variant = campaign.variants.get()
    first = post_order(client, campaign, order_body([(variant.sku, 1)]), key="first-buyer")
    assert first.status_code == 201
    second = post_order(client, campaign, order_body([(variant.sku, 1)], phone="0813-1111-2222"))
    assert (second.status_code, second.json()["code"]) == (409, "sold_out")
    return campaign, variant, first.json()["code"]


def _try(client, campaign, variant, n, key=""):
    body = order_body([(variant.sku, 1)], phone=f"0815-0000-{n:04d}", name=f"Pembeli {n}")
    return post_order(client, campaign, body, key=key)


def test_the_rush_after_a_sold_out_answer_is_answered_without_queries(
    client, sold_out, django_assert_max_num_queries
):
    campaign, variant, _code = sold_out
    with django_assert_max_num_queries(0):
        response = _try(client, campaign, variant, 3)
    assert (response.status_code, response.json()["message"]) == (
        409,
        "Maaf, PO ini sudah habis terjual.",
    )
    # With a key: one read, whether the key made an order of this PO.
    with django_assert_max_num_queries(1):
        assert _try(client, campaign, variant, 4, key="new-buyer").status_code == 409


def test_a_slot_cancelled_in_this_process_sells_again_at_once(client, sold_out, alice):
    campaign, variant, code = sold_out
    assert _try(client, campaign, variant, 3).status_code == 409

    cancel_order(order=Order.objects.get(code=code), actor=alice, reason="batal", now=None)

    response = _try(client, campaign, variant, 4)
    assert response.status_code == 201
    assert Variant.objects.get(pk=variant.pk).reserved_units == 1


def test_a_slot_freed_by_another_process_sells_within_a_second(client, sold_out, alice):
    campaign, variant, code = sold_out
    # Another web process cancels the order; this process still remembers the sold-out answer.
    cancel_order(order=Order.objects.get(code=code), actor=alice, reason="batal", now=None)
    refusals.remember(
        campaign.shop.slug, campaign.slug, campaign.pk, SoldOut(SoldOut.campaign_sold_out)
    )
    assert _try(client, campaign, variant, 4).status_code == 409

    started = time.monotonic()
    while (response := _try(client, campaign, variant, 5)).status_code == 409:
        assert time.monotonic() - started < refusals.HOLD_SECONDS + 0.5
        time.sleep(0.05)

    assert response.status_code == 201
    assert time.monotonic() - started <= refusals.HOLD_SECONDS + 0.5


def test_a_buyer_retrying_their_placed_order_gets_it_not_the_refusal(client, sold_out):
    campaign, variant, code = sold_out
    assert _try(client, campaign, variant, 3).status_code == 409  # remembered now

    again = post_order(client, campaign, order_body([(variant.sku, 1)]), key="first-buyer")

    assert (again.status_code, again.json()["code"]) == (201, code)


def test_a_po_not_open_yet_is_not_remembered(client, shop, now):
    from datetime import timedelta

    campaign = make_campaign(shop, now=now, quotas=(5,), slug="soon")
    Campaign.objects.filter(pk=campaign.pk).update(opens_at=now + timedelta(seconds=2))
    variant = campaign.variants.get()
    assert _try(client, campaign, variant, 1).json()["code"] == "not_open"

    Campaign.objects.filter(pk=campaign.pk).update(opens_at=now - timedelta(minutes=1))

    assert _try(client, campaign, variant, 2).status_code == 201
