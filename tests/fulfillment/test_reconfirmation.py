"""The reconfirmation queue: address heuristics for Indonesian addresses, a settlement past due,
returned parcels and the seller's notes, each with a WhatsApp message; resolving; the counts."""

from datetime import timedelta
from urllib.parse import unquote

import pytest

from openpo.catalog.models import Campaign
from openpo.fulfillment.models import Reconfirmation
from openpo.fulfillment.services.reconfirmation import (
    ReconfirmationError,
    add_note,
    address_problems,
    open_counts,
    reconfirmation_queue,
    resolve,
    resolve_reason,
)
from openpo.orders.models import Order
from openpo.orders.services.releasing import cancel_order
from openpo.payments.models import ExpectedPayment
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db
Reason = Reconfirmation.Reason


def _order(campaign, n=1, **details):
    return factories.order(campaign, buyer=factories.buyer(n, **details))


def _reasons(campaign):
    return [(e.order.code, e.reason) for e in reconfirmation_queue(campaign=campaign)]


@pytest.mark.parametrize(
    "address",
    [
        "Jl. Melati No. 5, Bandung",
        "Jalan Kaliurang KM 7, Sleman",
        "Gg. Mawar 7, Kel. Sukajadi",
        "Perum Griya Asri Blok C2 No 11",
        "Dusun Krajan RT 01 RW 02, Desa Sumberejo",
        "Komplek Batununggal Indah II",
        "Kp. Cibogo, Kec. Lembang",
    ],
)
def test_real_addresses_pass(address):
    order = Order(address=address, postal_code="40115")
    assert address_problems(order) == []


@pytest.mark.parametrize(
    ("address", "postal_code", "expected"),
    [
        ("Jl. Melati No. 5, Bandung", "", "no postal code"),
        ("Jl. Melati No. 5, Bandung", "4011", "the postal code is not 5 digits"),
        ("Jl. Melati No. 5, Bandung", "4011A", "the postal code is not 5 digits"),
        ("Rumah Ibu Sari, Bandung kota", "40115", "no street, house number or RT/RW"),
        ("Jl. A", "40115", "the address is very short"),
        ("", "40115", "no address"),
    ],
)
def test_doubtful_addresses_are_named(address, postal_code, expected):
    order = Order(address=address, postal_code=postal_code)
    assert expected in address_problems(order)


def test_it_lists_an_incomplete_address_with_a_whatsapp_message_to_the_buyer(campaign):
    fine = _order(campaign, 1, address="Jl. Melati No. 5", postal_code="40115")
    bad = _order(campaign, 2, address="Rumah Bu Sari dekat pasar")

    entries = reconfirmation_queue(campaign=campaign)

    assert [(e.order, e.reason) for e in entries] == [(bad, Reason.ADDRESS)]
    entry = entries[0]
    assert "no postal code" in entry.details
    assert entry.whatsapp_url.startswith("https://wa.me/6281200000002?text=")
    text = unquote(entry.whatsapp_url.split("text=", 1)[1])
    assert bad.code in text and bad.secret in text
    assert fine not in [e.order for e in entries]


def test_the_message_is_in_the_shops_message_language(campaign, shop):
    shop.message_language = "en"
    shop.save()
    _order(campaign, 2, address="Bandung")
    (entry,) = reconfirmation_queue(campaign=Campaign.objects.get(pk=campaign.pk))
    assert "Hello Pembeli 2, this is Toko Alice" in unquote(entry.whatsapp_url)


def test_resolving_an_address_stores_a_resolved_row_and_a_new_doubtful_address_returns(
    campaign, alice
):
    order = _order(campaign, 2, address="Bandung")
    row = resolve_reason(order=order, reason=Reason.ADDRESS, resolution="Sudah WA", actor=alice)
    assert row.resolved_at and row.resolved_by == alice and row.resolution == "Sudah WA"
    assert _reasons(campaign) == []

    Order.objects.filter(pk=order.pk).update(address="Cimahi")
    assert _reasons(campaign) == [(order.code, Reason.ADDRESS)]


