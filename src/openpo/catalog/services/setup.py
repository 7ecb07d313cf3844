"""Setting up shops and campaigns: members, bank accounts, products, variants, materials."""

import io
import secrets
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from openpo.catalog.errors import InvalidCampaign, InvalidShop
from openpo.catalog.models import (
    BankAccount,
    Campaign,
    Material,
    Membership,
    Product,
    ProductPhoto,
    Shop,
    Variant,
)
from openpo.core.audit import audit_event
from openpo.core.images import (
    MAX_PIXELS,
    PictureRefused,
    forget_metadata,
    read_picture_header,
    without_metadata,
)
from openpo.core.money import amount_problem, count_problem
from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from openpo.core.text import text_problem
from openpo.payments.qris import InvalidQris, validate_static

# First path segments that belong to OpenPO itself, so no shop can take them as its slug.
RESERVED_SHOP_SLUGS = frozenset(
    {"admin", "api", "accounts", "dashboard", "static", "media", "o", "health", "i18n"}
)
# A campaign's details can change until it closes; after that they are history.
EDITABLE_STATUSES = {Campaign.Status.DRAFT, Campaign.Status.SCHEDULED, Campaign.Status.OPEN}


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


@transaction.atomic
def add_member(
    *, shop: Shop, user: AbstractBaseUser, role: str, actor: AbstractBaseUser | None = None
) -> Membership:
    """Give `user` a role in `shop` (or change the role they have)."""
    if role not in Membership.Role.values:
        raise InvalidShop(field_errors={"role": [_("Choose owner or staff.")]})
    membership, _created = Membership.objects.update_or_create(
        shop=shop, user=user, defaults={"role": role}
    )
    audit_event(
        action="shop.member_set",
        subject=membership,
        shop_id=shop.pk,
        actor=actor,
        at=timezone.now(),
        data={"user": user.get_username(), "role": role},
    )
    return membership


def add_bank_account(
    *, shop: Shop, bank_name: str, account_number: str, account_holder: str
) -> BankAccount:
    """Add an account buyers can transfer to; the account number keeps digits only."""
    digits = "".join(ch for ch in account_number if ch.isdigit())
    errors: dict[str, list] = {}
    if not bank_name.strip():
        errors["bank_name"] = [_("Enter the bank's name.")]
    if not 5 <= len(digits) <= 34:
        errors["account_number"] = [_("Enter the account number (digits only).")]
    if not account_holder.strip():
        errors["account_holder"] = [_("Enter the account holder's name.")]
    if errors:
        raise InvalidShop(field_errors=errors)
    try:
        with transaction.atomic():
            return BankAccount.objects.create(
                shop=shop,
                bank_name=bank_name.strip(),
                account_number=digits,
                account_holder=account_holder.strip(),
                position=shop.bank_accounts.count(),
            )
    except IntegrityError as exc:
        raise InvalidShop(
            field_errors={"account_number": [_("This account is already listed.")]}
        ) from exc


def _timeline_errors(
    *,
    opens_at: datetime,
    closes_at: datetime,
    production_starts_on: date | None,
    ships_on: date | None,
    tz,
) -> dict[str, list]:
    errors: dict[str, list] = {}
    if closes_at <= opens_at:
        errors["closes_at"] = [_("The PO must close after it opens.")]
    close_day = timezone.localtime(closes_at, tz).date()
    if production_starts_on and production_starts_on < close_day:
        errors["production_starts_on"] = [_("Production cannot start before the PO closes.")]
    if ships_on and ships_on < (production_starts_on or close_day):
        errors["ships_on"] = [_("Shipping cannot start before production.")]
    return errors


def _early_bird_errors(
    until: datetime | None, units: int | None, opens_at: datetime, closes_at: datetime
) -> dict[str, list]:
    errors: dict[str, list] = {}
    if until is not None and not opens_at < until <= closes_at:
        errors["early_bird_until"] = [
            _("The early-bird price must end after the PO opens and no later than it closes.")
        ]
    if units is not None and units < 1:
        errors["early_bird_units"] = [_("Enter at least 1 unit, or leave it empty.")]
    return errors


