"""place_order: the rules every door (form, chat, CSV, API, seller) goes through."""

from datetime import timedelta

import pytest
from django.utils import translation

from openpo.catalog.models import Campaign
from openpo.core.models import AuditEvent
from openpo.orders.errors import CampaignClosed, InvalidOrder, SoldOut
from openpo.orders.models import Customer, Order
from openpo.orders.services import BuyerDetails, OrderItem, place_order
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def test_it_places_an_order_with_totals_reservation_and_audit(campaign, variants, buyer, now):
    small, medium = variants
    order = place_order(
        terms_accepted=True,
        campaign=campaign,
        buyer=buyer,
        items=[OrderItem(small.pk, 2), OrderItem(medium.pk, 1)],
        now=now,
    )

    assert order.code.startswith("PO-") and len(order.code) == 8
    assert len(order.secret) >= 32
    assert (order.units, order.subtotal, order.shipping_fee) == (3, 360_000, 15_000)
    assert order.total == 375_000 and order.deposit_due == 375_000
    assert order.payment_deadline == now + timedelta(hours=24)
    assert order.buyer_phone == "+6281322223333"
    assert order.status == Order.Status.ACTIVE
    assert order.payment_status == Order.PaymentStatus.UNPAID
    lines = {line.variant_id: line for line in order.lines.all()}
    assert lines[small.pk].quantity == 2 and lines[small.pk].unit_price == 120_000
    assert lines[small.pk].variant_label == "S" and lines[small.pk].product_name == "Kaos Polos"
    small.refresh_from_db()
    medium.refresh_from_db()
    campaign.refresh_from_db()
    assert (small.reserved_units, medium.reserved_units, campaign.reserved_units) == (2, 1, 3)
    assert AuditEvent.objects.filter(action="order.placed", subject_id=str(order.pk)).count() == 1


def test_it_keeps_one_customer_per_phone_number(campaign, variants, buyer, now):
    place_order(
        terms_accepted=True, campaign=campaign, buyer=buyer, items={variants[0].pk: 1}, now=now
    )
    again = BuyerDetails(address="Jl. Melati 2", name="Sari W.", phone="+62 813-2222-3333")
    second = place_order(
        terms_accepted=True, campaign=campaign, buyer=again, items={variants[0].pk: 1}, now=now
    )

    customer = Customer.objects.get()
    assert second.customer == customer
    # The latest name wins; an order without email keeps the email we already had.
    assert (customer.name, customer.email) == ("Sari W.", "sari@example.com")
    assert customer.orders.count() == 2


def test_it_computes_a_down_payment(shop, buyer, now):
    campaign = make_campaign(
        shop, now=now, payment_policy=Campaign.PaymentPolicy.DEPOSIT, deposit_percent=30
    )
    variant = campaign.variants.first()
    order = place_order(
        terms_accepted=True, campaign=campaign, buyer=buyer, items={variant.pk: 1}, now=now
    )

    # 30% of Rp 135.000, rounded up to a whole rupiah
    assert (order.total, order.deposit_due) == (135_000, 40_500)


def test_it_returns_the_same_order_for_a_repeated_idempotency_key(campaign, variants, buyer, now):
    first = place_order(
        terms_accepted=True,
        campaign=campaign,
        buyer=buyer,
        items={variants[0].pk: 1},
        idempotency_key="k-1",
        now=now,
    )
    second = place_order(
        terms_accepted=True,
        campaign=campaign,
        buyer=buyer,
        items={variants[0].pk: 1},
        idempotency_key="k-1",
        now=now,
    )

    assert second.pk == first.pk
    assert Order.objects.count() == 1
    variants[0].refresh_from_db()
    assert variants[0].reserved_units == 1


def test_it_answers_a_repeated_key_even_after_the_po_closed(campaign, variants, buyer, now):
    first = place_order(
        terms_accepted=True,
        campaign=campaign,
        buyer=buyer,
        items={variants[0].pk: 1},
        idempotency_key="k-2",
        now=now,
    )
    later = campaign.closes_at + timedelta(minutes=1)
    again = place_order(
        terms_accepted=True,
        campaign=campaign,
        buyer=buyer,
        items={variants[0].pk: 1},
        idempotency_key="k-2",
        now=later,
    )
    assert again.pk == first.pk


