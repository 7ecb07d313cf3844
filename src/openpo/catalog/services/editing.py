"""Editing a campaign from the seller's dashboard: its settings, products with their variants
generated from sizes × colours, photos, the bill of materials, duplicating a PO ("Buka PO
lagi") and publishing it now or on schedule.

While a PO is open, edits never break live orders: no quota or cap below the units already
reserved, no new payment policy once orders exist, no moving the opening of a PO that opened.
Counters kept by the order path (`reserved_units`, `early_bird_units_sold`) are never written
here: every update names the fields it changes.
"""

import contextlib
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Campaign, Material, Product, ProductPhoto, Variant
from openpo.catalog.services.lifecycle import publish_campaign
from openpo.catalog.services.setup import (
    SETTING_FIELDS,
    add_material,
    add_product,
    add_product_photo,
    add_variant,
    campaign_settings_errors,
    free_campaign_slug,
    normalized_settings,
    require_editable,
)
from openpo.core.audit import audit_event

S = Campaign.Status
SIZE_KEY = "Ukuran"  # option names as Indonesian sellers write them (shown on order pages)
COLOUR_KEY = "Warna"
MAX_GENERATED_VARIANTS = 60


def _has_orders(campaign: Campaign) -> bool:
    return campaign.orders.exists()


@transaction.atomic
def update_campaign(
    *,
    campaign: Campaign,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
    slug: str | None = None,
    **changes: object,
) -> Campaign:
    """Change a PO's settings while it is a draft, scheduled or open, without breaking the
    orders it already holds."""
    now = now or timezone.now()
    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"update_campaign() got unknown settings {sorted(unknown)}")
    # Lock the row: the order path reserves units on it, and we compare against them.
    locked = Campaign.objects.select_for_update().select_related("shop").get(pk=campaign.pk)
    require_editable(locked)
    current = {field: getattr(locked, field) for field in SETTING_FIELDS}
    for field in ("opens_at", "closes_at", "early_bird_until"):
        # Forms show times to the minute: the same minute is no change (e.g. opened at 19:03:27).
        old, new = current[field], changes.get(field)
        if old is not None and new is not None and new == old.replace(second=0, microsecond=0):
            changes[field] = old
    settings = normalized_settings({**current, **changes})
    errors = campaign_settings_errors(shop=locked.shop, settings=settings)
    changed = {f: v for f, v in settings.items() if v != current[f]}

    if slug is not None and slugify(slug)[:80] != locked.slug:
        if locked.status != S.DRAFT:
            errors["slug"] = [_("The link of a published PO cannot change: buyers have it.")]
        elif not slugify(slug):
            errors["slug"] = [_("Enter a short name for the PO's link.")]
        elif Campaign.objects.filter(shop=locked.shop, slug=slugify(slug)[:80]).exists():
            errors["slug"] = [_("Another PO of this shop already uses this link.")]
        else:
            changed["slug"] = slugify(slug)[:80]

    errors.update(_live_order_errors(locked, changed, now))
    if errors:
        raise InvalidCampaign(field_errors=errors)
    if not changed:
        return locked
    changed["updated_at"] = now
    try:
        with transaction.atomic():
            Campaign.objects.filter(pk=locked.pk).update(**changed)
    except IntegrityError as exc:  # a database invariant the checks above did not foresee
        raise InvalidCampaign() from exc
    audit_event(
        action="campaign.updated",
        subject=locked,
        shop_id=locked.shop_id,
        actor=actor,
        at=now,
        data={"fields": sorted(f for f in changed if f != "updated_at")},
    )
    locked.refresh_from_db()
    return locked


