"""Buyers correct their own details until the seller locks the PO's addresses; the lock tells
each buyer once; every correction is audited with its old and new values."""

import pytest

from openpo.catalog.models import Campaign
from openpo.catalog.services.lifecycle import close_campaign
from openpo.core.models import AuditEvent
from openpo.fulfillment.services.addresses import (
    AddressLockRefused,
    BuyerCorrection,
    BuyerEditRefused,
    correct_buyer_details,
    lock_addresses,
    unlock_addresses,
)
from openpo.messaging.models import OutboxMessage
from openpo.orders.errors import InvalidOrder
from openpo.orders.models import Order
from openpo.orders.services.releasing import cancel_order
from tests import factories

pytestmark = pytest.mark.django_db


def _correction(**changes) -> BuyerCorrection:
    values = {
        "name": "Pembeli 1",
        "phone": "0812 0000 0001",
        "address": "Jl. Mawar No. 9 RT 02/RW 05",
        "postal_code": "40115",
    }
    return BuyerCorrection(**{**values, **changes})


@pytest.fixture
def order(campaign):
    return factories.order(campaign)


def test_the_buyer_corrects_the_address_and_the_change_is_audited(order):
    changes = correct_buyer_details(order=order, correction=_correction())

    order.refresh_from_db()
    assert order.address == "Jl. Mawar No. 9 RT 02/RW 05" and order.postal_code == "40115"
    assert changes == {
        "address": ["Jl. Melati 2", "Jl. Mawar No. 9 RT 02/RW 05"],
        "postal_code": ["", "40115"],
    }
    event = AuditEvent.objects.get(action="order.buyer_self_corrected")
    assert event.actor_label == "buyer" and event.actor is None
    assert event.subject_id == str(order.pk) and event.data == {"changes": changes}
    # The order service's own event says the buyer did it, too.
    assert AuditEvent.objects.get(action="order.buyer_updated").actor_label == "buyer"


def test_a_new_number_is_normalised_and_moves_the_order_to_that_customer(order):
    correct_buyer_details(order=order, correction=_correction(phone="0813-9999-8888"))
    order.refresh_from_db()
    assert order.buyer_phone == "+6281399998888"
    assert order.customer.phone == "+6281399998888"


def test_city_and_province_stay_unless_given(campaign):
    order = factories.order(campaign, buyer=factories.buyer(1, city="Bandung", province="Jabar"))
    correct_buyer_details(order=order, correction=_correction())
    order.refresh_from_db()
    assert (order.city, order.province) == ("Bandung", "Jabar")
    correct_buyer_details(order=order, correction=_correction(city="Cimahi", province=""))
    order.refresh_from_db()
    assert (order.city, order.province) == ("Cimahi", "")


def test_a_correction_is_cleaned_like_a_new_order(order):
    with pytest.raises(InvalidOrder) as refused:
        correct_buyer_details(order=order, correction=_correction(postal_code="123", phone="x"))
    assert set(refused.value.field_errors) >= {"postal_code", "phone"}
    order.refresh_from_db()
    assert (
        order.postal_code == ""
        and not AuditEvent.objects.filter(action="order.buyer_self_corrected").exists()
    )


def test_nothing_changed_writes_nothing(order):
    correct_buyer_details(order=order, correction=_correction())
    assert correct_buyer_details(order=order, correction=_correction()) == {}
    assert AuditEvent.objects.filter(action="order.buyer_self_corrected").count() == 1


def test_a_locked_address_refuses_edits(campaign, order, alice):
    close_campaign(campaign=campaign, actor=alice)
    lock_addresses(campaign=campaign, actor=alice)

    with pytest.raises(BuyerEditRefused):
        correct_buyer_details(order=order, correction=_correction())
    order.refresh_from_db()
    assert order.address == "Jl. Melati 2"


def test_a_packed_or_cancelled_order_refuses_edits(campaign, alice):
    packed = factories.order(campaign, buyer=factories.buyer(1))
    Order.objects.filter(pk=packed.pk).update(fulfillment_status=Order.FulfillmentStatus.PACKED)
    packed.refresh_from_db()
    with pytest.raises(BuyerEditRefused):
        correct_buyer_details(order=packed, correction=_correction())
    cancelled = factories.order(campaign, buyer=factories.buyer(2))
    cancelled = cancel_order(order=cancelled, reason="batal", actor=alice)
    with pytest.raises(BuyerEditRefused):
        correct_buyer_details(order=cancelled, correction=_correction(phone="081200000002"))


def test_locking_tells_every_buyer_once_even_after_an_unlock(campaign, alice):
    factories.order(campaign, buyer=factories.buyer(1))
    factories.order(campaign, buyer=factories.buyer(2))
    close_campaign(campaign=campaign, actor=alice)

    locked = lock_addresses(campaign=campaign, actor=alice)
    assert locked.addresses_locked_at is not None
    sent = OutboxMessage.objects.filter(event="addresses_locked").count()
    assert sent >= 2  # a WhatsApp message (and an email where given) per buyer

    unlock_addresses(campaign=campaign, actor=alice)
    assert Campaign.objects.get(pk=campaign.pk).addresses_locked_at is None
    lock_addresses(campaign=campaign, actor=alice)
    lock_addresses(campaign=campaign, actor=alice)
    assert OutboxMessage.objects.filter(event="addresses_locked").count() == sent
    actions = list(
        AuditEvent.objects.filter(action__startswith="campaign.addresses").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "campaign.addresses_locked",
        "campaign.addresses_unlocked",
        "campaign.addresses_locked",
    ]


def test_an_open_po_cannot_be_locked(campaign, alice):
    with pytest.raises(AddressLockRefused):
        lock_addresses(campaign=campaign, actor=alice)
    assert Campaign.objects.get(pk=campaign.pk).addresses_locked_at is None