def test_it_refuses_a_po_that_has_not_opened(shop, buyer, now):
    campaign = make_campaign(shop, now=now, opens_at=now + timedelta(days=1))
    with pytest.raises(CampaignClosed) as exc:
        place_order(
            terms_accepted=True,
            campaign=campaign,
            buyer=buyer,
            items={campaign.variants.first().pk: 1},
            now=now,
        )
    opens = campaign.opens_at.astimezone(shop.tzinfo)
    months = (
        "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
    )
    expected = f"{opens.day} {months.split()[opens.month - 1]} {opens.year} {opens:%H:%M} WIB"
    assert exc.value.message == f"PO ini belum dibuka; dibuka pada {expected}."
    assert Order.objects.count() == 0


def test_it_refuses_a_po_past_its_closing_time_even_before_the_transition_ran(
    campaign, variants, buyer
):
    late = campaign.closes_at + timedelta(seconds=1)
    assert campaign.status == Campaign.Status.OPEN  # nothing has closed it yet
    with pytest.raises(CampaignClosed):
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={variants[0].pk: 1}, now=late
        )
    variants[0].refresh_from_db()
    assert variants[0].reserved_units == 0
    assert Order.objects.count() == 0


def test_it_refuses_a_draft(shop, buyer, now):
    campaign = make_campaign(shop, now=now, publish=False)
    with pytest.raises(CampaignClosed):
        place_order(
            terms_accepted=True,
            campaign=campaign,
            buyer=buyer,
            items={campaign.variants.first().pk: 1},
            now=now,
        )


def test_it_refuses_more_than_the_quota_left(campaign, variants, buyer, now):
    place_order(
        terms_accepted=True, campaign=campaign, buyer=buyer, items={variants[0].pk: 18}, now=now
    )
    variants[0].refresh_from_db()
    with pytest.raises(SoldOut) as exc:
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={variants[0].pk: 3}, now=now
        )
    assert exc.value.message == "Maaf, “Kaos Polos — S” hanya tersisa 2."
    variants[0].refresh_from_db()
    assert variants[0].reserved_units == 18
    assert Order.objects.count() == 1


def test_it_rolls_back_every_line_when_one_variant_sells_out_mid_transaction(
    campaign, variants, buyer, now
):
    small, medium = variants
    # The buyer read the variants while size S still had room; it filled up before their write.
    stale = Campaign.objects.get(pk=campaign.pk)
    type(small).objects.filter(pk=small.pk).update(reserved_units=20)
    with pytest.raises(SoldOut):
        place_order(
            terms_accepted=True,
            campaign=stale,
            buyer=buyer,
            items={medium.pk: 2, small.pk: 1},
            now=now,
        )

    medium.refresh_from_db()
    assert medium.reserved_units == 0
    assert Order.objects.count() == 0 and Customer.objects.count() == 0


def test_it_enforces_the_campaign_cap(shop, buyer, now, django_capture_on_commit_callbacks):
    campaign = make_campaign(shop, now=now, quotas=(None, None), unit_cap=5)
    small, medium = campaign.variants.order_by("position")
    place_order(terms_accepted=True, campaign=campaign, buyer=buyer, items={small.pk: 3}, now=now)
    campaign.refresh_from_db()
    with pytest.raises(SoldOut) as exc:
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={medium.pk: 3}, now=now
        )
    assert "hanya tersisa 2 pcs" in exc.value.message
    with django_capture_on_commit_callbacks(execute=True):
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={medium.pk: 2}, now=now
        )
    campaign.refresh_from_db()
    assert campaign.reserved_units == 5
    assert campaign.status == Campaign.Status.CLOSED
    assert campaign.close_reason == Campaign.CloseReason.SOLD_OUT


def test_it_closes_the_po_when_the_last_unit_sells(
    shop, buyer, now, django_capture_on_commit_callbacks
):
    campaign = make_campaign(shop, now=now, quotas=(2, 1))
    small, medium = campaign.variants.order_by("position")
    with django_capture_on_commit_callbacks(execute=True):
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={small.pk: 2}, now=now
        )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN  # size M is still available
    with django_capture_on_commit_callbacks(execute=True):
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={medium.pk: 1}, now=now
        )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    assert campaign.close_reason == Campaign.CloseReason.SOLD_OUT


def test_it_enforces_the_per_order_limit(shop, buyer, now):
    campaign = make_campaign(shop, now=now, max_units_per_order=2)
    small, medium = campaign.variants.order_by("position")
    with pytest.raises(InvalidOrder) as exc:
        place_order(
            terms_accepted=True,
            campaign=campaign,
            buyer=buyer,
            items={small.pk: 2, medium.pk: 1},
            now=now,
        )
    assert exc.value.field_errors["items"] == ["Maksimal 2 pcs per order."]


