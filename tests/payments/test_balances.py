"""The one reading of what buyers owe and what goes back to them (payments.balances): an order
goes ahead while it is active and its PO has neither failed nor been cancelled; only such an
order owes anything; what an order that does not go ahead holds is to refund."""

from dataclasses import fields

import pytest

from openpo.catalog.services.lifecycle import cancel_campaign
from openpo.orders.models import Order
from openpo.orders.services import cancel_order
from openpo.payments.balances import (
    Balance,
    balance_by_campaign,
    balance_of,
    campaign_balance,
    order_balance,
    refund_owed,
    refunds_due,
)
from openpo.payments.services import record_refund
from tests import factories
from tests.conftest import make_campaign
from tests.payments import failed_po_world as world

pytestmark = pytest.mark.django_db


def _sum(balances: list[Balance]) -> Balance:
    return Balance(**{f.name: sum(getattr(b, f.name) for b in balances) for f in fields(Balance)})


def test_a_failed_po_owes_nothing_and_gives_back_what_it_holds(shop, now):
    failed = world.build_failed_po(shop, now=now)

    balance = campaign_balance(failed.campaign)

    assert balance == Balance(
        due=0,
        paid=0,
        owed=0,
        to_refund=world.TO_REFUND,
        refunded=world.REFUNDED,
        orders_to_refund=world.ORDERS_TO_REFUND,
        orders_refunded=world.ORDERS_REFUNDED,
    )
    assert balance.refunded_percent == round(100 * 170 / (170 + 285))


def test_each_order_of_a_failed_po_has_its_own_share(shop, now):
    failed = world.build_failed_po(shop, now=now)

    shares = {
        o.buyer_name: (order_balance(o).to_refund, order_balance(o).refunded) for o in failed.orders
    }

    assert shares == {
        "Pembeli 1": (100_000, 35_000),  # paid, partly refunded
        "Pembeli 2": (50_000, 0),  # partly paid
        "Pembeli 3": (0, 0),  # unpaid
        "Pembeli 4": (135_000, 0),  # paid, then cancelled
        "Pembeli 5": (0, 135_000),  # refunded in full
        "Pembeli 6": (0, 0),  # expired
    }
    assert all(order_balance(o).owed == 0 for o in failed.orders)
    assert [refund_owed(o) for o in failed.orders] == [100_000, 50_000, 0, 135_000, 0, 0]


def test_the_orders_add_up_to_the_po(shop, campaign, buyer, now):
    failed = world.build_failed_po(shop, now=now)
    factories.paid_order(campaign, buyer=buyer, amount=50_000, now=now)
    factories.paid_order(campaign, buyer=buyer, amount=200_000, allow_overpayment=True, now=now)
    cancel_order(
        order=factories.paid_order(campaign, buyer=buyer, amount=135_000, now=now), now=now
    )

    for po in (failed.campaign, campaign):
        orders = list(Order.objects.filter(campaign=po).select_related("campaign"))
        assert _sum([order_balance(o) for o in orders]) == campaign_balance(po)
    assert set(refunds_due(Order.objects.filter(campaign=failed.campaign))) == {
        failed.paid,
        failed.partly_paid,
        failed.cancelled,
    }


def test_an_order_that_goes_ahead_owes_the_rest_and_gives_back_an_over_payment(
    campaign, buyer, now
):
    part = factories.paid_order(campaign, buyer=buyer, amount=50_000, now=now)
    over = factories.paid_order(
        campaign, buyer=buyer, amount=200_000, allow_overpayment=True, now=now
    )
    factories.order(campaign, buyer=buyer, now=now)
    cancelled = cancel_order(
        order=factories.paid_order(campaign, buyer=buyer, amount=135_000, now=now), now=now
    )
    record_refund(order=cancelled, amount=35_000, now=now)

    balance = campaign_balance(campaign)

    assert (balance.due, balance.paid) == (3 * 135_000, 250_000)
    assert balance.owed == 85_000 + 135_000  # the cancelled order owes nothing
    assert balance.to_refund == 65_000 + 100_000  # the over-payment, the cancelled order's rest
    assert (balance.refunded, balance.orders_to_refund, balance.orders_refunded) == (35_000, 2, 0)
    assert order_balance(part).owed == 85_000
    assert order_balance(over).to_refund == 65_000
    assert balance.paid_percent == round(100 * 250_000 / 405_000)


def test_a_cancelled_po_reads_like_a_failed_one(campaign, buyer, now):
    factories.paid_order(campaign, buyer=buyer, amount=135_000, now=now)
    factories.order(campaign, buyer=buyer, now=now)
    cancel_campaign(campaign=campaign, reason="pabrik tutup", now=now)

    balance = campaign_balance(campaign)

    assert (balance.due, balance.owed, balance.to_refund, balance.orders_to_refund) == (
        0,
        0,
        135_000,
        1,
    )


def test_per_po_balances_are_each_pos_own(shop, other_shop, campaign, buyer, now):
    failed = world.build_failed_po(shop, now=now)
    factories.paid_order(campaign, buyer=buyer, amount=50_000, now=now)
    theirs = make_campaign(other_shop, now=now, title="PO Charlie")
    factories.paid_order(theirs, buyer=buyer, amount=99_000, now=now)

    per_po = balance_by_campaign(Order.objects.filter(shop=shop))

    assert set(per_po) == {failed.campaign.pk, campaign.pk}
    assert per_po[failed.campaign.pk] == campaign_balance(failed.campaign)
    assert per_po[campaign.pk] == campaign_balance(campaign)
    assert balance_of(Order.objects.filter(shop=shop)).to_refund == world.TO_REFUND
    assert balance_of(Order.objects.none()) == Balance()
