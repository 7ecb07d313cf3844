"""Testimonials: once an order is delivered its buyer rates it (1–5) with a short text and a
photo, once; the shop's owner or staff approve which ones the shop page and later POs show.

The photo is checked like a product photo (JPEG, PNG or WebP that really opens, at most 5 MB
and 60 megapixels) and stored upright without its metadata; it is served only once approved.
"""

import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign, Shop
from openpo.catalog.services.photos import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, PHOTO_FORMATS
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.core.images import PictureRefused, read_picture_header, without_metadata
from openpo.core.text import text_problem
from openpo.fulfillment.models import Testimonial
from openpo.orders.models import Order

MAX_TEXT_LENGTH = 500


class TestimonialRefused(DomainError):
    __test__ = False  # not a pytest class, whatever its name
    code = "testimonial_refused"
    http_status = 409
    default_message = _("You can rate your order once it has been delivered.")
    already = _("You already rated this order. Thank you!")
    bad_rating = _("Choose 1 to 5 stars.")
    too_long = _("The text is too long (500 characters at most).")
    too_large = _("The photo is too large: at most 5 MB.")
    not_a_photo = _("This file is not a photo we can show.")
    wrong_format = _("Upload a JPEG, PNG or WebP photo.")
    too_many_pixels = _("The photo has too many pixels: make it smaller.")


def may_write(order: Order) -> bool:
    """Whether the buyer may rate the order now (delivered, active, not rated yet)."""
    return (
        order.status == Order.Status.ACTIVE
        and order.fulfillment_status == Order.FulfillmentStatus.DELIVERED
        and not Testimonial.objects.filter(order_id=order.pk).exists()
    )


def shown_name(full_name: str) -> str:
    """The name shown publicly: the first name and the initial of the last ("Rina S.")."""
    parts = full_name.split()
    if not parts:
        return "—"
    if len(parts) == 1:
        return parts[0][:100]
    return f"{parts[0][:96]} {parts[-1][0]}."


def _clean_photo(photo: File) -> tuple[bytes, str]:
    def refuse(message) -> TestimonialRefused:
        return TestimonialRefused(message, field_errors={"photo": [message]})

    if photo.size > MAX_PHOTO_BYTES:
        raise refuse(TestimonialRefused.too_large)
    try:
        kind = read_picture_header(photo, max_pixels=MAX_PHOTO_PIXELS).format
        if kind not in PHOTO_FORMATS:
            raise refuse(TestimonialRefused.wrong_format)
        return without_metadata(photo, max_pixels=MAX_PHOTO_PIXELS), PHOTO_FORMATS[kind]
    except PictureRefused as refused:
        message = (
            TestimonialRefused.too_many_pixels
            if refused.too_many_pixels
            else TestimonialRefused.not_a_photo
        )
        raise refuse(message) from refused


def write_testimonial(
    *,
    order: Order,
    rating: int,
    text: str = "",
    photo: File | None = None,
    now: datetime | None = None,
) -> Testimonial:
    """The buyer's rating of a delivered order, once; hidden until the seller approves it."""
    now = now or timezone.now()
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        message = TestimonialRefused.bad_rating
        raise TestimonialRefused(message, field_errors={"rating": [message]})
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        message = TestimonialRefused.too_long
        raise TestimonialRefused(message, field_errors={"text": [message]})
    if problem := text_problem(text, multiline=True):
        raise TestimonialRefused(problem, field_errors={"text": [problem]})
    if order.status != Order.Status.ACTIVE or (
        order.fulfillment_status != Order.FulfillmentStatus.DELIVERED
    ):
        raise TestimonialRefused()
    clean = _clean_photo(photo) if photo else None
    testimonial = Testimonial(
        shop_id=order.shop_id,
        campaign_id=order.campaign_id,
        order=order,
        rating=rating,
        text=text,
        author_name=shown_name(order.buyer_name),
        created_at=now,
    )
    if clean:
        content, extension = clean
        testimonial.photo.save(f"{secrets.token_hex(8)}.{extension}", ContentFile(content), False)
    try:
        with transaction.atomic():
            testimonial.save(force_insert=True)
            audit_event(
                action="testimonial.written",
                subject=order,
                shop_id=order.shop_id,
                actor_label="buyer",
                at=now,
                data={"rating": rating},
            )
    except IntegrityError as error:  # one per order: a second (or a double submit) is refused
        if testimonial.photo:
            testimonial.photo.delete(save=False)
        raise TestimonialRefused(TestimonialRefused.already) from error
    return testimonial


@transaction.atomic
def set_testimonial_approved(
    *,
    testimonial: Testimonial,
    approved: bool,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Testimonial:
    """Show the testimonial on the shop's pages (approve) or hide it again."""
    now = now or timezone.now()
    testimonial = Testimonial.objects.select_for_update().get(pk=testimonial.pk)
    if approved == (testimonial.approved_at is not None):
        return testimonial
    testimonial.approved_at = now if approved else None
    testimonial.approved_by = actor if approved and actor and actor.is_authenticated else None
    testimonial.save(update_fields=["approved_at", "approved_by"])
    audit_event(
        action="testimonial.approved" if approved else "testimonial.hidden",
        subject=testimonial,
        shop_id=testimonial.shop_id,
        actor=actor,
        at=now,
    )
    return testimonial


def approved_testimonials(
    shop: Shop, *, exclude_campaign: Campaign | None = None, limit: int = 6
) -> QuerySet[Testimonial]:
    """The shop's approved testimonials, newest first, for its public pages (a PO's page
    leaves out its own)."""
    found = Testimonial.objects.filter(shop=shop, approved_at__isnull=False)
    if exclude_campaign is not None:
        found = found.exclude(campaign=exclude_campaign)
    return found.select_related("campaign").order_by("-approved_at", "-id")[:limit]
