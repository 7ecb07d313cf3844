"""A war PO: many buyers at the same instant, one limited variant. No slot is ever sold twice.

Each buyer is a thread with its own database connection, released together by a barrier, on
SQLite (`pytest`) and on a real PostgreSQL server (`pytest --postgres`).
"""

import threading
import time

import pytest
from django.db import connections

from openpo.catalog.models import Campaign, Variant
from openpo.orders.errors import SoldOut
from openpo.orders.models import Order
from openpo.orders.services import BuyerDetails, place_order
from tests.conftest import make_campaign

BUYERS = 50
QUOTA = 20


def _race(campaign_id: int, variant_id: int, buyers: int) -> tuple[list, list, list, float]:
    orders, sold_out, errors = [], [], []
    barrier = threading.Barrier(buyers)
    lock = threading.Lock()

    def buyer(number: int) -> None:
        try:
            # Like a request: load the campaign first, then everyone presses "Pesan" at once.
            campaign = Campaign.objects.select_related("shop").get(pk=campaign_id)
            details = BuyerDetails(name=f"Pembeli {number}", phone=f"0812{number:08d}")
            barrier.wait()
            order = place_order(campaign=campaign, buyer=details, items={variant_id: 1})
            with lock:
                orders.append(order)
        except SoldOut as exc:
            with lock:
                sold_out.append(exc)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(buyers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return orders, sold_out, errors, time.perf_counter() - started


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_race_for_twenty_slots(shop, now, vendor, record_property):
    campaign = make_campaign(shop, now=now, quotas=(QUOTA,))
    variant = campaign.variants.get()

    orders, sold_out, errors, seconds = _race(campaign.pk, variant.pk, BUYERS)

    assert errors == []
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
        f"{len(sold_out)} SoldOut, {len(errors)} errors, reserved {QUOTA}, "
        f"in {seconds * 1000:.0f} ms",
    )