def _live_order_errors(campaign: Campaign, changed: dict, now: datetime) -> dict[str, list]:
    """What `changed` would break in a PO that is published or already holds orders."""
    errors: dict[str, list] = {}
    if campaign.status == S.DRAFT:
        return errors
    has_opened = campaign.status == S.OPEN or campaign.opens_at <= now
    if "opens_at" in changed and has_opened:
        errors["opens_at"] = [_("This PO has already opened; its opening time cannot change.")]
    elif "opens_at" in changed and changed["opens_at"] < now:
        errors["opens_at"] = [_("Choose an opening time that is still ahead, or publish now.")]
    if "closes_at" in changed and changed["closes_at"] <= now:
        errors["closes_at"] = [
            _("Choose a closing time that is still ahead; to stop orders now, close the PO.")
        ]
    cap = changed.get("unit_cap", campaign.unit_cap)
    if "unit_cap" in changed and cap is not None and cap < campaign.reserved_units:
        errors["unit_cap"] = [
            _("%(units)s units are already ordered; the cap cannot be lower.")
            % {"units": campaign.reserved_units}
        ]
    early = changed.get("early_bird_units", campaign.early_bird_units)
    if (
        "early_bird_units" in changed
        and early is not None
        and early < campaign.early_bird_units_sold
    ):
        errors["early_bird_units"] = [
            _("%(units)s units were already sold at the early-bird price.")
            % {"units": campaign.early_bird_units_sold}
        ]
    if {"payment_policy", "deposit_percent"} & set(changed) and _has_orders(campaign):
        errors["payment_policy"] = [
            _("This PO already has orders; its payment policy can no longer change.")
        ]
    return errors


# Products and variants ------------------------------------------------------------------


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
    nothing."""
    now = now or timezone.now()
    product = add_product(campaign=campaign, name=name, description=description.strip())
    generate_variants(
        product=product,
        price=price,
        sizes=sizes,
        colours=colours,
        size_prices=size_prices,
        early_bird_price=early_bird_price,
        quota=quota,
        now=now,
    )
    if photo is not None:
        add_product_photo(product=product, image=photo, alt_text=product.name)
    audit_event(
        action="product.added",
        subject=product,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now,
        data={"name": product.name, "variants": product.variants.count()},
    )
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
    errors: dict[str, list] = {}
    if price < 0:
        errors["price"] = [_("The price cannot be negative.")]
    if early_bird_price is not None and not 0 <= early_bird_price < price:
        errors["early_bird_price"] = [_("The early-bird price must be below the normal price.")]
    if quota is not None and quota < 0:
        errors["quota"] = [_("The quota cannot be negative; leave it empty for unlimited.")]
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
            _delete_files_on_commit(photo)
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


# Photos and materials ---------------------------------------------------------------------


@transaction.atomic
def add_photo(
    *,
    product: Product,
    image: File,
    alt_text: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ProductPhoto:
    """Upload a product photo (checked, with a thumbnail) to a PO that has not closed."""
    require_editable(product.campaign)
    photo = add_product_photo(product=product, image=image, alt_text=alt_text or product.name)
    audit_event(
        action="photo.added",
        subject=photo,
        shop_id=product.campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
    )
    return photo


def _delete_files_on_commit(photo: ProductPhoto) -> None:
    """Remove a deleted photo's files once the deletion commits, unless a duplicated PO's
    photo still uses the same files."""
    names = [f.name for f in (photo.image, photo.thumbnail) if f]

    def delete() -> None:
        for field, name in zip(("image", "thumbnail"), names, strict=False):
            if ProductPhoto.objects.filter(**{field: name}).exists():
                continue
            with contextlib.suppress(OSError):
                photo.image.storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def remove_photo(
    *, photo: ProductPhoto, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> None:
    """Delete a product photo (and its files, when no other PO shares them)."""
    campaign = photo.product.campaign
    require_editable(campaign)
    product = photo.product
    photo.delete()
    _delete_files_on_commit(photo)
    audit_event(
        action="photo.removed",
        subject=product,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
    )


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


# Duplicating and publishing ---------------------------------------------------------------


def _days_to_shift(campaign: Campaign, now: datetime) -> int:
    """Whole days that move the PO's opening to tomorrow (local time), if it is not ahead."""
    tz = campaign.shop.tzinfo
    if campaign.opens_at > now:
        return 0
    tomorrow = timezone.localtime(now, tz).date() + timedelta(days=1)
    return (tomorrow - timezone.localtime(campaign.opens_at, tz).date()).days


