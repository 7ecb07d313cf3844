"""A PO that missed its minimum, with an order in every money state: paid (and partly refunded),
partly paid, unpaid, paid then cancelled, paid then refunded in full, and expired unpaid.

Every order costs Rp 135.000 (Rp 120.000 + Rp 15.000 shipping). What the pages must agree on:
nothing is owed; Rp 100.000 + Rp 50.000 + Rp 135.000 = Rp 285.000 is to refund (3 orders);
Rp 35.000 + Rp 135.000 = Rp 170.000 was refunded, and 1 order is refunded in full.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from openpo.catalog.models import Campaign, Shop
from openpo.catalog.services.lifecycle import close_campaign, fail_campaign
from openpo.orders.models import Order
from openpo.orders.services import cancel_order, expire_order
from openpo.payments.services import record_refund
from tests import factories
from tests.conftest import make_campaign

TO_REFUND = 285_000
REFUNDED = 170_000
ORDERS_TO_REFUND = 3
ORDERS_REFUNDED = 1


@dataclass
class FailedPO:
    campaign: Campaign
    paid: Order  # paid 135.000, 35.000 refunded: 100.000 to refund
    partly_paid: Order  # paid 50.000: to refund
    unpaid: Order  # nothing paid, nothing to refund
    cancelled: Order  # paid 135.000, then cancelled: to refund
    refunded: Order  # paid 135.000, refunded in full
    expired: Order  # never paid, expired

    @property
    def orders(self) -> list[Order]:
        return [
            self.paid,
            self.partly_paid,
            self.unpaid,
            self.cancelled,
            self.refunded,
            self.expired,
        ]


def build_failed_po(shop: Shop, *, now: datetime, title: str = "PO Tas Gagal") -> FailedPO:
    campaign = make_campaign(shop, now=now, quotas=(None,), moq_units=20, title=title)
    variant = campaign.variants.get()

    def order(n: int, paid: int = 0) -> Order:
        placed = factories.order(campaign, variant=variant, buyer=factories.buyer(n), now=now)
        return factories.pay(placed, amount=paid, now=now) if paid else placed

    paid, partly_paid, unpaid = order(1, 135_000), order(2, 50_000), order(3)
    cancelled = cancel_order(order=order(4, 135_000), reason="ganti ukuran", now=now)
    refunded = order(5, 135_000)
    expired = order(6)
    expired = expire_order(order=expired, now=expired.payment_deadline + timedelta(minutes=1))
    campaign = close_campaign(campaign=campaign, now=now)
    campaign = fail_campaign(campaign=campaign, now=now)
    later = now + timedelta(days=1)
    record_refund(order=refunded, amount=135_000, note="transfer BCA", now=later)
    record_refund(order=paid, amount=35_000, note="sebagian", now=later)
    world = FailedPO(campaign, paid, partly_paid, unpaid, cancelled, refunded, expired)
    for each in world.orders:
        each.refresh_from_db()
    return world
