"""The production recap counts units per variant (all live orders, paid ones) and the
materials they need, summed per material name and unit."""

from decimal import Decimal

import pytest

from openpo.catalog.recap import production_recap
from openpo.catalog.services import add_material
from openpo.orders.models import Order
from openpo.orders.services import cancel_order
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _mark(order, status):
    # No payments service yet: write the fields as the demo does.
    Order.objects.filter(pk=order.pk).update(payment_status=status, amount_paid=order.total)


def test_it_counts_units_of_all_live_orders_and_of_paid_ones(campaign, variants, buyer, now):
    small, medium = variants
    paid = factories.order(campaign, items={small.pk: 2, medium.pk: 1}, buyer=buyer, now=now)
    factories.order(campaign, variant=small, units=3, buyer=buyer, now=now)  # awaiting payment
    cancelled = factories.order(campaign, variant=medium, units=5, buyer=buyer, now=now)
    cancel_order(order=cancelled, reason="test", now=now)
    _mark(paid, Order.PaymentStatus.PAID)

    recap = production_recap(campaign)

    rows = {v.label: (v.units_all, v.units_paid) for v in recap.variants}
    assert rows == {"S": (5, 2), "M": (1, 1)}
    assert (recap.units_all, recap.units_paid) == (6, 3)
    assert [p.name for p in recap.products] == ["Kaos Polos"]


def test_a_deposit_counts_as_paid_only_in_a_dp_po(shop, buyer, now):
    full = make_campaign(shop, now=now, slug="full")
    dp = make_campaign(shop, now=now, slug="dp", payment_policy="deposit", deposit_percent=50)
    for campaign in (full, dp):
        order = factories.order(campaign, units=2, buyer=buyer, now=now)
        _mark(order, Order.PaymentStatus.DEPOSIT_PAID)

    assert production_recap(full).units_paid == 0
    assert production_recap(dp).units_paid == 2


def test_refunded_orders_are_not_counted_as_paid(campaign, variants, buyer, now):
    order = factories.order(campaign, variant=variants[0], units=4, buyer=buyer, now=now)
    _mark(order, Order.PaymentStatus.REFUNDED)
    recap = production_recap(campaign)
    assert (recap.units_all, recap.units_paid) == (4, 0)


def test_materials_are_summed_per_name_and_unit_across_variants(campaign, variants, buyer, now):
    small, medium = variants
    add_material(variant=small, name="Kain katun", quantity_per_unit="1.5", unit="m")
    add_material(variant=medium, name="Kain katun", quantity_per_unit="1.75", unit="m")
    add_material(variant=small, name="Label", quantity_per_unit=1, unit="pcs")
    add_material(variant=medium, name="Label", quantity_per_unit=2, unit="pcs")
    paid = factories.order(campaign, variant=small, units=2, buyer=buyer, now=now)
    factories.order(campaign, variant=medium, units=4, buyer=buyer, now=now)
    _mark(paid, Order.PaymentStatus.PAID)

    materials = {
        (m.name, m.unit): (m.quantity_all, m.quantity_paid)
        for m in production_recap(campaign).materials
    }

    # all: 2 × 1.5 + 4 × 1.75 = 10 m; paid: 2 × 1.5 = 3 m
    assert materials[("Kain katun", "m")] == (Decimal("10"), Decimal("3"))
    assert materials[("Label", "pcs")] == (Decimal("10"), Decimal("2"))
    assert str(materials[("Kain katun", "m")][0]) == "10"


def test_the_same_material_in_another_unit_is_a_separate_line(campaign, variants, buyer, now):
    small, medium = variants
    add_material(variant=small, name="Benang", quantity_per_unit="0.25", unit="kg")
    add_material(variant=medium, name="Benang", quantity_per_unit=300, unit="gram")
    factories.order(campaign, items={small.pk: 1, medium.pk: 1}, buyer=buyer, now=now)

    materials = {(m.name, m.unit): m.quantity_all for m in production_recap(campaign).materials}

    assert materials == {("Benang", "kg"): Decimal("0.25"), ("Benang", "gram"): Decimal("300")}


def test_variants_nobody_ordered_are_listed_with_zero(campaign, variants):
    recap = production_recap(campaign)
    assert [(v.sku, v.units_all, v.units_paid) for v in recap.variants] == [
        (variants[0].sku, 0, 0),
        (variants[1].sku, 0, 0),
    ]
    assert recap.materials == []
