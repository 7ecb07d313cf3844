"""A PO's products and variants: adding a product, a variant, or a product with a variant for
every size × colour in one step (all or nothing), and editing and removing them (one with
orders is only taken off sale)."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Campaign, Product, Variant
from openpo.catalog.services.campaigns import require_editable
from openpo.catalog.services.photos import add_product_photo, delete_files_on_commit
from openpo.core.audit import audit_event
from openpo.core.money import amount_problem, count_problem

SIZE_KEY = "Ukuran"  # option names as Indonesian sellers write them (shown on order pages)
COLOUR_KEY = "Warna"
MAX_GENERATED_VARIANTS = 60


@transaction.atomic
def add_product(
    *,
    campaign: Campaign,
    name: str,
    description: str = "",
    position: int | None = None,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Product:
    """Add a product (its variants come next) to a PO that has not closed."""
    require_editable(campaign)
    if not name.strip():
        raise InvalidCampaign(field_errors={"name": [_("Enter the product's name.")]})
    if position is None:
        position = campaign.products.count()
    product = Product.objects.create(
        campaign=campaign, name=name.strip(), description=description, position=position
    )
    audit_event(
        action="product.added",
        subject=product,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
        data={"name": product.name},
    )
    return product


def variant_errors(*, price: int, early_bird_price: int | None, quota: int | None) -> dict:
    """Per-field problems of a variant's price, early-bird price and quota."""
    errors: dict[str, list] = {}
    if price < 0:
        errors["price"] = [_("The price cannot be negative.")]
    elif problem := amount_problem(price):
        errors["price"] = [problem]
    if quota is not None and quota < 0:
        errors["quota"] = [_("The quota cannot be negative; leave it empty for unlimited.")]
    elif problem := count_problem(quota):
        errors["quota"] = [problem]
    if early_bird_price is not None and not 0 <= early_bird_price < price:
        errors["early_bird_price"] = [_("The early-bird price must be below the normal price.")]
    return errors


def add_variant(
    *,
    product: Product,
    price: int,
    options: dict[str, str] | None = None,
    sku: str = "",
    quota: int | None = None,
    position: int | None = None,
    early_bird_price: int | None = None,
) -> Variant:
    """Add an orderable variant; its SKU is unique in the campaign (made from names if empty)."""
    campaign = product.campaign
    require_editable(campaign)
    options = {str(k).strip(): str(v).strip() for k, v in (options or {}).items()}
    errors = variant_errors(price=price, early_bird_price=early_bird_price, quota=quota)
    sku = (sku or "-".join([slugify(product.name), *map(slugify, options.values())])).upper()[:64]
    if Variant.objects.filter(campaign=campaign, sku=sku).exists():
        errors["sku"] = [_("Another variant of this PO already has SKU %(sku)s.") % {"sku": sku}]
    if errors:
        raise InvalidCampaign(field_errors=errors)
    if position is None:
        position = product.variants.count()
    return Variant.objects.create(
        campaign=campaign,
        product=product,
        options=options,
        sku=sku,
        price=price,
        early_bird_price=early_bird_price,
        quota=quota,
        position=position,
    )


def split_values(text: str) -> list[str]:
    """`"S, M, l , M"` → `["S", "M", "l"]`: comma- or newline-separated, blanks and repeats
    (ignoring case) dropped, order kept."""
    seen: set[str] = set()
    values = []
    for raw in text.replace("\n", ",").split(","):
        value = " ".join(raw.split())
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            values.append(value)
    return values


def variant_options(sizes: list[str], colours: list[str]) -> list[dict[str, str]]:
    """Every size × colour, sizes first: `[{"Ukuran": "S", "Warna": "Hitam"}, …]`; `[{}]` when
    there are neither (one variant of the product as it is)."""
    size_options = [{SIZE_KEY: size} for size in sizes] or [{}]
    colour_options = [{COLOUR_KEY: colour} for colour in colours] or [{}]
    return [{**s, **c} for s in size_options for c in colour_options]


def _free_sku(base: str, taken: set[str]) -> str:
    base = base[:58] or "ITEM"
    sku, number = base, 1
    while sku in taken:
        number += 1
        sku = f"{base}-{number}"
    taken.add(sku)
    return sku


def _variant_sku(product: Product, options: dict[str, str]) -> str:
    return "-".join([slugify(product.name), *map(slugify, options.values())]).upper()