# The settings of a campaign that `create_campaign` takes and `editing.update_campaign` changes.
SETTING_FIELDS = (
    "title",
    "description",
    "opens_at",
    "closes_at",
    "production_starts_on",
    "ships_on",
    "moq_units",
    "unit_cap",
    "max_units_per_order",
    "payment_policy",
    "deposit_percent",
    "settlement_due_on",
    "payment_window_hours",
    "shipping_fee",
    "terms",
    "early_bird_until",
    "early_bird_units",
)


def normalized_settings(settings: dict) -> dict:
    """`settings` tidied: text stripped; no DP percentage or settlement date under full payment."""
    settings = dict(settings)
    for field in ("title", "terms"):
        if field in settings:
            settings[field] = (settings[field] or "").strip()
    if settings.get("payment_policy") == Campaign.PaymentPolicy.FULL:
        settings["deposit_percent"] = None
        settings["settlement_due_on"] = None
    return settings


def campaign_settings_errors(*, shop: Shop, settings: dict) -> dict[str, list]:
    """Per-field problems of a campaign's settings (every key of SETTING_FIELDS present)."""
    errors = _timeline_errors(
        opens_at=settings["opens_at"],
        closes_at=settings["closes_at"],
        production_starts_on=settings["production_starts_on"],
        ships_on=settings["ships_on"],
        tz=shop.tzinfo,
    )
    if not settings["title"]:
        errors["title"] = [_("Enter a title for the PO.")]
    policy = settings["payment_policy"]
    if policy == Campaign.PaymentPolicy.DEPOSIT:
        percent = settings["deposit_percent"]
        if percent is None or not 1 <= percent <= 99:
            errors["deposit_percent"] = [_("A down payment is between 1 and 99 percent.")]
        settle = settings["settlement_due_on"]
        close_day = timezone.localtime(settings["closes_at"], shop.tzinfo).date()
        if settle is not None and settle < close_day:
            errors["settlement_due_on"] = [_("The settlement cannot be due before the PO closes.")]
    elif policy != Campaign.PaymentPolicy.FULL:
        errors["payment_policy"] = [_("Choose full payment or a down payment.")]
    for field in ("moq_units", "shipping_fee"):
        if settings[field] < 0:
            errors[field] = [_("This cannot be negative.")]
    for field in ("unit_cap", "max_units_per_order", "payment_window_hours"):
        value = settings[field]
        if value is not None and value < 1:
            errors[field] = [_("Enter at least 1, or leave it empty.")]
    for field in ("moq_units", "unit_cap", "max_units_per_order", "payment_window_hours"):
        if problem := count_problem(settings[field]):
            errors[field] = [problem]
    if problem := count_problem(settings["early_bird_units"]):
        errors["early_bird_units"] = [problem]
    if problem := amount_problem(settings["shipping_fee"]):
        errors["shipping_fee"] = [problem]
    errors.update(
        _early_bird_errors(
            settings["early_bird_until"],
            settings["early_bird_units"],
            settings["opens_at"],
            settings["closes_at"],
        )
    )
    return errors


