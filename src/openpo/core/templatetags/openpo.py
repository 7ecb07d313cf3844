"""Template filters shared by every page: rupiah amounts and phone numbers."""

from django import template
from django.utils import timezone

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
