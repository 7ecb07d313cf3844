"""The seller's reconfirmation pages: the PO's queue with WhatsApp links, resolving (a stored
row or a reason found at read time), a note from the order page, and the address lock."""

import pytest
from django.conf import settings
from django.urls import reverse

from openpo.catalog.models import Campaign
from openpo.catalog.services.lifecycle import close_campaign
from openpo.core.models import AuditEvent
from openpo.fulfillment.models import Reconfirmation
from openpo.fulfillment.services.addresses import BuyerCorrection, correct_buyer_details
from openpo.messaging.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db
Reason = Reconfirmation.Reason


@pytest.fixture
def seller(client, alice):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def order(campaign):
    return factories.order(campaign, buyer=factories.buyer(2, address="Bandung"))


def test_the_queue_lists_each_reason_with_a_whatsapp_link(seller, campaign, order, shop, now):
    Reconfirmation.objects.create(shop=shop, order=order, reason=Reason.RETURNED, created_at=now)
    html = seller.get(reverse("dashboard:reconfirmations", args=[campaign.pk])).content.decode()
    assert order.code in html
    assert "Address incomplete or doubtful" in html and "Parcel returned" in html
    assert "https://wa.me/6281200000002?text=" in html
    assert "no postal code" in html


def test_resolving_a_stored_row(seller, campaign, order, shop, now, alice):
    row = Reconfirmation.objects.create(
        shop=shop, order=order, reason=Reason.RETURNED, created_at=now
    )
    response = seller.post(
        reverse("dashboard:reconfirmation_resolve", args=[row.pk]),
        {"resolution": "Kirim ulang", "next": "/dashboard/"},
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    row.refresh_from_db()
    assert row.resolved_at and row.resolved_by == alice and row.resolution == "Kirim ulang"


def test_resolving_a_computed_reason_leaves_the_queue(seller, campaign, order):
    response = seller.post(
        reverse("dashboard:reconfirmation_resolve_reason", args=[order.pk]),
        {"reason": Reason.ADDRESS, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("dashboard:reconfirmations", args=[campaign.pk])
    assert Reconfirmation.objects.get(order=order).resolved_at is not None
    html = seller.get(reverse("dashboard:reconfirmations", args=[campaign.pk])).content.decode()
    assert f'id="reconfirm-{order.pk}-address"' not in html
    assert "Nothing to confirm" in html


def test_a_note_from_the_order_page_joins_the_queue(seller, order):
    response = seller.post(
        reverse("dashboard:reconfirmation_note", args=[order.pk]), {"note": "Ukuran benar?"}
    )
    assert response["Location"].endswith("#reconfirm")
    row = Reconfirmation.objects.get(order=order, reason=Reason.NOTE)
    assert row.note == "Ukuran benar?" and row.resolved_at is None
    html = seller.get(reverse("dashboard:order", args=[order.pk])).content.decode()
    assert "Seller&#x27;s note" in html or "Seller's note" in html


def test_locking_addresses_tells_buyers_and_unlocking_allows_corrections(
    seller, campaign, order, alice
):
    url = reverse("dashboard:addresses_lock", args=[campaign.pk])
    seller.post(url)
    assert Campaign.objects.get(pk=campaign.pk).addresses_locked_at is None  # still open

    close_campaign(campaign=campaign, actor=alice)
    seller.post(url)
    assert Campaign.objects.get(pk=campaign.pk).addresses_locked_at is not None
    assert OutboxMessage.objects.filter(event="addresses_locked", order=order).exists()

    seller.post(url, {"unlock": "1"})
    assert Campaign.objects.get(pk=campaign.pk).addresses_locked_at is None


def test_the_order_page_shows_the_buyers_own_correction_once(seller, order):
    correct_buyer_details(
        order=order,
        correction=BuyerCorrection(
            name="Pembeli 2", phone="081200000002", address="Jl. Mawar 9", postal_code="40115"
        ),
    )
    html = seller.get(reverse("dashboard:order", args=[order.pk])).content.decode()
    assert "Buyer corrected their own details" in html
    assert "Address: Bandung → Jl. Mawar 9" in html
    assert "Buyer details corrected" not in html  # the order service's event, not twice
    assert AuditEvent.objects.filter(action="order.buyer_updated").exists()


def test_staff_use_the_queue_too(client, bob, campaign, order):
    client.force_login(bob)
    url = reverse("dashboard:reconfirmations", args=[campaign.pk])
    assert client.get(url).status_code == 200


def test_the_actions_take_only_posts(seller, campaign, order):
    for url in (
        reverse("dashboard:addresses_lock", args=[campaign.pk]),
        reverse("dashboard:reconfirmation_note", args=[order.pk]),
        reverse("dashboard:reconfirmation_resolve_reason", args=[order.pk]),
    ):
        assert seller.get(url).status_code == 405
