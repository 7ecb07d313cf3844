"""A shop's POs through the API: list, create (products, variants and materials inline), read,
update, every lifecycle step, the production recap and the order export.

Creating is one transaction: a PO whose third variant is wrong is not half made, and the
refusal names the field by its path (`products.0.variants.2.price`). Steps go through
`catalog.services.lifecycle`, the same rules as the dashboard's buttons.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from openpo.api.schemas import Day, Line, Moment, Text
from openpo.api.seller.common import (
    BODY_REFUSALS,
    REFUSALS,
    actor_of,
    local,
    own_campaign,
    require_owner,
    shop_of,
)
from openpo.catalog.errors import InvalidCampaign, InvalidTransition
from openpo.catalog.models import Campaign, Variant
from openpo.catalog.recap import production_recap
from openpo.catalog.services.campaigns import create_campaign, update_campaign
from openpo.catalog.services.lifecycle import (
    TRANSITIONS,
    advance_campaign,
    allowed_steps,
    cancel_campaign,
    close_campaign,
    complete_campaign,
    fail_campaign,
    phase_allows,
    publish_campaign,
    reopen_campaign,
    start_production,
    start_shipping,
)
from openpo.catalog.services.materials import add_material
from openpo.catalog.services.products import add_product, add_variant
from openpo.core.errors import DomainError
from openpo.orders.exports import CONTENT_TYPES, XLSX_TYPE, export_file
from openpo.orders.filtering import filter_orders

router = Router(tags=["seller: campaigns"])

STATUSES = Literal[tuple(Campaign.Status.values)]
Step = Literal[
    "publish",
    "close",
    "reopen",
    "start_production",
    "start_shipping",
    "complete",
    "fail",
    "cancel",
]
# Steps that end a PO for every buyer (refunds, messages to all): the owner's, not staff's.
OWNER_STEPS = {"fail", "cancel"}
STEPS: dict[str, Callable[..., Campaign]] = {
    "publish": publish_campaign,
    "close": lambda **kw: close_campaign(reason=Campaign.CloseReason.EARLY, **kw),
    "reopen": reopen_campaign,
    "start_production": start_production,
    "start_shipping": start_shipping,
    "complete": complete_campaign,
    "fail": fail_campaign,
    "cancel": cancel_campaign,
}


# --- shapes ---------------------------------------------------------------------------------


class ShopMaterial(Schema):
    name: Line = Field(min_length=1, max_length=100)
    quantity_per_unit: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit: Line = Field(min_length=1, max_length=20, description="e.g. m, pcs, gram")


class ShopVariantIn(Schema):
    options: dict[
        Annotated[Line, Field(min_length=1, max_length=30)],
        Annotated[Line, Field(min_length=1, max_length=50)],
    ] = Field(
        default_factory=dict, max_length=5, description='e.g. {"Ukuran": "M", "Warna": "Hitam"}'
    )
    sku: Line = Field("", max_length=64, description="Made from the names when empty.")
    price: int = Field(ge=0, le=1_000_000_000, description="Rupiah.")
    early_bird_price: int | None = Field(None, ge=0, le=1_000_000_000)
    quota: int | None = Field(None, ge=0, le=1_000_000, description="null: unlimited.")
    materials: list[ShopMaterial] = Field(default_factory=list, max_length=50)


class ShopProductIn(Schema):
    name: Line = Field(min_length=1, max_length=150)
    description: Text = Field("", max_length=5000)
    variants: list[ShopVariantIn] = Field(min_length=1, max_length=100)


class ShopCampaignSettings(Schema):
    """The settings a PO is made with and may change while it has not closed."""

    description: Text = Field("", max_length=20000)
    production_starts_on: Day | None = None
    ships_on: Day | None = None
    moq_units: int = Field(0, ge=0, le=1_000_000, description="Minimum order, units; 0: none.")
    unit_cap: int | None = Field(None, ge=1, le=1_000_000, description="null: no cap.")
    max_units_per_order: int | None = Field(None, ge=1, le=10_000)
    payment_policy: Literal[tuple(Campaign.PaymentPolicy.values)] = Campaign.PaymentPolicy.FULL
    deposit_percent: int | None = Field(None, ge=1, le=99)
    settlement_due_on: Day | None = None
    payment_window_hours: int | None = Field(None, ge=1, le=720)
    shipping_fee: int = Field(0, ge=0, le=100_000_000)
    terms: Text = Field("", max_length=20000)
    early_bird_until: Moment | None = None
    early_bird_units: int | None = Field(None, ge=1, le=1_000_000)


class ShopCampaignIn(ShopCampaignSettings):
    title: Line = Field(min_length=1, max_length=200)
    slug: Line = Field("", max_length=80, description="The link's last part; from the title.")
    opens_at: Moment
    closes_at: Moment
    products: list[ShopProductIn] = Field(default_factory=list, max_length=50)


class ShopCampaignPatch(Schema):
    """Only the fields sent change; `null` clears what may be empty (a cap, a date)."""

    title: Line | None = Field(None, min_length=1, max_length=200)
    slug: Line | None = Field(None, max_length=80, description="Only while a draft.")
    opens_at: Moment | None = None
    closes_at: Moment | None = None
    description: Text | None = Field(None, max_length=20000)
    production_starts_on: Day | None = None
    ships_on: Day | None = None
    moq_units: int | None = Field(None, ge=0, le=1_000_000)
    unit_cap: int | None = Field(None, ge=1, le=1_000_000)
    max_units_per_order: int | None = Field(None, ge=1, le=10_000)
    payment_policy: Literal[tuple(Campaign.PaymentPolicy.values)] | None = None
    deposit_percent: int | None = Field(None, ge=1, le=99)
    settlement_due_on: Day | None = None
    payment_window_hours: int | None = Field(None, ge=1, le=720)
    shipping_fee: int | None = Field(None, ge=0, le=100_000_000)
    terms: Text | None = Field(None, max_length=20000)
    early_bird_until: Moment | None = None
    early_bird_units: int | None = Field(None, ge=1, le=1_000_000)


# Fields that cannot be emptied: `null` for them is refused, not stored.
REQUIRED_ON_PATCH = {
    "title",
    "slug",
    "opens_at",
    "closes_at",
    "description",
    "moq_units",
    "payment_policy",
    "shipping_fee",
    "terms",
}


class StepIn(Schema):
    reason: Text = Field("", max_length=500, description="Kept in the PO's history (cancel).")


class ShopVariant(Schema):
    sku: str
    options: dict[str, str]
    price: int
    early_bird_price: int | None
    quota: int | None
    reserved_units: int
    is_active: bool
    materials: list[ShopMaterial]


class ShopProduct(Schema):
    id: int
    name: str
    description: str
    variants: list[ShopVariant]


class ShopCampaignSummary(Schema):
    slug: str
    title: str
    status: str = Field(description="The stored status: draft, scheduled, open, closed, …")
    phase: str = Field(
        description="The status that holds now (a scheduled PO past its opening "
        "time is open before the clock job catches up)."
    )
    opens_at: datetime
    closes_at: datetime
    moq_units: int
    unit_cap: int | None
    reserved_units: int
    url: str


class ShopCampaign(ShopCampaignSummary):
    description: str
    production_starts_on: date | None
    ships_on: date | None
    max_units_per_order: int | None
    payment_policy: str
    deposit_percent: int | None
    settlement_due_on: date | None
    payment_window_hours: int | None
    shipping_fee: int
    terms: str
    early_bird_until: datetime | None
    early_bird_units: int | None
    allowed_steps: list[str] = Field(description="The lifecycle steps the PO may take now.")
    products: list[ShopProduct]


class RecapVariant(Schema):
    sku: str
    product: str
    variant: str
    units_all: int = Field(description="Units in every active order.")
    units_paid: int = Field(description="Units in paid orders (deposit paid counts for a DP PO).")


class RecapMaterial(Schema):
    name: str
    unit: str
    quantity_all: Decimal
    quantity_paid: Decimal


class ProductionRecapOut(Schema):
    units_all: int
    units_paid: int
    variants: list[RecapVariant]
    materials: list[RecapMaterial]


# --- reading --------------------------------------------------------------------------------


def _summary(request: HttpRequest, campaign: Campaign, now: datetime) -> dict:
    shop = shop_of(request)
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "status": campaign.status,
        "phase": campaign.phase(now),
        "opens_at": local(request, campaign.opens_at),
        "closes_at": local(request, campaign.closes_at),
        "moq_units": campaign.moq_units,
        "unit_cap": campaign.unit_cap,
        "reserved_units": campaign.reserved_units,
        "url": request.build_absolute_uri(reverse("campaign", args=[shop.slug, campaign.slug])),
    }


def _detail(request: HttpRequest, campaign: Campaign) -> dict:
    now = timezone.now()
    variants = (
        Variant.objects.filter(campaign=campaign)
        .select_related("product")
        .prefetch_related("materials")
        .order_by("product__position", "product_id", "position", "id")
    )
    products: dict[int, dict] = {
        product.pk: {
            "id": product.pk,
            "name": product.name,
            "description": product.description,
            "variants": [],
        }
        for product in campaign.products.order_by("position", "id")
    }
    for variant in variants:
        products[variant.product_id]["variants"].append(
            {
                "sku": variant.sku,
                "options": variant.options,
                "price": variant.price,
                "early_bird_price": variant.early_bird_price,
                "quota": variant.quota,
                "reserved_units": variant.reserved_units,
                "is_active": variant.is_active,
                "materials": [
                    {"name": m.name, "quantity_per_unit": m.quantity_per_unit, "unit": m.unit}
                    for m in variant.materials.all()
                ],
            }
        )
    return {
        **_summary(request, campaign, now),
        **{
            field: getattr(campaign, field)
            for field in (
                "description",
                "production_starts_on",
                "ships_on",
                "max_units_per_order",
                "payment_policy",
                "deposit_percent",
                "settlement_due_on",
                "payment_window_hours",
                "shipping_fee",
                "terms",
                "early_bird_units",
            )
        },
        "early_bird_until": local(request, campaign.early_bird_until),
        "allowed_steps": allowed_steps(campaign, now),
        "products": list(products.values()),
    }


@router.get(
    "/campaigns",
    response={200: list[ShopCampaignSummary], **REFUSALS},
    summary="The shop's POs, newest first",
)
def list_campaigns(request: HttpRequest, status: STATUSES | None = None):
    campaigns = Campaign.objects.filter(shop=shop_of(request)).order_by("-opens_at", "-pk")
    if status:
        campaigns = campaigns.filter(status=status)
    now = timezone.now()
    return [_summary(request, c, now) for c in campaigns]


@router.get(
    "/campaigns/{slug}",
    response={200: ShopCampaign, **REFUSALS},
    summary="One PO of the shop, with its products, variants and materials",
)
def get_campaign(request: HttpRequest, slug: str):
    return _detail(request, own_campaign(request, slug))


# --- writing --------------------------------------------------------------------------------


def _aware(request: HttpRequest, data: dict) -> dict:
    """Times sent without an offset are the shop's local time, as the seller means them."""
    for field in ("opens_at", "closes_at", "early_bird_until"):
        moment = data.get(field)
        if moment is not None and timezone.is_naive(moment):
            data[field] = timezone.make_aware(moment, shop_of(request).tzinfo)
    return data


