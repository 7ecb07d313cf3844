"""Changing a placed order: buyer details, items within the quota (never oversold), notes."""

from datetime import timedelta

import pytest

from openpo.catalog.models import Campaign, Variant
from openpo.core.models import AuditEvent
from openpo.orders.errors import InvalidOrder, SoldOut
from openpo.orders.models import Customer, Order, OrderNote
from openpo.orders.services import BuyerDetails, cancel_order
from openpo.orders.services.changing import (
    OrderNotChangeable,
    add_order_note,
    change_order_items,
    update_buyer_details,
)
from openpo.payments.models import ExpectedPayment, Payment
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
def test_it_increases_items_within_the_quota_and_draws_a_new_transfer_amount(
    campaign, variants, buyer, now, alice
):
    small, medium = variants
    order = factories.order(campaign, variant=small, units=2, buyer=buyer, now=now)
    old_payment = order.open_expected_payment

    changed = change_order_items(
        order=order, items={small.pk: 5, medium.pk: 1}, actor=alice, now=now
    )

    assert (changed.units, changed.subtotal, changed.total) == (6, 720_000, 735_000)
    assert changed.deposit_due == 735_000
    assert _reserved(campaign) == (6, [5, 1])
    old_payment.refresh_from_db()
    assert old_payment.status == ExpectedPayment.Status.VOID
    new_payment = changed.expected_payments.get(status=ExpectedPayment.Status.OPEN)
    assert new_payment.base_amount == 735_000
    assert new_payment.amount == 735_000 + new_payment.unique_code
    event = AuditEvent.objects.get(action="order.items_changed")
    assert event.actor == alice and event.data["total"] == 735_000


@pytest.mark.django_db
def test_it_refuses_more_than_the_quota_and_changes_nothing(campaign, variants, buyer, now):
    small, _medium = variants
    order = factories.order(campaign, variant=small, units=2, buyer=buyer, now=now)
    payment = order.open_expected_payment

    with pytest.raises(SoldOut) as caught:
        change_order_items(order=order, items={small.pk: 21}, now=now)

    assert caught.value.params["left"] == 18
    order.refresh_from_db()
    assert (order.units, order.total) == (2, 255_000)
    assert list(order.lines.values_list("quantity", flat=True)) == [2]
    assert _reserved(campaign) == (2, [2, 0])
    payment.refresh_from_db()
    assert payment.status == ExpectedPayment.Status.OPEN
    assert not AuditEvent.objects.filter(action="order.items_changed").exists()


@pytest.mark.django_db
def test_it_respects_the_campaign_cap(shop, buyer, now):
    campaign = make_campaign(shop, now=now, quotas=(None,), unit_cap=5)
    variant = campaign.variants.get()
    order = factories.order(campaign, variant=variant, units=2, buyer=buyer, now=now)

    with pytest.raises(SoldOut):
        change_order_items(order=order, items={variant.pk: 6}, now=now)
    assert _reserved(campaign) == (2, [2])

    change_order_items(order=order, items={variant.pk: 5}, now=now)
    assert _reserved(campaign) == (5, [5])


@pytest.mark.django_db
def test_a_decrease_releases_units_and_keeps_the_original_price(campaign, variants, buyer, now):
    small, medium = variants
    order = factories.order(campaign, items={small.pk: 3, medium.pk: 2}, buyer=buyer, now=now)
    Variant.objects.filter(pk=small.pk).update(price=150_000)

    changed = change_order_items(order=order, items={small.pk: 1, medium.pk: 0}, now=now)

    assert list(changed.lines.values_list("variant_id", "quantity", "unit_price")) == [
        (small.pk, 1, 120_000)
    ]
    assert (changed.units, changed.total) == (1, 135_000)
    assert _reserved(campaign) == (1, [1, 0])


@pytest.mark.django_db
def test_a_new_line_takes_todays_price(campaign, variants, buyer, now):
    small, medium = variants
    order = factories.order(campaign, variant=small, buyer=buyer, now=now)
    Variant.objects.filter(pk=medium.pk).update(price=130_000)

    changed = change_order_items(order=order, items={small.pk: 1, medium.pk: 1}, now=now)

    assert changed.subtotal == 250_000


@pytest.mark.django_db
def test_a_paid_order_that_grows_asks_for_the_rest_with_its_own_unique_amount(
    campaign, variants, buyer, now
):
    small, _medium = variants
    order = factories.order(campaign, variant=small, buyer=buyer, now=now)
    first = order.open_expected_payment
    factories.pay(order, source=Payment.Source.STATEMENT, now=now)

    changed = change_order_items(order=order, items={small.pk: 2}, now=now)

    assert (changed.amount_paid, changed.amount_outstanding) == (135_000, 120_000)
    assert changed.payment_status == Order.PaymentStatus.PARTIAL
    first.refresh_from_db()
    rest = changed.expected_payments.get(status=ExpectedPayment.Status.OPEN)
    assert (first.status, rest.base_amount) == (ExpectedPayment.Status.PAID, 120_000)
    assert rest.amount == 120_000 + rest.unique_code


