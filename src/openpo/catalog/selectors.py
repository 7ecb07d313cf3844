"""Reading campaigns as buyers see them: the public state, stock left, minimum-order progress."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from openpo.catalog.models import Campaign, Product, ProductPhoto, Variant

S = Campaign.Status
# Statuses a visitor may see; drafts stay private.
PUBLIC_STATUSES = [s for s in S.values if s != S.DRAFT]


def products_for_page() -> Prefetch:
    """The products of a campaign page, with their photos and active variants, in order."""
    variants = Variant.objects.filter(is_active=True).order_by("position", "id")
    products = Product.objects.order_by("position", "id").prefetch_related(
        Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id")),
        Prefetch("variants", queryset=variants),
    )
    return Prefetch("products", queryset=products)


def published_campaign(shop_slug: str, campaign_slug: str, queryset=None) -> Campaign:
    """The published campaign the URL's slugs name (drafts stay private), or 404; `queryset`
    says what to load with it (by default its shop)."""
    if queryset is None:
        queryset = Campaign.objects.select_related("shop")
    return get_object_or_404(
        queryset, shop__slug=shop_slug, slug=campaign_slug, status__in=PUBLIC_STATUSES
    )


def get_public_campaign(shop_slug: str, campaign_slug: str) -> Campaign:
    """The published campaign with its products, photos and variants, or 404."""
    return published_campaign(
        shop_slug,
        campaign_slug,
        Campaign.objects.select_related("shop").prefetch_related(
            products_for_page(), "shop__bank_accounts"
        ),
    )


def get_orderable_campaign(shop_slug: str, campaign_slug: str) -> tuple[Campaign, dict[str, int]]:
    """The published campaign (with its shop) and its active variants' ids by SKU, or 404.

    The order endpoints' read: two light queries, nothing the order does not need.
    """
    campaign = published_campaign(shop_slug, campaign_slug)
    skus = dict(
        Variant.objects.filter(campaign=campaign, is_active=True)
        .order_by()
        .values_list("sku", "pk")
    )
    return campaign, skus


def get_campaign_for_order_form(shop_slug: str, campaign_slug: str) -> tuple[Campaign, list]:
    """The published campaign (with its shop) and its active variants (with their products)
    in page order, or 404: what the order form's POST needs, without the page's photos."""
    campaign = published_campaign(shop_slug, campaign_slug)
    variants = list(
        Variant.objects.filter(campaign=campaign, is_active=True)
        .select_related("product")
        .order_by("product__position", "product_id", "position", "id")
    )
    return campaign, variants


def public_variants(campaign: Campaign) -> list[Variant]:
    """The active variants of a campaign loaded by `get_public_campaign`, in display order."""
    return [v for product in campaign.products.all() for v in product.variants.all()]


@dataclass(frozen=True)
class Availability:
    state: (
        str  # upcoming, open, sold_out, closed, producing, shipping, completed, failed, cancelled
    )
    units_ordered: int
    units_left: int | None  # None: unlimited
    moq_units: int

    @property
    def moq_percent(self) -> int:
        if not self.moq_units:
            return 100
        return min(100, self.units_ordered * 100 // self.moq_units)

    @property
    def takes_orders(self) -> bool:
        return self.state == "open"


def availability(campaign: Campaign, variants: list[Variant], at: datetime) -> Availability:
    """What a buyer sees at `at`: the state and what is left, from already loaded variants."""
    left_per_variant = [v.units_left for v in variants]
    variants_left = None if None in left_per_variant else sum(left_per_variant)
    cap_left = (
        None if campaign.unit_cap is None else max(campaign.unit_cap - campaign.reserved_units, 0)
    )
    known = [n for n in (variants_left, cap_left) if n is not None]
    units_left = min(known) if known else None
    phase = campaign.phase(at)
    state = {S.SCHEDULED: "upcoming"}.get(phase, phase)
    closed_sold_out = phase == S.CLOSED and campaign.close_reason == Campaign.CloseReason.SOLD_OUT
    if (phase == S.OPEN and units_left == 0) or closed_sold_out:
        state = "sold_out"
    return Availability(
        state=str(state),
        units_ordered=campaign.reserved_units,
        units_left=units_left,
        moq_units=campaign.moq_units,
    )