def _under(prefix: str, error: DomainError) -> InvalidCampaign:
    """The same refusal with its fields named by their path in the request's body."""
    fields = {f"{prefix}.{name}": msgs for name, msgs in error.field_errors.items()}
    return InvalidCampaign(field_errors=fields or {prefix: [error.message]})


@router.post(
    "/campaigns",
    response={201: ShopCampaign, **REFUSALS, **BODY_REFUSALS},
    summary="Create a draft PO, with its products, variants and materials",
)
def create(request: HttpRequest, payload: ShopCampaignIn):
    data = _aware(request, payload.dict())
    products = data.pop("products")
    with transaction.atomic():
        campaign = create_campaign(
            shop=shop_of(request), actor=actor_of(request), now=timezone.now(), **data
        )
        for p, product_in in enumerate(products):
            try:
                product = add_product(
                    campaign=campaign,
                    name=product_in["name"],
                    description=product_in["description"],
                    actor=actor_of(request),
                )
            except DomainError as error:
                raise _under(f"products.{p}", error) from error
            for v, variant_in in enumerate(product_in["variants"]):
                where = f"products.{p}.variants.{v}"
                try:
                    variant = add_variant(
                        product=product,
                        options=variant_in["options"],
                        sku=variant_in["sku"],
                        price=variant_in["price"],
                        early_bird_price=variant_in["early_bird_price"],
                        quota=variant_in["quota"],
                    )
                except DomainError as error:
                    raise _under(where, error) from error
                for m, material in enumerate(variant_in["materials"]):
                    try:
                        add_material(variant=variant, **material)
                    except DomainError as error:
                        raise _under(f"{where}.materials.{m}", error) from error
    return Status(201, _detail(request, campaign))


