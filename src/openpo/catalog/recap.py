"""The production recap of a PO (read only): how many units of each variant to make, and how
much of each material that takes.

Two counts side by side: units of every live (active) order, and units of the orders whose
money is in. For a full-payment PO an order counts as paid when it is paid in full; for a DP
PO also when its down payment was received, because the DP is the buyer's commitment and the
seller produces for them while the settlement is still to come. Orders awaiting payment may
still expire, and refunded orders are never produced.

Materials are summed per material name and unit across variants (the same fabric used by
two sizes is one line), quantity_per_unit × units.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from openpo.catalog.models import Campaign, Material, Variant


@dataclass(frozen=True)
class VariantRecap:
    variant_id: int
    product_name: str
    label: str
    sku: str
    units_all: int
    units_paid: int


@dataclass(frozen=True)
class ProductRecap:
    name: str
    variants: list[VariantRecap]

    @property
    def units_all(self) -> int:
        return sum(v.units_all for v in self.variants)

    @property
    def units_paid(self) -> int:
        return sum(v.units_paid for v in self.variants)


@dataclass(frozen=True)
class MaterialRecap:
    name: str
    unit: str
    quantity_all: Decimal
    quantity_paid: Decimal


@dataclass(frozen=True)
class ProductionRecap:
    products: list[ProductRecap]
    materials: list[MaterialRecap]
    # The payment statuses counted as "paid" for this PO (see the module docstring).
    paid_statuses: tuple[str, ...] = field(default=())

    @property
    def variants(self) -> list[VariantRecap]:
        return [v for p in self.products for v in p.variants]

    @property
    def units_all(self) -> int:
        return sum(p.units_all for p in self.products)

    @property
    def units_paid(self) -> int:
        return sum(p.units_paid for p in self.products)


def paid_statuses(campaign: Campaign) -> tuple[str, ...]:
    """The order payment statuses whose units count as paid for `campaign`."""
    from openpo.orders.models import Order

    if campaign.takes_deposit:
        return (Order.PaymentStatus.PAID, Order.PaymentStatus.DEPOSIT_PAID)
    return (Order.PaymentStatus.PAID,)


def production_recap(campaign: Campaign) -> ProductionRecap:
    """Units per variant (all active orders, paid ones) and the materials they need."""
    # Imported here: orders depends on catalog, not the other way round at import time.
    from openpo.orders.models import Order

    statuses = paid_statuses(campaign)
    live = Q(order_lines__order__status=Order.Status.ACTIVE)
    paid = live & Q(order_lines__order__payment_status__in=statuses)
    variants = (
        Variant.objects.filter(campaign=campaign)
        .select_related("product")
        .annotate(
            units_all=Sum("order_lines__quantity", filter=live, default=0),
            units_paid=Sum("order_lines__quantity", filter=paid, default=0),
        )
        .order_by("product__position", "product_id", "position", "id")
    )
    products: dict[int, ProductRecap] = {}
    units: dict[int, VariantRecap] = {}
    for variant in variants:
        if not variant.is_active and not variant.units_all:
            continue  # a variant taken off sale before anyone ordered it
        row = VariantRecap(
            variant_id=variant.pk,
            product_name=variant.product.name,
            label=variant.label,
            sku=variant.sku,
            units_all=variant.units_all,
            units_paid=variant.units_paid,
        )
        units[variant.pk] = row
        product = products.setdefault(
            variant.product_id, ProductRecap(name=variant.product.name, variants=[])
        )
        product.variants.append(row)

    needed_all: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    needed_paid: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for material in Material.objects.filter(variant__campaign=campaign).order_by("name", "id"):
        row = units.get(material.variant_id)
        if row is None:
            continue
        key = (material.name, material.unit)
        needed_all[key] += material.quantity_per_unit * row.units_all
        needed_paid[key] += material.quantity_per_unit * row.units_paid
    materials = [
        MaterialRecap(
            name=name,
            unit=unit,
            quantity_all=_plain(needed_all[(name, unit)]),
            quantity_paid=_plain(needed_paid[(name, unit)]),
        )
        for name, unit in sorted(needed_all, key=lambda key: (key[0].lower(), key[1]))
    ]
    return ProductionRecap(
        products=list(products.values()), materials=materials, paid_statuses=statuses
    )


def _plain(quantity: Decimal) -> Decimal:
    """1.500 → 1.5 and 1200.000 → 1200: no trailing zeros, never an exponent."""
    if quantity == quantity.to_integral_value():
        return quantity.quantize(Decimal(1))
    return quantity.normalize()
