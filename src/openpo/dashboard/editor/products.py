"""The editor's product pieces: add a product with its sizes × colours in one submit, edit or
remove a product, add variants, edit or remove a variant, upload or delete photos, set or drop
a material. Each view is POST only, fetches its object through the shop, calls one service,
and on a refusal shows the edit page again with the form's errors in place."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from openpo.catalog.models import Campaign, Material, Product, ProductPhoto, Variant
from openpo.catalog.services.materials import remove_material, set_material
from openpo.catalog.services.photos import MAX_PHOTO_BYTES, add_product_photo, remove_photo
from openpo.catalog.services.products import (
    add_product_with_variants,
    generate_variants,
    remove_product,
    remove_variant,
    update_product,
    update_variant,
)
from openpo.core.errors import DomainError
from openpo.core.forms import add_domain_error
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.editor.forms import (
    AddProductForm,
    MaterialForm,
    PhotoForm,
    ProductForm,
    VariantForm,
    VariantsForm,
)
from openpo.dashboard.editor.page import ADD_PRODUCT, prefix, render_edit_page


def _back(campaign: Campaign, anchor: str = "") -> HttpResponse:
    url = reverse("dashboard:campaign_edit", args=[campaign.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _submit(
    request: HttpRequest,
    campaign: Campaign,
    form: forms.Form,
    action,
    *,
    done: str,
    anchor: str,
) -> HttpResponse:
    """Validate `form`, run `action(form)` (a service call); back to the edit page, or the
    page again with the form's errors (422)."""
    if form.is_valid():
        try:
            action(form)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return _back(campaign, anchor)
    return render_edit_page(request, campaign, bound={form.prefix: form}, status=422)


@require_POST
@shop_member_required
@limit_upload(MAX_PHOTO_BYTES)
def product_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = AddProductForm(request.POST, request.FILES, prefix=ADD_PRODUCT)

    if form.is_valid():
        try:
            product = add_product_with_variants(
                campaign=campaign,
                **form.service_arguments(),
                actor=request.user,
                now=timezone.now(),
            )
        except DomainError as error:
            add_domain_error(form, error, aliases={"image": "photo"})
        else:
            count = product.variants.count()
            added = ngettext(
                "%(name)s added with %(count)s variant.",
                "%(name)s added with %(count)s variants.",
                count,
            ) % {"name": product.name, "count": count}
            next_step = _("Add the next product or preview the PO.")
            messages.success(request, f"{added} {next_step}")
            return _back(campaign, f"product-{product.pk}")
    return render_edit_page(request, campaign, bound={ADD_PRODUCT: form}, status=422)


def _remove(request, campaign, remove, *, removed, kept, anchor: str, after: str):
    """Remove a product or variant; one with orders stays on them, off sale (the service says
    which by its answer). A refusal goes back to the item, a removal to `after`."""
    try:
        deleted = remove()
    except DomainError as error:
        messages.error(request, error.message)
        return _back(campaign, anchor)
    messages.success(request, removed if deleted else kept)
    return _back(campaign, after)


@require_POST
@shop_member_required
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_shop_object(request, Product, pk=product_id)
    form = ProductForm(request.POST, prefix=prefix("p", product.pk))
    return _submit(
        request,
        product.campaign,
        form,
        lambda f: update_product(product=product, **f.cleaned_data, actor=request.user),
        done=_("Product saved."),
        anchor=f"product-{product.pk}",
    )


@require_POST
@shop_member_required
def product_remove(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_shop_object(request, Product, pk=product_id)
    return _remove(
        request,
        product.campaign,
        lambda: remove_product(product=product, actor=request.user),
        removed=_("Product removed."),
        kept=_("This product has orders, so it stays on them; it is no longer on sale."),
        anchor=f"product-{product.pk}",
        after="products",
    )


@require_POST
@shop_member_required
def variants_add(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_shop_object(request, Product, pk=product_id)
    form = VariantsForm(request.POST, prefix=prefix("pv", product.pk))
    return _submit(
        request,
        product.campaign,
        form,
        lambda f: generate_variants(
            product=product, **f.service_arguments(), actor=request.user, now=timezone.now()
        ),
        done=_("Variants added."),
        anchor=f"product-{product.pk}",
    )


@require_POST
@shop_member_required
def variant_edit(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = get_shop_object(request, Variant, pk=variant_id)
    form = VariantForm(request.POST, prefix=prefix("v", variant.pk))
    return _submit(
        request,
        variant.campaign,
        form,
        lambda f: update_variant(variant=variant, **f.cleaned_data, actor=request.user),
        done=_("Variant saved."),
        anchor=f"variant-{variant.pk}",
    )


@require_POST
@shop_member_required
def variant_remove(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = get_shop_object(request, Variant, pk=variant_id)
    return _remove(
        request,
        variant.campaign,
        lambda: remove_variant(variant=variant, actor=request.user),
        removed=_("Variant removed."),
        kept=_("This variant has orders, so it stays on them; it is no longer on sale."),
        anchor=f"variant-{variant.pk}",
        after=f"product-{variant.product_id}",
    )


@require_POST
@shop_member_required
@limit_upload(MAX_PHOTO_BYTES)
def photo_add(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_shop_object(request, Product, pk=product_id)
    form = PhotoForm(request.POST, request.FILES, prefix=prefix("ph", product.pk))
    return _submit(
        request,
        product.campaign,
        form,
        lambda f: add_product_photo(
            product=product,
            image=f.cleaned_data["image"],
            alt_text=f.cleaned_data["alt_text"],
            actor=request.user,
        ),
        done=_("Photo added."),
        anchor=f"product-{product.pk}",
    )


@require_POST
@shop_member_required
def photo_remove(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = get_shop_object(request, ProductPhoto, pk=photo_id)
    product = photo.product
    try:
        remove_photo(photo=photo, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Photo deleted."))
    return _back(product.campaign, f"product-{product.pk}")


@require_POST
@shop_member_required
def material_set(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = get_shop_object(request, Variant, pk=variant_id)
    form = MaterialForm(request.POST, prefix=prefix("m", variant.pk))
    return _submit(
        request,
        variant.campaign,
        form,
        lambda f: set_material(variant=variant, **f.cleaned_data, actor=request.user),
        done=_("Material saved."),
        anchor=f"variant-{variant.pk}",
    )


@require_POST
@shop_member_required
def material_remove(request: HttpRequest, material_id: int) -> HttpResponse:
    material = get_shop_object(request, Material, pk=material_id)
    variant = material.variant
    try:
        remove_material(material=material, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Material removed."))
    return _back(variant.campaign, f"variant-{variant.pk}")


urlpatterns = [
    path("po/<int:campaign_id>/products/add/", product_add, name="product_add"),
    path("po/product/<int:product_id>/edit/", product_edit, name="product_edit"),
    path("po/product/<int:product_id>/remove/", product_remove, name="product_remove"),
    path("po/product/<int:product_id>/variants/", variants_add, name="variants_add"),
    path("po/product/<int:product_id>/photos/", photo_add, name="photo_add"),
    path("po/variant/<int:variant_id>/edit/", variant_edit, name="variant_edit"),
    path("po/variant/<int:variant_id>/remove/", variant_remove, name="variant_remove"),
    path("po/variant/<int:variant_id>/materials/", material_set, name="material_set"),
    path("po/photo/<int:photo_id>/remove/", photo_remove, name="photo_remove"),
    path("po/material/<int:material_id>/remove/", material_remove, name="material_remove"),
]