@router.patch(
    "/campaigns/{slug}",
    response={200: ShopCampaign, **REFUSALS, **BODY_REFUSALS},
    summary="Change a PO's settings (only the fields sent) while it has not closed",
)
def update(request: HttpRequest, slug: str, payload: ShopCampaignPatch):
    campaign = own_campaign(request, slug)
    changes = _aware(request, payload.dict(exclude_unset=True))
    emptied = sorted(f for f in REQUIRED_ON_PATCH if f in changes and changes[f] is None)
    if emptied:
        raise InvalidCampaign(
            field_errors={f: [_("This field cannot be emptied.")] for f in emptied}
        )
    campaign = update_campaign(
        campaign=campaign, actor=actor_of(request), now=timezone.now(), **changes
    )
    return _detail(request, campaign)


@router.post(
    "/campaigns/{slug}/steps/{step}",
    response={200: ShopCampaign, **REFUSALS, **BODY_REFUSALS},
    summary="Take a lifecycle step: publish, close, reopen, start_production, …",
    description=(
        "The same rules as the dashboard's buttons: `allowed_steps` of the PO lists what it may "
        "take now; any other step is 409. `fail` and `cancel` are the shop owner's (403 for a "
        'staff member\'s token). A body is optional: `{"reason": "…"}` for `cancel`.'
    ),
)
def take_step(request: HttpRequest, slug: str, step: Step, payload: StepIn | None = None):
    if step in OWNER_STEPS:
        require_owner(request)
    campaign = own_campaign(request, slug)
    now = timezone.now()
    campaign = advance_campaign(campaign=campaign, now=now)
    if step != "publish" and not phase_allows(campaign, step, now):
        raise InvalidTransition(
            current=Campaign.Status(campaign.phase(now)).label,
            target=Campaign.Status(TRANSITIONS[step][1]).label,
        )
    extra = {"reason": payload.reason} if step == "cancel" and payload else {}
    campaign = STEPS[step](campaign=campaign, actor=actor_of(request), now=now, **extra)
    return _detail(request, campaign)