def test_a_settlement_open_past_its_due_is_listed_until_resolved(shop, now, alice):
    campaign = factories.dp_campaign(shop, now=now)
    order = _order(campaign, 1, postal_code="40115")
    ExpectedPayment.objects.filter(order=order).update(status=ExpectedPayment.Status.PAID)
    ExpectedPayment.objects.create(
        shop=shop,
        order=order,
        kind=ExpectedPayment.Kind.SETTLEMENT,
        base_amount=60_000,
        unique_code=123,
        amount=60_123,
        due_at=now - timedelta(hours=1),
        created_at=now - timedelta(days=3),
    )
    assert _reasons(campaign) == [(order.code, Reason.SETTLEMENT)]
    resolve_reason(order=order, reason=Reason.SETTLEMENT, actor=alice)
    assert _reasons(campaign) == []


def test_a_settlement_not_yet_due_is_not_listed(shop, now):
    campaign = factories.dp_campaign(shop, now=now)
    order = _order(campaign, 1, postal_code="40115")
    ExpectedPayment.objects.filter(order=order).update(status=ExpectedPayment.Status.PAID)
    ExpectedPayment.objects.create(
        shop=shop,
        order=order,
        kind=ExpectedPayment.Kind.SETTLEMENT,
        base_amount=60_000,
        unique_code=124,
        amount=60_124,
        due_at=now + timedelta(days=1),
        created_at=now,
    )
    assert _reasons(campaign) == []


def test_a_returned_parcel_is_listed_and_resolved_once(campaign, shop, now, alice):
    order = _order(campaign, 1, postal_code="40115")
    row = Reconfirmation.objects.create(
        shop=shop, order=order, reason=Reason.RETURNED, created_at=now
    )
    assert _reasons(campaign) == [(order.code, Reason.RETURNED)]

    resolve(reconfirmation=row, resolution="Dikirim ulang", actor=alice)
    assert _reasons(campaign) == []
    with pytest.raises(ReconfirmationError):
        resolve(reconfirmation=row, actor=alice)


def test_a_sellers_note_puts_the_order_in_the_queue_and_a_second_joins_it(campaign, alice):
    order = _order(campaign, 1, postal_code="40115")
    add_note(order=order, note="Ukuran mau ditukar?", actor=alice)
    row = add_note(order=order, note="Warna juga", actor=alice)

    (entry,) = reconfirmation_queue(campaign=campaign)
    assert entry.reason == Reason.NOTE and entry.row == row
    assert row.note == "Ukuran mau ditukar?\nWarna juga"
    assert "Ukuran mau ditukar?" in unquote(entry.whatsapp_url)
    assert Reconfirmation.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("note", ["", "   ", "x" * 1001, "Sari\u202e"])
def test_a_note_must_say_something_usable(campaign, alice, note):
    order = _order(campaign, 1)
    with pytest.raises(ReconfirmationError):
        add_note(order=order, note=note, actor=alice)
    assert not Reconfirmation.objects.exists()


def test_nothing_open_cannot_be_resolved(campaign, alice):
    order = _order(campaign, 1, postal_code="40115")
    for reason in Reason.values:
        with pytest.raises(ReconfirmationError):
            resolve_reason(order=order, reason=reason, actor=alice)
    assert not Reconfirmation.objects.exists()


def test_open_counts_per_po_leave_out_cancelled_orders_and_failed_pos(shop, campaign, now, alice):
    other = make_campaign(shop, now=now, title="PO lain")
    _order(campaign, 1)  # no postal code
    _order(campaign, 2)
    cancelled = _order(campaign, 3)
    cancel_order(order=cancelled, reason="batal", actor=alice)
    _order(other, 4, postal_code="40115")
    failed = make_campaign(shop, now=now, title="PO gagal")
    _order(failed, 5)
    Campaign.objects.filter(pk=failed.pk).update(status=Campaign.Status.FAILED)

    assert open_counts([campaign.pk, other.pk, failed.pk]) == {campaign.pk: 2}