@pytest.mark.django_db
def test_removing_every_item_is_refused(campaign, variants, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    with pytest.raises(InvalidOrder):
        change_order_items(order=order, items={variants[0].pk: 0}, now=now)
    assert _reserved(campaign) == (1, [1, 0])


@pytest.mark.django_db
def test_another_pos_variant_is_refused(shop, campaign, buyer, now):
    other = make_campaign(shop, now=now, title="PO Lain", slug="po-lain")
    order = factories.order(campaign, buyer=buyer, now=now)
    with pytest.raises(InvalidOrder):
        change_order_items(order=order, items={other.variants.first().pk: 1}, now=now)


@pytest.mark.django_db
def test_a_cancelled_order_or_a_po_in_production_cannot_change(campaign, variants, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    cancel_order(order=order, reason="x", now=now)
    with pytest.raises(OrderNotChangeable):
        change_order_items(order=order, items={variants[0].pk: 2}, now=now)

    live = factories.order(campaign, buyer=buyer, now=now)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PRODUCING)
    with pytest.raises(OrderNotChangeable):
        change_order_items(order=live, items={variants[0].pk: 2}, now=now)
    assert _reserved(campaign) == (1, [1, 0])


@pytest.mark.django_db
def test_a_closed_po_still_allows_changes(campaign, variants, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    later = now + timedelta(days=4)  # past closes_at
    change_order_items(order=order, items={variants[0].pk: 2}, now=later)
    assert _reserved(campaign) == (2, [2, 0])


@pytest.mark.django_db
def test_it_updates_the_buyer_details_and_moves_the_order_to_the_new_number(
    campaign, buyer, now, alice
):
    order = factories.order(campaign, buyer=buyer, now=now)
    details = BuyerDetails(
        name="  Sari   W ", phone="0857 1111 2222", address="Jl. Mawar 1", postal_code="40116"
    )

    update_buyer_details(order=order, buyer=details, actor=alice, now=now)

    order.refresh_from_db()
    assert (order.buyer_name, order.buyer_phone) == ("Sari W", "+6285711112222")
    assert order.customer.phone == "+6285711112222"
    assert Customer.objects.filter(shop=campaign.shop).count() == 2
    event = AuditEvent.objects.get(action="order.buyer_updated")
    assert "buyer_phone" in event.data["changed"]


@pytest.mark.django_db
def test_bad_buyer_details_are_refused(campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    with pytest.raises(InvalidOrder) as caught:
        update_buyer_details(
            order=order, buyer=BuyerDetails(name="", phone="123", postal_code="9"), now=now
        )
    assert set(caught.value.field_errors) == {"name", "phone", "postal_code", "address"}
    order.refresh_from_db()
    assert order.buyer_name == "Sari Wulandari"


@pytest.mark.django_db
def test_it_adds_an_internal_note(campaign, buyer, now, bob):
    order = factories.order(campaign, buyer=buyer, now=now)
    note = add_order_note(order=order, text="  Minta dibungkus kado ", actor=bob, now=now)
    assert (note.text, note.author) == ("Minta dibungkus kado", bob)
    with pytest.raises(InvalidOrder):
        add_order_note(order=order, text="   ", actor=bob, now=now)
    assert OrderNote.objects.count() == 1


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_many_orders_growing_at_once_never_oversell(shop, now, vendor, record_property):
    campaign = make_campaign(shop, now=now, quotas=(10,))
    variant = campaign.variants.get()
    orders = [
        factories.order(campaign, variant=variant, buyer=factories.buyer(n), now=now)
        for n in range(5)
    ]

    def grow(order):
        def press():
            fresh = Order.objects.get(pk=order.pk)
            return change_order_items(order=fresh, items={variant.pk: 3})

        return press

    # Five orders of 1 each want 3: 5 more units fit (10 - 5), each asks 2 → two succeed.
    changed, errors = run_at_once([grow(order) for order in orders])

    assert [e for e in errors if not isinstance(e, SoldOut)] == []
    assert (len(changed), len(errors)) == (2, 3)
    variant.refresh_from_db()
    assert variant.reserved_units == 9
    assert sum(Order.objects.filter(campaign=campaign).values_list("units", flat=True)) == 9
    campaign.refresh_from_db()
    assert campaign.reserved_units == 9
    record_property(
        "result", f"{vendor}: 5 orders grow by 2 with 5 units left → {len(changed)} changed"
    )


@pytest.mark.django_db
def test_a_variant_not_named_keeps_its_quantity(campaign, variants, buyer, now):
    small, medium = variants
    order = factories.order(campaign, variant=small, units=2, buyer=buyer, now=now)
    changed = change_order_items(order=order, items={medium.pk: 1}, now=now)
    assert sorted(changed.lines.values_list("variant_id", "quantity")) == [
        (small.pk, 2),
        (medium.pk, 1),
    ]
    assert _reserved(campaign) == (3, [2, 1])


@pytest.mark.django_db
def test_more_of_a_variant_no_longer_on_sale_is_refused_but_fewer_is_fine(
    campaign, variants, buyer, now
):
    small, _medium = variants
    order = factories.order(campaign, variant=small, units=2, buyer=buyer, now=now)
    Variant.objects.filter(pk=small.pk).update(is_active=False)
    with pytest.raises(InvalidOrder):
        change_order_items(order=order, items={small.pk: 3}, now=now)
    change_order_items(order=order, items={small.pk: 1}, now=now)
    assert _reserved(campaign) == (1, [1, 0])
