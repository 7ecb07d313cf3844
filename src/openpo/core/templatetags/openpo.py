"""Template filters shared by every page: rupiah amounts, phone numbers, a form's errors."""

from django import template
from django.utils import timezone

from openpo.core.forms import error_summary, first_error_field
from openpo.core.money import format_rupiah
from openpo.core.phone import format_phone_local

register = template.Library()


@register.filter
def rupiah(amount: int | None) -> str:
    return format_rupiah(amount)


@register.filter
def local_phone(e164: str) -> str:
    return format_phone_local(e164)


@register.filter
def phase_label(phase: str) -> str:
    """`open` → "Dibuka": a campaign status (or phase) as the reader's language says it."""
    from openpo.catalog.models import Campaign

    return Campaign.Status(phase).label if phase in Campaign.Status.values else phase


@register.filter
def price_now(variant, campaign) -> int:
    """`{{ variant|price_now:campaign }}`: the early-bird price while it is on, else the price."""
    return variant.price_at(campaign, timezone.now())


@register.filter
def problems(form) -> list:
    """`{{ form|problems }}`: every error of a bound form, linked to its field where shown."""
    return error_summary(form) if form is not None else []


@register.filter
def first_error_name(form) -> str:
    """`{{ form|first_error_name }}`: the name of the field to lead to first, or ""."""
    field = first_error_field(form) if form is not None else None
    return field.name if field is not None else ""