def test_it_refuses_items_of_another_campaign(campaign, buyer, now, other_shop):
    foreign = make_campaign(other_shop, now=now)
    with pytest.raises(InvalidOrder) as exc:
        place_order(
            terms_accepted=True,
            campaign=campaign,
            buyer=buyer,
            items={foreign.variants.first().pk: 1},
            now=now,
        )
    assert "items" in exc.value.field_errors
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ("empty", "Pilih minimal satu item."),
        ("zero", "Pilih minimal satu item."),
        ("negative", "Jumlah harus berupa bilangan bulat."),
        ("huge", "Jumlahnya terlalu banyak."),
    ],
)
def test_it_refuses_bad_quantities(campaign, variants, buyer, now, items, message):
    pk = variants[1].pk
    items = {"empty": {}, "zero": {pk: 0}, "negative": {pk: -1}, "huge": {pk: 10_001}}[items]
    with pytest.raises(InvalidOrder) as exc:
        place_order(terms_accepted=True, campaign=campaign, buyer=buyer, items=items, now=now)
    assert exc.value.field_errors["items"] == [message]


def test_it_explains_every_invalid_buyer_field_at_once(campaign, variants, now):
    buyer = BuyerDetails(name="  ", phone="12345", email="not-an-email", postal_code="4011")
    with pytest.raises(InvalidOrder) as exc:
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={variants[0].pk: 1}, now=now
        )
    assert set(exc.value.field_errors) == {"name", "phone", "email", "postal_code", "address"}
    assert exc.value.http_status == 422
    assert Order.objects.count() == 0 and Customer.objects.count() == 0


def test_its_errors_speak_indonesian_and_english(shop, buyer, now):
    campaign = make_campaign(shop, now=now, quotas=(0, None))
    variant = campaign.variants.get(quota=0)
    with pytest.raises(SoldOut) as exc:
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={variant.pk: 1}, now=now
        )
    # The message follows the language of whoever reads it.
    with translation.override("id"):
        assert exc.value.message == "Maaf, “Kaos Polos — S” sudah habis."
    with translation.override("en"):
        assert exc.value.message == "Sorry, “Kaos Polos — S” is sold out."
    with translation.override("id"), pytest.raises(InvalidOrder) as exc:
        place_order(
            terms_accepted=True,
            campaign=campaign,
            buyer=BuyerDetails(name="", phone="1"),
            items={variant.pk: 1},
            now=now,
        )
    assert exc.value.field_errors["name"] == ["Masukkan nama Anda."]


def test_a_buyer_ordering_online_must_accept_the_po_terms(campaign, variants, buyer, now):
    with pytest.raises(InvalidOrder) as exc:
        place_order(campaign=campaign, buyer=buyer, items={variants[0].pk: 1}, now=now)
    assert exc.value.field_errors["terms"] == ["Mohon baca dan setujui ketentuan PO."]
    assert Order.objects.count() == 0


def test_an_order_entered_by_the_seller_needs_no_click_on_the_terms(campaign, variants, buyer, now):
    order = place_order(
        campaign=campaign,
        buyer=buyer,
        items={variants[0].pk: 1},
        channel=Order.Channel.MANUAL,
        now=now,
    )
    assert order.channel == "manual"


def test_the_terms_as_accepted_are_kept_with_the_order(shop, buyer, now):
    campaign = make_campaign(
        shop,
        now=now,
        moq_units=30,
        payment_policy=Campaign.PaymentPolicy.DEPOSIT,
        deposit_percent=50,
        terms="DP tidak bisa dikembalikan jika pembeli membatalkan.",
    )
    order = place_order(
        terms_accepted=True,
        campaign=campaign,
        buyer=buyer,
        items={campaign.variants.first().pk: 1},
        now=now,
    )
    # Later edits of the campaign's terms do not rewrite what this buyer accepted.
    Campaign.objects.filter(pk=campaign.pk).update(terms="Syarat baru")
    order.refresh_from_db()
    assert "DP tidak bisa dikembalikan jika pembeli membatalkan." in order.terms_accepted
    assert "DP 50%" in order.terms_accepted
    assert "kurang dari 30 pcs" in order.terms_accepted
    assert "Syarat baru" not in order.terms_accepted
