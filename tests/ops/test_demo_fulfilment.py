"""`openpo demo` shows the second half of a PO's life: production stages and updates, parcels
(shipped, delivered, packed, returned), reconfirmations and approved testimonials.

The demo is loaded once for the module (a few seconds) in a transaction rolled back after its
last test, like `test_demo.py`.
"""

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from openpo.catalog.models import Campaign
from openpo.fulfillment.couriers import resi_warning
from openpo.fulfillment.models import (
    ProductionStage,
    ProductionUpdate,
    Reconfirmation,
    ScheduleChange,
    Shipment,
)
from openpo.fulfillment.models import Testimonial as Rating
from openpo.fulfillment.services.delays import delay_of
from openpo.fulfillment.services.shipping import shipment_counts
from openpo.ops.demo import load_demo
from openpo.ops.demo.shop_data import CAMPAIGNS
from openpo.ops.demo.timing import wib_moment

S = Shipment.Status


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def campaign(status: str) -> Campaign:
    story = Campaign.objects.exclude(slug__startswith="arsip-")  # not the two years of history
    return story.get(shop__slug="demo", status=status)


@pytest.mark.django_db
def test_pos_past_closing_have_their_stages_and_updates(demo):

    for status in (Campaign.Status.PRODUCING, Campaign.Status.SHIPPING, Campaign.Status.COMPLETED):
        po = campaign(status)
        stages = ProductionStage.objects.filter(campaign=po)
        assert stages.count() == 5
        assert stages.filter(done_at__isnull=False).exists()
        assert ProductionUpdate.objects.filter(campaign=po, sent_to_buyers=True).exists()
        for stage in stages.filter(done_at__isnull=False):
            assert po.production_started_at <= stage.done_at <= timezone.now()
    producing = campaign(Campaign.Status.PRODUCING)
    assert ProductionStage.objects.filter(campaign=producing, done_at__isnull=True).exists()
    for status in (Campaign.Status.SHIPPING, Campaign.Status.COMPLETED):
        assert not ProductionStage.objects.filter(campaign=campaign(status), done_at=None).exists()


@pytest.mark.django_db
def test_the_producing_po_moved_its_ship_date_a_little_with_a_reason(demo):

    producing = campaign(Campaign.Status.PRODUCING)
    change = ScheduleChange.objects.get(campaign=producing)
    assert change.reason and change.new_date == producing.ships_on
    delay = delay_of(producing)
    assert 0 < delay.days <= delay.limit_days


@pytest.mark.django_db
def test_the_shipping_po_has_parcels_in_every_step_and_orders_still_to_ship(demo):

    shipping = campaign(Campaign.Status.SHIPPING)
    parcels = Shipment.objects.filter(campaign=shipping)
    statuses = set(parcels.values_list("status", flat=True))
    assert {S.PACKED, S.SHIPPED, S.RETURNED} <= statuses
    counts = shipment_counts(shipping)
    assert counts["shipped"] + counts["delivered"] > counts["to_ship"] > 0
    returned = parcels.get(status=S.RETURNED)
    assert Reconfirmation.objects.filter(
        order__in=returned.orders.all(), reason=Reconfirmation.Reason.RETURNED, resolved_at=None
    ).exists()
    assert Reconfirmation.objects.filter(
        order__campaign=shipping, reason=Reconfirmation.Reason.NOTE
    ).exists()
    for parcel in parcels.exclude(status=S.PACKED):
        assert shipping.production_started_at < parcel.shipped_at <= timezone.now()
        assert not resi_warning(parcel.courier, parcel.tracking_number)
    assert len(set(parcels.values_list("courier", flat=True))) >= 4


@pytest.mark.django_db
def test_the_completed_po_delivered_every_paid_order_and_shows_testimonials(demo):

    completed = campaign(Campaign.Status.COMPLETED)
    counts = shipment_counts(completed)
    assert counts["delivered"] > 0
    assert counts["to_ship"] == counts["pending"] == counts["shipped"] == 0
    parcels = Shipment.objects.filter(campaign=completed)
    assert parcels.filter(status=S.RETURNED).count() == 1
    assert parcels.annotate(n=Count("orders")).filter(n__gt=1).exists()  # combined parcels
    spec = next(spec for spec in CAMPAIGNS if spec.slug == completed.slug)
    completed_at = wib_moment(timezone.now(), *spec.completed)
    for parcel in parcels.filter(status=S.DELIVERED):
        assert parcel.shipped_at < parcel.delivered_at < completed_at
    testimonials = Rating.objects.filter(campaign=completed)
    approved = testimonials.filter(approved_at__isnull=False)
    assert approved.count() >= 5
    assert all(t.rating >= 4 for t in approved)
    assert testimonials.filter(rating=3, approved_at=None).exists()
