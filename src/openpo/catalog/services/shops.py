"""Creating a shop: its link (unique, none of OpenPO's own paths) and its owner."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidShop
from openpo.catalog.models import Membership, Shop
from openpo.core.audit import audit_event
from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from openpo.core.text import text_problem
from openpo.payments.qris import InvalidQris, validate_static

# First path segments that belong to OpenPO itself, so no shop can take them as its slug.
RESERVED_SHOP_SLUGS = frozenset(
    {"admin", "api", "accounts", "dashboard", "static", "media", "o", "health", "i18n"}
)


def shop_slug_problem(slug: str) -> str | None:
    """Why `slug` cannot be a new shop's link (taken, or one of OpenPO's paths), or None."""
    if slugify(slug) in RESERVED_SHOP_SLUGS or Shop.objects.filter(slug=slugify(slug)).exists():
        return str(_("This link is already taken."))
    return None


@transaction.atomic
def create_shop(
    *,
    name: str,
    slug: str,
    owner: AbstractBaseUser,
    whatsapp_number: str = "",
    email: str = "",
    timezone_name: str = Shop.TimeZone.WIB,
    static_qris: str = "",
    now: datetime | None = None,
) -> Shop:
    """Create a shop with `owner` as its owner; the slug is unique and not one of OpenPO's paths."""
    errors: dict[str, list] = {}
    slug = slugify(slug)
    if not name.strip():
        errors["name"] = [_("Enter the shop's name.")]
    elif problem := text_problem(name):
        errors["name"] = [problem]
    if not slug:
        errors["slug"] = [_("Enter a short name for the shop's link.")]
    elif problem := shop_slug_problem(slug):
        errors["slug"] = [problem]
    if whatsapp_number:
        try:
            whatsapp_number = normalize_phone(whatsapp_number)
        except InvalidPhoneNumber as exc:
            errors["whatsapp_number"] = [str(exc)]
    if timezone_name not in Shop.TimeZone.values:
        errors["timezone"] = [_("Choose WIB, WITA or WIT.")]
    if static_qris.strip():
        try:
            static_qris = validate_static(static_qris).payload
        except InvalidQris as exc:
            errors["static_qris"] = [exc.message]
    if errors:
        raise InvalidShop(field_errors=errors)
    now = now or timezone.now()
    shop = Shop.objects.create(
        created_at=now,
        name=name.strip(),
        slug=slug,
        whatsapp_number=whatsapp_number,
        email=email,
        timezone=timezone_name,
        static_qris=static_qris.strip(),
    )
    Membership.objects.create(shop=shop, user=owner, role=Membership.Role.OWNER)
    audit_event(action="shop.created", subject=shop, shop_id=shop.pk, actor=owner, at=now)
    return shop
