"""Creating a shop (its link unique and none of OpenPO's own paths, its owner), and signing up:
a new seller's user and first shop in one step, for the sign-up page and `openpo create_shop`."""

from datetime import datetime

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
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
    | {"healthz", "metrics"}
)


def shop_slug_problem(slug: str) -> str | None:
    """Why `slug` cannot be a new shop's link (taken, or one of OpenPO's paths), or None."""
    if slugify(slug) in RESERVED_SHOP_SLUGS or Shop.objects.filter(slug=slugify(slug)).exists():
        return str(_("This link is already taken."))
    return None


def _shop_problems(
    *, name: str, slug: str, whatsapp_number: str, timezone_name: str, static_qris: str
) -> tuple[dict[str, object], dict[str, list]]:
    """A new shop's values, tidied, and its problems (field name → messages)."""
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
    values = {
        "name": name.strip(),
        "slug": slug,
        "whatsapp_number": whatsapp_number,
        "timezone": timezone_name,
        "static_qris": static_qris.strip(),
    }
    return values, errors


def _open_shop(
    *, values: dict[str, object], email: str, owner: AbstractBaseUser, now: datetime | None
) -> Shop:
    now = now or timezone.now()
    shop = Shop.objects.create(created_at=now, email=email, **values)
    Membership.objects.create(shop=shop, user=owner, role=Membership.Role.OWNER)
    audit_event(action="shop.created", subject=shop, shop_id=shop.pk, actor=owner, at=now)
    return shop


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
    values, errors = _shop_problems(
        name=name,
        slug=slug,
        whatsapp_number=whatsapp_number,
        timezone_name=timezone_name,
        static_qris=static_qris,
    )
    if errors:
        raise InvalidShop(field_errors=errors)
    return _open_shop(values=values, email=email, owner=owner, now=now)


def _user_problems(*, username: str, email: str, password: str) -> dict[str, list]:
    """What Django's username checks (and ours: not taken, in any case), the email check and
    the password validators say about a new user (field name → messages)."""
    users = get_user_model()
    errors: dict[str, list] = {}
    try:
        users._meta.get_field("username").clean(username, None)
    except ValidationError as exc:
        errors["username"] = list(exc.messages)
    else:
        if users.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("This username is taken.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    try:
        password_validation.validate_password(password, users(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    return errors


# `sign_up` names its shop's problems after its own arguments.
_SIGN_UP_FIELDS = {"name": "shop_name", "slug": "shop_slug"}


@transaction.atomic
def sign_up(
    *,
    username: str,
    email: str,
    password: str,
    shop_name: str,
    shop_slug: str,
    whatsapp_number: str = "",
    now: datetime | None = None,
) -> tuple[AbstractBaseUser, Shop]:
    """A new seller: their user (a free username and a password Django's validators accept)
    and their first shop, together or not at all; every problem is reported at once, under
    the name of the argument it concerns."""
    errors = _user_problems(username=username, email=email, password=password)
    values, shop_errors = _shop_problems(
        name=shop_name,
        slug=shop_slug,
        whatsapp_number=whatsapp_number,
        timezone_name=Shop.TimeZone.WIB,
        static_qris="",
    )
    for field, problems in shop_errors.items():
        errors[_SIGN_UP_FIELDS.get(field, field)] = problems
    if errors:
        raise InvalidShop(field_errors=errors)
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    return user, _open_shop(values=values, email=email, owner=user, now=now)
