"""A variant's bill of materials: how much of each material one unit needs, which the
production recap totals."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Material, Variant
from openpo.catalog.services.campaigns import require_editable
from openpo.core.audit import audit_event


def add_material(
    *, variant: Variant, name: str, quantity_per_unit: Decimal | int | str, unit: str
) -> Material:
    """Record how much of a material one unit of `variant` needs (bill of materials)."""
    quantity = Decimal(str(quantity_per_unit))
    if quantity <= 0:
        raise InvalidCampaign(
            field_errors={"quantity_per_unit": [_("The quantity must be more than zero.")]}
        )
    if not name.strip():
        raise InvalidCampaign(field_errors={"name": [_("Enter the material's name.")]})
    material, _created = Material.objects.update_or_create(
        variant=variant,
        name=name.strip(),
        defaults={"quantity_per_unit": quantity, "unit": unit.strip()},
    )
    return material


@transaction.atomic
def set_material(
    *,
    variant: Variant,
    name: str,
    quantity_per_unit: Decimal | int | str,
    unit: str,
    all_variants: bool = False,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> list[Material]:
    """Record how much of a material one unit needs, for this variant or every variant of its
    product; a material of the same name is replaced."""
    require_editable(variant.campaign)
    if not unit.strip():
        raise InvalidCampaign(field_errors={"unit": [_("Enter the unit, e.g. m, pcs or gram.")]})
    targets = list(variant.product.variants.all()) if all_variants else [variant]
    materials = [
        add_material(variant=v, name=name, quantity_per_unit=quantity_per_unit, unit=unit)
        for v in targets
    ]
    audit_event(
        action="material.set",
        subject=variant.product,
        shop_id=variant.campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
        data={"name": name.strip(), "variants": [v.sku for v in targets]},
    )
    return materials


@transaction.atomic
def remove_material(
    *, material: Material, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> None:
    """Drop a material from a variant's bill of materials."""
    variant = material.variant
    require_editable(variant.campaign)
    material.delete()
    audit_event(
        action="material.removed",
        subject=variant,
        shop_id=variant.campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
        data={"name": material.name},
    )