@transaction.atomic
def create_campaign(
    *,
    shop: Shop,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    slug: str = "",
    description: str = "",
    production_starts_on: date | None = None,
    ships_on: date | None = None,
    moq_units: int = 0,
    unit_cap: int | None = None,
    max_units_per_order: int | None = None,
    payment_policy: str = Campaign.PaymentPolicy.FULL,
    deposit_percent: int | None = None,
    settlement_due_on: date | None = None,
    payment_window_hours: int | None = None,
    shipping_fee: int = 0,
    terms: str = "",
    early_bird_until: datetime | None = None,
    early_bird_units: int | None = None,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Create a draft campaign whose timeline and payment policy make sense."""
    now = now or timezone.now()
    settings = normalized_settings(
        {
            "title": title,
            "description": description,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "production_starts_on": production_starts_on,
            "ships_on": ships_on,
            "moq_units": moq_units,
            "unit_cap": unit_cap,
            "max_units_per_order": max_units_per_order,
            "payment_policy": payment_policy,
            "deposit_percent": deposit_percent,
            "settlement_due_on": settlement_due_on,
            "payment_window_hours": payment_window_hours,
            "shipping_fee": shipping_fee,
            "terms": terms,
            "early_bird_until": early_bird_until,
            "early_bird_units": early_bird_units,
        }
    )
    errors = campaign_settings_errors(shop=shop, settings=settings)
    if slug:
        slug = slugify(slug)[:80]
        if not slug:
            errors["slug"] = [_("Enter a short name for the PO's link.")]
        elif Campaign.objects.filter(shop=shop, slug=slug).exists():
            errors["slug"] = [_("Another PO of this shop already uses this link.")]
    elif settings["title"]:
        slug = free_campaign_slug(shop, slugify(settings["title"])[:72] or "po")
    if errors:
        raise InvalidCampaign(field_errors=errors)
    settings["payment_window_hours"] = (
        settings["payment_window_hours"] or shop.default_payment_window_hours
    )
    campaign = Campaign.objects.create(
        created_at=now, updated_at=now, shop=shop, slug=slug, **settings
    )
    audit_event(
        action="campaign.created",
        subject=campaign,
        shop_id=shop.pk,
        actor=actor,
        at=now,
        data={"title": campaign.title},
    )
    return campaign


def free_campaign_slug(shop: Shop, base: str) -> str:
    """`base`, or `base-2`, `base-3`, … whichever this shop does not use yet."""
    taken = set(
        Campaign.objects.filter(shop=shop, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def require_editable(campaign: Campaign) -> None:
    """Refuse changes to a PO that has closed: its details are history."""
    if campaign.status not in EDITABLE_STATUSES:
        raise InvalidCampaign(_("A PO that has closed can no longer be changed."))


def add_product(
    *, campaign: Campaign, name: str, description: str = "", position: int | None = None
) -> Product:
    """Add a product to a campaign that has not closed yet."""
    require_editable(campaign)
    if not name.strip():
        raise InvalidCampaign(field_errors={"name": [_("Enter the product's name.")]})
    if position is None:
        position = campaign.products.count()
    return Product.objects.create(
        campaign=campaign, name=name.strip(), description=description, position=position
    )


def variant_errors(*, price: int, early_bird_price: int | None, quota: int | None) -> dict:
    """Per-field problems of a variant's price, early-bird price and quota."""
    errors: dict[str, list] = {}
    if price < 0:
        errors["price"] = [_("The price cannot be negative.")]
    elif problem := amount_problem(price):
        errors["price"] = [problem]
    if quota is not None and quota < 0:
        errors["quota"] = [_("The quota cannot be negative; leave it empty for unlimited.")]
    elif problem := count_problem(quota):
        errors["quota"] = [problem]
    if early_bird_price is not None and not 0 <= early_bird_price < price:
        errors["early_bird_price"] = [_("The early-bird price must be below the normal price.")]
    return errors


def add_variant(
    *,
    product: Product,
    price: int,
    options: dict[str, str] | None = None,
    sku: str = "",
    quota: int | None = None,
    position: int | None = None,
    early_bird_price: int | None = None,
) -> Variant:
    """Add an orderable variant; its SKU is unique in the campaign (made from names if empty)."""
    campaign = product.campaign
    require_editable(campaign)
    options = {str(k).strip(): str(v).strip() for k, v in (options or {}).items()}
    errors = variant_errors(price=price, early_bird_price=early_bird_price, quota=quota)
    sku = (sku or "-".join([slugify(product.name), *map(slugify, options.values())])).upper()[:64]
    if Variant.objects.filter(campaign=campaign, sku=sku).exists():
        errors["sku"] = [_("Another variant of this PO already has SKU %(sku)s.") % {"sku": sku}]
    if errors:
        raise InvalidCampaign(field_errors=errors)
    if position is None:
        position = product.variants.count()
    return Variant.objects.create(
        campaign=campaign,
        product=product,
        options=options,
        sku=sku,
        price=price,
        early_bird_price=early_bird_price,
        quota=quota,
        position=position,
    )


MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_WIDTH = 480
MAX_PHOTO_PIXELS = MAX_PIXELS
TOO_MANY_PIXELS = _("The photo has too many pixels: make it smaller.")
NOT_A_PHOTO = _("This file is not a photo we can show.")


def photo_thumbnail(image: File) -> ContentFile:
    """A JPEG of `image` at most THUMBNAIL_WIDTH px wide, upright, transparency on white, with
    no metadata."""
    image.seek(0)
    try:
        with Image.open(image) as picture:
            if picture.width * picture.height > MAX_PHOTO_PIXELS:
                raise InvalidCampaign(field_errors={"image": [TOO_MANY_PIXELS]})
            # JPEG decodes straight at a smaller scale (still at least 480 px either way).
            picture.draft("RGB", (THUMBNAIL_WIDTH, THUMBNAIL_WIDTH))
            picture = ImageOps.exif_transpose(picture)
            if picture.mode not in ("RGB", "L"):
                rgba = picture.convert("RGBA")
                picture = Image.new("RGB", rgba.size, "white")
                picture.paste(rgba, mask=rgba.getchannel("A"))
            if picture.width > THUMBNAIL_WIDTH:
                height = max(1, round(picture.height * THUMBNAIL_WIDTH / picture.width))
                picture = picture.resize((THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            thumbnail = forget_metadata(picture.convert("RGB"))
            thumbnail.save(out, "JPEG", quality=80, optimize=True, progressive=True)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidCampaign(field_errors={"image": [NOT_A_PHOTO]}) from exc
    finally:
        image.seek(0)
    return ContentFile(out.getvalue())


def add_product_photo(*, product: Product, image: File, alt_text: str = "") -> ProductPhoto:
    """Attach a photo (JPEG, PNG or WebP, at most 5 MB and 60 megapixels, one that really opens
    as an image), stored upright without its metadata (no EXIF GPS position, camera, XMP or
    comments), with a JPEG thumbnail at most 480 px wide for lists and the dashboard."""
    if image.size > MAX_PHOTO_BYTES:
        raise InvalidCampaign(field_errors={"image": [_("The photo is too large: at most 5 MB.")]})
    try:
        kind = read_picture_header(image, max_pixels=MAX_PHOTO_PIXELS).format
        if kind not in PHOTO_FORMATS:
            raise InvalidCampaign(field_errors={"image": [_("Upload a JPEG, PNG or WebP photo.")]})
        clean = without_metadata(image, max_pixels=MAX_PHOTO_PIXELS)
    except PictureRefused as refused:
        message = TOO_MANY_PIXELS if refused.too_many_pixels else NOT_A_PHOTO
        raise InvalidCampaign(field_errors={"image": [message]}) from refused
    thumbnail = photo_thumbnail(image)
    name = secrets.token_hex(8)
    photo = ProductPhoto(
        product=product, alt_text=alt_text.strip()[:200], position=product.photos.count()
    )
    photo.image.save(f"{name}.{PHOTO_FORMATS[kind]}", ContentFile(clean), save=False)
    photo.thumbnail.save(f"{name}-thumb.jpg", thumbnail, save=False)
    photo.save(force_insert=True)
    return photo


def add_material(
    *, variant: Variant, name: str, quantity_per_unit: Decimal | int | str, unit: str
) -> Material:
    """Record how much of a material one unit of `variant` needs (bill of materials)."""
    quantity = Decimal(str(quantity_per_unit))
    if quantity <= 0:
        raise InvalidCampaign(
            field_errors={"quantity_per_unit": [_("The quantity must be more than zero.")]}
        )
    if not name.strip():
        raise InvalidCampaign(field_errors={"name": [_("Enter the material's name.")]})
    material, _created = Material.objects.update_or_create(
        variant=variant,
        name=name.strip(),
        defaults={"quantity_per_unit": quantity, "unit": unit.strip()},
    )
    return material
