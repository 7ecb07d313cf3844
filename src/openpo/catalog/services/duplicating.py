"""Opening a PO again ("Buka PO lagi"): a fresh draft copy of an earlier PO."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from openpo.catalog.models import Campaign, Material, Product, ProductPhoto, Variant
from openpo.catalog.services.campaigns import SETTING_FIELDS, free_campaign_slug
from openpo.core.audit import audit_event

S = Campaign.Status


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
