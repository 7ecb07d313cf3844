"""Changing a shop's settings (name, link, logo, contact, time zone, colour, QRIS, payment
window, message language) and its payment settings (automatic confirmation of exact statement
matches, the Midtrans server key) after the shop exists; its bank accounts are in
`bank_accounts`.

Every function validates everything first and then writes, so a refused change leaves the
shop exactly as it was; every change is audited.
"""

from __future__ import annotations

import io
import re
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from openpo.catalog.errors import InvalidShop
from openpo.catalog.models import Shop
from openpo.catalog.services.shops import shop_slug_problem
from openpo.core.audit import audit_event
from openpo.core.images import PictureRefused, forget_metadata, read_picture_header
from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from openpo.payments.qris import InvalidQris, validate_static

MAX_LOGO_BYTES = 2 * 1024 * 1024
# A logo bigger than this in pixels is refused before it is decoded (a small file can
# unpack to gigabytes).
MAX_LOGO_PIXELS = 40_000_000
LOGO_SIZE = 512
LOGO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_PAYMENT_WINDOW_HOURS = 24 * 30
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Midtrans server keys look like "SB-Mid-server-…" (sandbox) or "Mid-server-…" (production).
_SERVER_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{10,100}$")

# The settings `update_shop_settings` can change, in the order the page shows them.
SETTINGS_FIELDS = (
    "name",
    "slug",
    "whatsapp_number",
    "email",
    "timezone",
    "brand_color",
    "static_qris",
    "default_payment_window_hours",
    "message_language",
)


