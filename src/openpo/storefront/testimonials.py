"""Testimonials on the buyer's side: once the order is delivered its page asks for a rating
(1–5 stars), a short text and a photo, once; approved testimonials show on the shop page and on
its POs' pages, their photos served here (never before approval)."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from openpo.catalog.models import Shop
from openpo.catalog.services.photos import MAX_PHOTO_BYTES
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.ratelimit import rate_limit
from openpo.core.uploads import limit_upload
from openpo.fulfillment.models import Testimonial
from openpo.fulfillment.services.testimonials import (
    MAX_TEXT_LENGTH,
    approved_testimonials,
    write_testimonial,
)
from openpo.orders.models import Order

# A bound form with errors, put on the order by `write` for `section_context` to show.
FORM_ATTRIBUTE = "testimonial_form"
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
RATINGS = [(n, str(n)) for n in range(5, 0, -1)]


class TestimonialForm(Form):
    __test__ = False  # not a pytest class, whatever its name
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Your rating"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("A few words for other buyers (optional)"),
        max_length=MAX_TEXT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT_LENGTH}),
    )
    photo = forms.FileField(
        label=gettext_lazy("A photo of what you received (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


def section_context(order: Order) -> dict:
    """What this part of the order page needs (see `storefront.order_sections`)."""
    if order.status != Order.Status.ACTIVE:
        return {"testimonial": None}
    written = Testimonial.objects.filter(order_id=order.pk).first()
    delivered = order.fulfillment_status == Order.FulfillmentStatus.DELIVERED
    if not written and not delivered:
        return {"testimonial": None}
    return {
        "testimonial": {
            "written": written,
            "form": None if written else getattr(order, FORM_ATTRIBUTE, None) or TestimonialForm(),
        }
    }


@require_POST
@rate_limit("proof")
@limit_upload(MAX_PHOTO_BYTES)
def write(request: HttpRequest, secret: str) -> HttpResponse:
    """The buyer's rating of a delivered order (once)."""
    # The order page's module imports this one (through `order_sections`): imported here.
    from openpo.storefront.orders import ProofForm, _get_order, _render

    order = _get_order(secret)
    form = TestimonialForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            write_testimonial(
                order=order,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
                photo=form.cleaned_data["photo"],
            )
        except DomainError as error:
            add_domain_error(form, error)
            status = error.http_status
        else:
            messages.success(request, _("Thank you for your rating!"))
            return redirect(reverse("order_page", args=[secret]) + "#testimonial")
    setattr(order, FORM_ATTRIBUTE, form)
    response = _render(request, order, ProofForm(), status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def photo(request: HttpRequest, testimonial_id: int) -> HttpResponse:
    """An approved testimonial's photo (stored without metadata); 404 before approval."""
    testimonial = get_object_or_404(Testimonial, pk=testimonial_id, approved_at__isnull=False)
    if not testimonial.photo:
        raise Http404("No photo")
    extension = testimonial.photo.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        testimonial.photo.open("rb"),
        content_type=PHOTO_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Short: a testimonial the seller hides again stops showing soon.
    response["Cache-Control"] = "public, max-age=600"
    return response


def shop_testimonials(shop: Shop, *, exclude_campaign=None) -> list[Testimonial]:
    """The approved testimonials a shop's public pages show (a PO's page shows those of the
    shop's other POs)."""
    return list(approved_testimonials(shop, exclude_campaign=exclude_campaign))
