"""Two (or more) expiry workers at the same instant over the same due orders: each order expires
once and gives its units back once. And a buyer sending a proof as the worker expires their
order either keeps the order (the claim waits for the seller) or finds nothing left to pay:
never a claim stranded on an expired order.

Each worker is a thread with its own database connection, released together by a barrier, on
SQLite (`pytest`) and on a real PostgreSQL server (`pytest --postgres`).
"""

import time
from collections import Counter
from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign, Variant
from openpo.core.models import AuditEvent
from openpo.orders.models import Order
from openpo.orders.services import expire_due_orders, place_order
from openpo.payments.models import Payment
from openpo.payments.services import claim_payment
from tests import factories
from tests.concurrency import run_at_once
from tests.conftest import make_campaign

DUE_ORDERS = 30
WORKERS = 3


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_workers_expiring_the_same_orders_at_once_release_each_once(
    shop, now, vendor, record_property
):
    campaign = make_campaign(shop, now=now, quotas=(100, None))
    small, unlimited = campaign.variants.order_by("position")
    orders = [
        place_order(
            campaign=campaign,
            buyer=factories.buyer(n),
            items={small.pk: 1 + n % 3, unlimited.pk: n % 2},
            channel=Order.Channel.MANUAL,
            now=now,
        )
        for n in range(DUE_ORDERS)
    ]
    # One more order, placed later, is not due yet and must stay.
    keep = place_order(
        campaign=campaign,
        buyer=factories.buyer(name="Pembeli baru", phone="081299999999"),
        items={small.pk: 2},
        channel=Order.Channel.MANUAL,
        now=now + timedelta(hours=23),
    )
    late = now + timedelta(hours=25)

    started = time.perf_counter()
    counts, errors = run_at_once([lambda: expire_due_orders(now=late)] * WORKERS)
    seconds = time.perf_counter() - started

    assert errors == []
    assert sum(counts) == DUE_ORDERS
    expired = Order.objects.filter(campaign=campaign, status=Order.Status.EXPIRED)
    assert set(expired.values_list("pk", flat=True)) == {o.pk for o in orders}
    assert set(expired.values_list("expired_at", flat=True)) == {late}
    events = Counter(
        AuditEvent.objects.filter(action="order.expired").values_list("subject_id", flat=True)
    )
    assert events == Counter({str(o.pk): 1 for o in orders})
    # Only the order still inside its window holds units.
    assert Variant.objects.get(pk=small.pk).reserved_units == 2
    assert Variant.objects.get(pk=unlimited.pk).reserved_units == 0
    assert Campaign.objects.get(pk=campaign.pk).reserved_units == 2
    keep.refresh_from_db()
    assert keep.status == Order.Status.ACTIVE
    record_property(
        "result",
        f"{vendor}: {WORKERS} workers expiring {DUE_ORDERS} due orders at once → "
        f"{sorted(counts, reverse=True)} expired per worker, {sum(events.values())} "
        f"order.expired events, {len(errors)} errors, in {seconds * 1000:.0f} ms",
    )


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_proof_sent_as_the_worker_expires_never_leaves_a_claim_on_an_expired_order(
    shop, now, vendor, record_property
):
    campaign = make_campaign(shop, now=now, quotas=(100,))
    variant = campaign.variants.get()
    orders = [
        place_order(
            campaign=campaign,
            buyer=factories.buyer(n),
            items={variant.pk: 1},
            channel=Order.Channel.MANUAL,
            now=now,
        )
        for n in range(DUE_ORDERS)
    ]
    late = now + timedelta(hours=25)
    claims = [lambda o=o: claim_payment(order=Order.objects.get(pk=o.pk), now=late) for o in orders]

    _results, errors = run_at_once([lambda: expire_due_orders(now=late), *claims])

    assert errors == []
    # The claim and the expiry both lock the order row; whichever comes second must see the
    # other's commit (on PostgreSQL the expiry re-reads the claims after taking the lock).
    stranded = Payment.objects.filter(
        status=Payment.Status.CLAIMED, order__status=Order.Status.EXPIRED
    ).count()
    expired = Order.objects.filter(status=Order.Status.EXPIRED).count()
    record_property(
        "result",
        f"{vendor}: 1 worker expiring and {DUE_ORDERS} buyers claiming at once → "
        f"{expired} expired, {stranded} claims left on expired orders",
    )
    assert stranded == 0