@transaction.atomic
def generate_variants(
    *,
    product: Product,
    price: int,
    sizes: list[str] = (),
    colours: list[str] = (),
    size_prices: dict[str, int] | None = None,
    early_bird_price: int | None = None,
    quota: int | None = None,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> list[Variant]:
    """Add a variant for every size × colour the product does not have yet (all or none); a
    size in `size_prices` costs that price instead (e.g. XXL)."""
    now = now or timezone.now()
    campaign = product.campaign
    require_editable(campaign)
    size_prices = {k.casefold(): v for k, v in (size_prices or {}).items()}
    existing = [v.options for v in product.variants.all()]
    wanted = [o for o in variant_options(list(sizes), list(colours)) if o not in existing]
    if len(wanted) > MAX_GENERATED_VARIANTS:
        raise InvalidCampaign(
            field_errors={
                "sizes": [
                    _("That makes %(count)s variants; at most %(max)s at once.")
                    % {"count": len(wanted), "max": MAX_GENERATED_VARIANTS}
                ]
            }
        )
    if not wanted:
        raise InvalidCampaign(
            field_errors={"sizes": [_("The product already has every one of these variants.")]}
        )
    taken = set(Variant.objects.filter(campaign=campaign).values_list("sku", flat=True))
    position = product.variants.count()
    variants = []
    for index, options in enumerate(wanted):
        own_price = size_prices.get(options.get(SIZE_KEY, "").casefold(), price)
        variants.append(
            add_variant(
                product=product,
                price=own_price,
                options=options,
                sku=_free_sku(_variant_sku(product, options), taken),
                quota=quota,
                position=position + index,
                early_bird_price=early_bird_price,
            )
        )
    audit_event(
        action="product.variants_added",
        subject=product,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now,
        data={"skus": [v.sku for v in variants]},
    )
    return variants


@transaction.atomic
def add_product_with_variants(
    *,
    campaign: Campaign,
    name: str,
    price: int,
    description: str = "",
    sizes: list[str] = (),
    colours: list[str] = (),
    size_prices: dict[str, int] | None = None,
    early_bird_price: int | None = None,
    quota: int | None = None,
    photo: File | None = None,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Product:
    """Add a product with a variant per size × colour (and its photo) in one step: all or
    nothing, each part audited by the service that adds it."""
    now = now or timezone.now()
    product = add_product(
        campaign=campaign, name=name, description=description.strip(), actor=actor, now=now
    )
    generate_variants(
        product=product,
        price=price,
        sizes=sizes,
        colours=colours,
        size_prices=size_prices,
        early_bird_price=early_bird_price,
        quota=quota,
        actor=actor,
        now=now,
    )
    if photo is not None:
        add_product_photo(product=product, image=photo, actor=actor, now=now)
    return product


@transaction.atomic
def update_product(
    *,
    product: Product,
    name: str,
    description: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Product:
    """Rename or describe a product of a PO that has not closed."""
    require_editable(product.campaign)
    if not name.strip():
        raise InvalidCampaign(field_errors={"name": [_("Enter the product's name.")]})
    product.name, product.description = name.strip(), description.strip()
    product.save(update_fields=["name", "description"])
    audit_event(
        action="product.updated",
        subject=product,
        shop_id=product.campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
    )
    return product


@transaction.atomic
def update_variant(
    *,
    variant: Variant,
    price: int,
    early_bird_price: int | None,
    quota: int | None,
    is_active: bool,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Variant:
    """Change a variant's price, early-bird price, quota or availability; its quota never goes
    below the units already ordered."""
    require_editable(variant.campaign)
    errors = variant_errors(price=price, early_bird_price=early_bird_price, quota=quota)
    if errors:
        raise InvalidCampaign(field_errors=errors)
    rows = Variant.objects.filter(pk=variant.pk)
    if quota is not None:
        # One conditional UPDATE: an order reserving at the same moment cannot slip under it.
        rows = rows.filter(reserved_units__lte=quota)
    updated = rows.update(
        price=price, early_bird_price=early_bird_price, quota=quota, is_active=is_active
    )
    variant.refresh_from_db()
    if not updated:
        raise InvalidCampaign(
            field_errors={
                "quota": [
                    _("%(units)s units are already ordered; the quota cannot be lower.")
                    % {"units": variant.reserved_units}
                ]
            }
        )
    audit_event(
        action="variant.updated",
        subject=variant,
        shop_id=variant.campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
        data={"price": price, "quota": quota, "active": is_active},
    )
    return variant


@transaction.atomic
def remove_variant(
    *, variant: Variant, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> bool:
    """Delete a variant nobody ordered (True); one with orders is only deactivated (False)."""
    require_editable(variant.campaign)
    deleted = not variant.order_lines.exists()
    if deleted:
        audit_target, label = variant.product, variant.sku
        variant.delete()
    else:
        Variant.objects.filter(pk=variant.pk).update(is_active=False)
        variant.is_active = False
        audit_target, label = variant, variant.sku
    audit_event(
        action="variant.removed" if deleted else "variant.deactivated",
        subject=audit_target,
        shop_id=variant.campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
        data={"sku": label},
    )
    return deleted


@transaction.atomic
def remove_product(
    *, product: Product, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> bool:
    """Delete a product nobody ordered with its variants and photos (True); one with orders
    only has its variants deactivated (False)."""
    campaign = product.campaign
    require_editable(campaign)
    ordered = Variant.objects.filter(product=product, order_lines__isnull=False).exists()
    if ordered:
        product.variants.update(is_active=False)
        subject = product
    else:
        photos = list(product.photos.all())
        product.delete()
        for photo in photos:
            delete_files_on_commit(photo)
        subject = campaign
    audit_event(
        action="product.deactivated" if ordered else "product.removed",
        subject=subject,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
        data={"name": product.name},
    )
    return not ordered
