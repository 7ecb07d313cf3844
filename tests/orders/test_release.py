"""Cancelling and expiring orders give their units back exactly once."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign, Variant
from openpo.core.models import AuditEvent
from openpo.orders.models import Order
from openpo.orders.services import cancel_order, expire_due_orders, expire_order
from tests import factories
from tests.concurrency import run_at_once
from tests.conftest import make_campaign


def _reserved(campaign):
    campaign.refresh_from_db()
    return campaign.reserved_units, list(
        Variant.objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("reserved_units", flat=True)
    )


@pytest.mark.django_db
def test_it_cancels_and_releases_the_units(campaign, variants, buyer, now, alice):
    order = factories.order(
        campaign, items={variants[0].pk: 3, variants[1].pk: 2}, buyer=buyer, now=now
    )
    cancelled = cancel_order(order=order, reason="Salah ukuran", actor=alice, now=now)

    assert cancelled.status == Order.Status.CANCELLED
    assert cancelled.cancel_reason == "Salah ukuran" and cancelled.cancelled_at == now
    assert _reserved(campaign) == (0, [0, 0])
    event = AuditEvent.objects.get(action="order.cancelled")
    assert event.actor == alice and event.data["reason"] == "Salah ukuran"


@pytest.mark.django_db
def test_it_releases_only_once_when_cancelled_twice(campaign, buyer, now):
    keep = factories.order(campaign, units=4, buyer=buyer, now=now)
    order = factories.order(campaign, units=3, buyer=buyer, now=now)
    cancel_order(order=order, now=now)
    cancel_order(order=order, now=now)

    assert _reserved(campaign) == (4, [4, 0])
    assert AuditEvent.objects.filter(action="order.cancelled").count() == 1
    assert keep.status == Order.Status.ACTIVE


@pytest.mark.django_db
def test_it_expires_an_unpaid_order_after_its_deadline(campaign, buyer, now):
    order = factories.order(campaign, units=2, buyer=buyer, now=now)

    early = expire_order(order=order, now=order.payment_deadline - timedelta(minutes=1))
    assert early.status == Order.Status.ACTIVE
    assert _reserved(campaign) == (2, [2, 0])

    late = order.payment_deadline + timedelta(minutes=1)
    assert expire_order(order=order, now=late).status == Order.Status.EXPIRED
    assert expire_order(order=order, now=late).expired_at == late
    assert _reserved(campaign) == (0, [0, 0])
    assert AuditEvent.objects.filter(action="order.expired").count() == 1


@pytest.mark.django_db
def test_it_never_expires_a_paid_order(campaign, buyer, now):
    order = factories.order(campaign, units=2, buyer=buyer, now=now)
    Order.objects.filter(pk=order.pk).update(payment_status=Order.PaymentStatus.PAID)
    assert expire_order(order=order, now=now + timedelta(days=5)).status == Order.Status.ACTIVE
    assert _reserved(campaign) == (2, [2, 0])


@pytest.mark.django_db
def test_it_does_not_expire_a_cancelled_order(campaign, buyer, now):
    order = factories.order(campaign, units=2, buyer=buyer, now=now)
    cancel_order(order=order, now=now)
    assert expire_order(order=order, now=now + timedelta(days=5)).status == Order.Status.CANCELLED
    assert _reserved(campaign) == (0, [0, 0])


@pytest.mark.django_db
def test_it_expires_all_due_orders_in_a_batch(campaign, buyer, now):
    due = [factories.order(campaign, buyer=buyer, now=now) for _ in range(3)]
    fresh = factories.order(campaign, buyer=buyer, now=now + timedelta(hours=20))
    assert expire_due_orders(now=now + timedelta(hours=25)) == 3
    assert expire_due_orders(now=now + timedelta(hours=25)) == 0
    assert {o.pk for o in Order.objects.filter(status=Order.Status.EXPIRED)} == {o.pk for o in due}
    fresh.refresh_from_db()
    assert fresh.status == Order.Status.ACTIVE
    assert _reserved(campaign) == (1, [1, 0])


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_worker_and_the_seller_cancelling_at_once_release_once(
    shop, now, buyer, vendor, record_property
):
    campaign = make_campaign(shop, now=now, quotas=(20,))
    variant = campaign.variants.get()
    orders = [
        factories.order(campaign, variant=variant, units=2, buyer=buyer, now=now) for _ in range(5)
    ]
    late = now + timedelta(days=2)
    calls = [lambda o=o: cancel_order(order=Order.objects.get(pk=o.pk), now=late) for o in orders]
    calls += [lambda o=o: expire_order(order=Order.objects.get(pk=o.pk), now=late) for o in orders]

    _results, errors = run_at_once(calls)

    assert errors == []
    variant.refresh_from_db()
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (variant.reserved_units, campaign.reserved_units) == (0, 0)
    released = AuditEvent.objects.filter(action__in=["order.cancelled", "order.expired"]).count()
    assert released == 5
    record_property(
        "result", f"{vendor}: 5 orders, 10 concurrent cancel/expire calls → {released} releases"
    )
