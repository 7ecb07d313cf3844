"""Rendering the campaign editor's pages: the edit page with every product, variant, photo and
material and a form for each, and the preview that shows the PO as buyers will see it.

A form that failed comes back in `bound` under its prefix and takes the place of the blank
one, so its errors appear right where the seller typed.
"""

import copy
from datetime import timedelta

from django import forms
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from openpo.catalog.models import Campaign, Product, ProductPhoto, Variant
from openpo.catalog.selectors import products_for_page, public_variants
from openpo.catalog.services.campaigns import EDITABLE_STATUSES, SETTING_FIELDS
from openpo.dashboard.editor.forms import (
    AddProductForm,
    CampaignForm,
    MaterialForm,
    PhotoForm,
    ProductForm,
    VariantForm,
    VariantsForm,
)
from openpo.storefront.campaigns import campaign_context
from openpo.storefront.forms import OrderForm

ADD_PRODUCT = "add"
SETTINGS = "po"


def prefix(kind: str, pk: int) -> str:
    """Form prefixes on the edit page: one form of each kind per object (`v12`, `m12`, …)."""
    return f"{kind}{pk}"


def campaign_initial(campaign: Campaign) -> dict:
    return {field: getattr(campaign, field) for field in SETTING_FIELDS}


def _form(bound: dict, key: str, form_class: type[forms.Form], **kwargs) -> forms.Form:
    return bound.get(key) or form_class(prefix=key, **kwargs)


def edit_context(request: HttpRequest, campaign: Campaign, bound: dict) -> dict:
    variants = Variant.objects.order_by("position", "id").prefetch_related("materials")
    products = (
        Product.objects.filter(campaign=campaign)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("variants", queryset=variants),
            Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id")),
        )
    )
    rows = []
    for product in products:
        variant_rows = [
            {
                "variant": variant,
                "form": _form(
                    bound,
                    prefix("v", variant.pk),
                    VariantForm,
                    initial={
                        "price": variant.price,
                        "early_bird_price": variant.early_bird_price,
                        "quota": variant.quota,
                        "is_active": variant.is_active,
                    },
                ),
                "material_form": _form(bound, prefix("m", variant.pk), MaterialForm),
                "open": prefix("v", variant.pk) in bound or prefix("m", variant.pk) in bound,
            }
            for variant in product.variants.all()
        ]
        rows.append(
            {
                "product": product,
                "variants": variant_rows,
                "form": _form(
                    bound,
                    prefix("p", product.pk),
                    ProductForm,
                    initial={"name": product.name, "description": product.description},
                ),
                "variants_form": _form(
                    bound,
                    prefix("pv", product.pk),
                    VariantsForm,
                    initial={"price": product.variants.all()[0].price} if variant_rows else None,
                ),
                "photo_form": _form(bound, prefix("ph", product.pk), PhotoForm),
                "open": {prefix(k, product.pk) for k in ("p", "pv", "ph")} & set(bound),
            }
        )
    now = timezone.now()
    settings_form = bound.get(SETTINGS) or CampaignForm(
        prefix=SETTINGS, initial=campaign_initial(campaign)
    )
    public_url = None
    if campaign.status != Campaign.Status.DRAFT:
        public_url = request.build_absolute_uri(
            reverse("campaign", args=[campaign.shop.slug, campaign.slug])
        )
    return {
        "shop": request.shop,
        "campaign": campaign,
        "phase": campaign.phase(now),
        "editable": campaign.status in EDITABLE_STATUSES,
        "products": rows,
        "add_form": _form(bound, ADD_PRODUCT, AddProductForm),
        "settings_form": settings_form,
        "settings_open": SETTINGS in bound,
        "public_url": public_url,
        "active_variants": sum(v["variant"].is_active for row in rows for v in row["variants"]),
        "dash_section": "pos",
    }


def render_edit_page(
    request: HttpRequest, campaign: Campaign, *, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    """The edit page; any failed form in `bound` (by prefix) shows with its errors."""
    with timezone.override(campaign.shop.tzinfo):
        context = edit_context(request, campaign, bound or {})
        return render(request, "dashboard/editor/edit.html", context, status=status)


def preview_context(request: HttpRequest, campaign: Campaign) -> dict:
    """The storefront campaign page's context, for a PO as buyers will see it once it is open.

    Mirrors `storefront.campaigns._render_campaign` (which renders straight away and cannot
    take another template): the same selectors, terms and forms, but the campaign is shown as
    open at its opening time (or now, when that has passed) and the order form is disabled.
    """
    now = timezone.now()
    shown = copy.copy(campaign)
    shown._prefetched_objects_cache = {}
    prefetch_related_objects([shown], products_for_page())
    if shown.status in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
        shown.status = Campaign.Status.OPEN
    at = max(now, campaign.opens_at + timedelta(seconds=1))
    variants = public_variants(shown)
    form = OrderForm(variants=variants)
    for field in form.fields.values():
        field.disabled = True
    return {
        **campaign_context(shown, form, now=at),
        "preview": True,
        "real_phase": campaign.phase(now),
        "opens_later": campaign.opens_at > now,
        "has_variants": bool(variants),
    }