@transaction.atomic
def duplicate_campaign(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Open the same PO again ("Buka PO lagi"): a new draft with the same settings, products,
    variants (same SKUs, nothing reserved), materials and photos, its timeline moved so it
    opens tomorrow at the same hour, under a free link."""
    now = now or timezone.now()
    shift = timedelta(days=_days_to_shift(campaign, now))

    def moved(value):
        return None if value is None else value + shift

    copy = Campaign.objects.create(
        shop=campaign.shop,
        slug=free_campaign_slug(campaign.shop, _base_slug(campaign.slug)),
        status=S.DRAFT,
        created_at=now,
        updated_at=now,
        opens_at=moved(campaign.opens_at),
        closes_at=moved(campaign.closes_at),
        production_starts_on=moved(campaign.production_starts_on),
        ships_on=moved(campaign.ships_on),
        settlement_due_on=moved(campaign.settlement_due_on),
        early_bird_until=moved(campaign.early_bird_until),
        **{
            field: getattr(campaign, field)
            for field in SETTING_FIELDS
            if field
            not in {
                "opens_at",
                "closes_at",
                "production_starts_on",
                "ships_on",
                "settlement_due_on",
                "early_bird_until",
            }
        },
    )
    for product in campaign.products.prefetch_related("photos", "variants__materials"):
        new_product = Product.objects.create(
            campaign=copy,
            name=product.name,
            description=product.description,
            position=product.position,
        )
        ProductPhoto.objects.bulk_create(
            ProductPhoto(
                product=new_product,
                image=photo.image.name,
                thumbnail=photo.thumbnail.name,
                alt_text=photo.alt_text,
                position=photo.position,
            )
            for photo in product.photos.all()
        )
        for variant in product.variants.all():
            new_variant = Variant.objects.create(
                campaign=copy,
                product=new_product,
                options=variant.options,
                sku=variant.sku,
                price=variant.price,
                early_bird_price=variant.early_bird_price,
                quota=variant.quota,
                position=variant.position,
                is_active=variant.is_active,
            )
            Material.objects.bulk_create(
                Material(
                    variant=new_variant,
                    name=material.name,
                    quantity_per_unit=material.quantity_per_unit,
                    unit=material.unit,
                )
                for material in variant.materials.all()
            )
    audit_event(
        action="campaign.duplicated",
        subject=copy,
        shop_id=copy.shop_id,
        actor=actor,
        at=now,
        data={"from": campaign.pk, "shift_days": shift.days},
    )
    return copy


def _base_slug(slug: str) -> str:
    """`po-kaos-3` → `po-kaos`: a copy of a copy counts on from the original's link."""
    head, _sep, tail = slug.rpartition("-")
    return head if head and tail.isdigit() else slug


@transaction.atomic
def publish_now(
    *,
    campaign: Campaign,
    open_now: bool = False,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Publish a draft: it opens at its opening time (scheduled), or right now with `open_now`
    (the opening time becomes now). Refused without an active variant to sell."""
    now = now or timezone.now()
    if open_now and campaign.status == S.DRAFT and campaign.opens_at > now:
        Campaign.objects.filter(pk=campaign.pk).update(opens_at=now, updated_at=now)
        campaign.opens_at = now
        audit_event(
            action="campaign.opened_now",
            subject=campaign,
            shop_id=campaign.shop_id,
            actor=actor,
            at=now,
        )
    return publish_campaign(campaign=campaign, actor=actor, now=now)


def default_timeline(now: datetime, tz) -> dict[str, object]:
    """Prefilled dates for a new PO: opens today at 19:00 (tomorrow when that is less than an
    hour away), closes five days later at 21:00, production the next day, shipping two weeks
    after closing."""
    local = timezone.localtime(now, tz)
    opens_day = local.date() if local.hour < 18 else local.date() + timedelta(days=1)
    opens_at = datetime.combine(opens_day, time(19, 0), tzinfo=tz)
    closes_day = opens_day + timedelta(days=5)
    return {
        "opens_at": opens_at,
        "closes_at": datetime.combine(closes_day, time(21, 0), tzinfo=tz),
        "production_starts_on": closes_day + timedelta(days=1),
        "ships_on": closes_day + timedelta(days=14),
    }