# --- production and exports -------------------------------------------------------------------


@router.get(
    "/campaigns/{slug}/production",
    response={200: ProductionRecapOut, **REFUSALS},
    summary="Production recap: units per variant and the materials they need",
)
def production(request: HttpRequest, slug: str):
    recap = production_recap(own_campaign(request, slug))
    return {
        "units_all": recap.units_all,
        "units_paid": recap.units_paid,
        "variants": [
            {
                "sku": v.sku,
                "product": v.product_name,
                "variant": v.label,
                "units_all": v.units_all,
                "units_paid": v.units_paid,
            }
            for v in recap.variants
        ],
        "materials": [
            {
                "name": m.name,
                "unit": m.unit,
                "quantity_all": m.quantity_all,
                "quantity_paid": m.quantity_paid,
            }
            for m in recap.materials
        ],
    }


@router.get(
    "/campaigns/{slug}/export",
    response={200: None, **REFUSALS},
    summary="The PO's orders as a spreadsheet, one row per order line (CSV or XLSX)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment.",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in ("text/csv", XLSX_TYPE)
                },
            }
        }
    },
)
def export(request: HttpRequest, slug: str, format: Literal["csv", "xlsx"] = "csv"):
    campaign = own_campaign(request, slug)
    orders = filter_orders(campaign, {"sort": "oldest"}, now=timezone.now())
    content, filename = export_file(orders, campaign.shop, fmt=format, name=f"{slug}-orders")
    response = HttpResponse(content, content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
