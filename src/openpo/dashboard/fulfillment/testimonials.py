"""The shop's testimonials: what buyers wrote after delivery, waiting ones first; the seller
(owner or staff) approves those the shop page and later POs show, or hides one again. Photos
open here before approval; publicly only after."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.money.private_files import private_file_response
from openpo.fulfillment.models import Testimonial
from openpo.fulfillment.services.testimonials import set_testimonial_approved

PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@require_GET
@shop_member_required
def testimonials(request: HttpRequest) -> HttpResponse:
    found = list(Testimonial.objects.filter(shop=request.shop).select_related("campaign", "order"))
    return render(
        request,
        "dashboard/fulfillment/testimonials.html",
        {
            "shop": request.shop,
            "waiting": [t for t in found if t.approved_at is None],
            "approved": [t for t in found if t.approved_at is not None],
            "dash_section": "testimonials",
        },
    )


def _set(request: HttpRequest, testimonial_id: int, *, approved: bool) -> HttpResponse:
    testimonial = get_shop_object(request, Testimonial, pk=testimonial_id)
    set_testimonial_approved(testimonial=testimonial, approved=approved, actor=request.user)
    messages.success(
        request,
        _("Shown on your shop page.") if approved else _("Hidden from your shop page."),
    )
    return redirect("dashboard:testimonials")


@require_POST
@shop_member_required
def approve(request: HttpRequest, testimonial_id: int) -> HttpResponse:
    return _set(request, testimonial_id, approved=True)


@require_POST
@shop_member_required
def hide(request: HttpRequest, testimonial_id: int) -> HttpResponse:
    return _set(request, testimonial_id, approved=False)


@require_GET
@shop_member_required
def photo(request: HttpRequest, testimonial_id: int) -> HttpResponse:
    testimonial = get_shop_object(request, Testimonial, pk=testimonial_id)
    if not testimonial.photo:
        raise Http404("No photo")
    extension = testimonial.photo.name.rsplit(".", 1)[-1].lower()
    return private_file_response(
        testimonial.photo.open("rb"),
        content_type=PHOTO_TYPES.get(extension, "application/octet-stream"),
        filename=f"testimonial-{testimonial.pk}.{extension}",
    )


urlpatterns = [
    path("testimonials/", testimonials, name="testimonials"),
    path("testimonials/<int:testimonial_id>/approve/", approve, name="testimonial_approve"),
    path("testimonials/<int:testimonial_id>/hide/", hide, name="testimonial_hide"),
    path("testimonials/<int:testimonial_id>/photo/", photo, name="testimonial_photo"),
]