def _logo_file(upload: File) -> tuple[ContentFile, str]:
    """The logo resized to at most 512 px, without metadata: PNG when it has transparency,
    else JPEG."""
    if upload.size > MAX_LOGO_BYTES:
        raise InvalidShop(field_errors={"logo": [_("The logo is too large: at most 2 MB.")]})
    try:
        kind = read_picture_header(upload, max_pixels=MAX_LOGO_PIXELS).format
    except PictureRefused as refused:
        if refused.too_many_pixels:
            raise InvalidShop(
                field_errors={"logo": [_("The picture is too large in pixels.")]}
            ) from refused
        raise InvalidShop(
            field_errors={"logo": [_("This file is not a picture we can show.")]}
        ) from refused
    if kind not in LOGO_FORMATS:
        raise InvalidShop(field_errors={"logo": [_("Upload a JPEG, PNG or WebP picture.")]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.draft("RGB", (LOGO_SIZE, LOGO_SIZE))  # JPEG: decode at a smaller scale
            picture = ImageOps.exif_transpose(image)
            picture.thumbnail((LOGO_SIZE, LOGO_SIZE), Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidShop(
            field_errors={"logo": [_("This file is not a picture we can show.")]}
        ) from exc
    finally:
        upload.seek(0)
    transparent = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    out = io.BytesIO()
    if transparent:
        forget_metadata(picture.convert("RGBA")).save(out, "PNG", optimize=True)
        extension = "png"
    else:
        forget_metadata(picture.convert("RGB")).save(out, "JPEG", quality=88, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue()), f"{secrets.token_hex(8)}.{extension}"


def _clean_settings(shop: Shop, fields: dict[str, object]) -> tuple[dict, dict[str, list]]:
    """The new values, normalised, and the problems found (field name → messages)."""
    values: dict[str, object] = {}
    errors: dict[str, list] = {}
    if "name" in fields:
        name = str(fields["name"] or "").strip()
        if not name:
            errors["name"] = [_("Enter the shop's name.")]
        elif len(name) > 100:
            errors["name"] = [_("The name is too long: at most 100 characters.")]
        values["name"] = name
    if "slug" in fields:
        slug = slugify(str(fields["slug"] or ""))[:50]
        if not slug:
            errors["slug"] = [_("Enter a short name for the shop's link.")]
        elif slug != shop.slug and (problem := shop_slug_problem(slug)):
            errors["slug"] = [problem]
        values["slug"] = slug
    if "whatsapp_number" in fields:
        number = str(fields["whatsapp_number"] or "").strip()
        if number:
            try:
                number = normalize_phone(number)
            except InvalidPhoneNumber as exc:
                errors["whatsapp_number"] = [str(exc)]
        values["whatsapp_number"] = number
    if "email" in fields:
        email = str(fields["email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = [_("Enter a valid email address.")]
        values["email"] = email
    if "timezone" in fields:
        if fields["timezone"] not in Shop.TimeZone.values:
            errors["timezone"] = [_("Choose WIB, WITA or WIT.")]
        values["timezone"] = fields["timezone"]
    if "brand_color" in fields:
        color = str(fields["brand_color"] or "").strip()
        if not _COLOR.match(color):
            errors["brand_color"] = [_("Use a colour like #B4235A.")]
        values["brand_color"] = color.upper()
    if "static_qris" in fields:
        payload = str(fields["static_qris"] or "").strip()
        if payload:
            try:
                payload = validate_static(payload).payload
            except InvalidQris as exc:
                errors["static_qris"] = [exc.message]
        values["static_qris"] = payload
    if "default_payment_window_hours" in fields:
        hours = fields["default_payment_window_hours"]
        if not isinstance(hours, int) or isinstance(hours, bool):
            errors["default_payment_window_hours"] = [_("Enter a whole number of hours.")]
        elif not 1 <= hours <= MAX_PAYMENT_WINDOW_HOURS:
            errors["default_payment_window_hours"] = [
                _("Enter between 1 and %(most)s hours.") % {"most": MAX_PAYMENT_WINDOW_HOURS}
            ]
        values["default_payment_window_hours"] = hours
    if "message_language" in fields:
        if fields["message_language"] not in Shop.Language.values:
            errors["message_language"] = [_("Choose Indonesian or English.")]
        values["message_language"] = fields["message_language"]
    return values, errors


def update_shop_settings(
    *,
    shop: Shop,
    actor: AbstractBaseUser | None,
    logo: File | None = None,
    remove_logo: bool = False,
    now: datetime | None = None,
    **fields: object,
) -> Shop:
    """Change the given settings (names from `SETTINGS_FIELDS`) and the logo: all or nothing."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"update_shop_settings() got unknown settings: {sorted(unknown)}")
    values, errors = _clean_settings(shop, fields)
    new_logo = None
    if logo is not None:
        try:
            new_logo = _logo_file(logo)
        except InvalidShop as exc:
            errors.update(exc.field_errors)
    if errors:
        raise InvalidShop(field_errors=errors)

    changed = [name for name, value in values.items() if getattr(shop, name) != value]
    old_slug, old_logo = shop.slug, shop.logo.name or ""
    storage = shop._meta.get_field("logo").storage
    saved_logo = ""
    if new_logo is not None:
        content, filename = new_logo
        saved_logo = storage.save(f"logos/{shop.pk}/{filename}", content)
        changed.append("logo")
    elif remove_logo and old_logo:
        changed.append("logo")
    if not changed:
        return shop
    try:
        with transaction.atomic():
            # Only rows are written in here; a link taken meanwhile fails on the unique index.
            for name in changed:
                if name != "logo":
                    setattr(shop, name, values[name])
            if "logo" in changed:
                shop.logo.name = saved_logo
            shop.save(update_fields=changed)
            data: dict[str, object] = {"fields": changed}
            if "slug" in changed:
                data.update(old_slug=old_slug, slug=shop.slug)
            audit_event(
                action="shop.settings_changed",
                subject=shop,
                shop_id=shop.pk,
                actor=actor,
                at=now or timezone.now(),
                data=data,
            )
    except Exception as exc:
        shop.refresh_from_db()
        if saved_logo:
            storage.delete(saved_logo)
        if isinstance(exc, IntegrityError):
            raise InvalidShop(field_errors={"slug": [_("This link is already taken.")]}) from exc
        raise
    if "logo" in changed and old_logo:
        transaction.on_commit(lambda: storage.delete(old_logo))
    return shop


@transaction.atomic
def update_payment_settings(
    *,
    shop: Shop,
    actor: AbstractBaseUser | None,
    auto_confirm_exact_matches: bool,
    midtrans_server_key: str = "",
    remove_midtrans_server_key: bool = False,
    now: datetime | None = None,
) -> Shop:
    """Turn automatic confirmation of exact statement matches on or off, and set, keep (an
    empty key) or remove the Midtrans server key (removing it turns Midtrans off). The key
    itself never reaches the audit trail."""
    key = midtrans_server_key.strip()
    if key and remove_midtrans_server_key:
        raise InvalidShop(
            field_errors={
                "midtrans_server_key": [_("Enter a new key or remove the key, not both.")]
            }
        )
    if key and not _SERVER_KEY.match(key):
        raise InvalidShop(
            field_errors={
                "midtrans_server_key": [
                    _(
                        "This does not look like a Midtrans server key: copy it from the "
                        "Midtrans dashboard, Settings, Access Keys (it starts with "
                        "Mid-server- or SB-Mid-server-)."
                    )
                ]
            }
        )
    changed: list[str] = []
    data: dict[str, object] = {}
    if shop.auto_confirm_exact_matches != bool(auto_confirm_exact_matches):
        shop.auto_confirm_exact_matches = bool(auto_confirm_exact_matches)
        changed.append("auto_confirm_exact_matches")
        data["auto_confirm_exact_matches"] = shop.auto_confirm_exact_matches
    new_key = "" if remove_midtrans_server_key else (key or shop.midtrans_server_key)
    if new_key != shop.midtrans_server_key:
        data["midtrans"] = (
            "removed" if not new_key else "changed" if shop.midtrans_server_key else "set"
        )
        shop.midtrans_server_key = new_key
        changed.append("midtrans_server_key")
    if not changed:
        return shop
    shop.save(update_fields=changed)
    audit_event(
        action="shop.payment_settings_changed",
        subject=shop,
        shop_id=shop.pk,
        actor=actor,
        at=now or timezone.now(),
        data={"fields": changed, **data},
    )
    return shop
