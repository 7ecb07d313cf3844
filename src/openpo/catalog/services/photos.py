"""A PO's product photos: upload (checked: JPEG, PNG or WebP, at most 5 MB and 60 megapixels,
stored without metadata, with a thumbnail) and delete, keeping files that a duplicated PO still
shows."""

import contextlib
import io
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Product, ProductPhoto
from openpo.catalog.services.campaigns import require_editable
from openpo.core.audit import audit_event
from openpo.core.images import (
    MAX_PIXELS,
    PictureRefused,
    forget_metadata,
    read_picture_header,
    without_metadata,
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


@transaction.atomic
def add_product_photo(
    *,
    product: Product,
    image: File,
    alt_text: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ProductPhoto:
    """Attach a photo to a product of a PO that has not closed: JPEG, PNG or WebP, at most
    5 MB and 60 megapixels, one that really opens as an image, stored upright without its
    metadata (no EXIF GPS position, camera, XMP or comments), with a JPEG thumbnail at most
    480 px wide for lists and the dashboard; its alt text is the product's name unless given."""
    require_editable(product.campaign)
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
        product=product,
        alt_text=(alt_text or product.name).strip()[:200],
        position=product.photos.count(),
    )
    photo.image.save(f"{name}.{PHOTO_FORMATS[kind]}", ContentFile(clean), save=False)
    photo.thumbnail.save(f"{name}-thumb.jpg", thumbnail, save=False)
    photo.save(force_insert=True)
    audit_event(
        action="photo.added",
        subject=photo,
        shop_id=product.campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
    )
    return photo


def delete_files_on_commit(photo: ProductPhoto) -> None:
    """Remove a deleted photo's files once the deletion commits, unless a duplicated PO's
    photo still uses the same files."""
    names = [f.name for f in (photo.image, photo.thumbnail) if f]

    def delete() -> None:
        for field, name in zip(("image", "thumbnail"), names, strict=False):
            if ProductPhoto.objects.filter(**{field: name}).exists():
                continue
            with contextlib.suppress(OSError):
                photo.image.storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def remove_photo(
    *, photo: ProductPhoto, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> None:
    """Delete a product photo (and its files, when no other PO shares them)."""
    campaign = photo.product.campaign
    require_editable(campaign)
    product = photo.product
    photo.delete()
    delete_files_on_commit(photo)
    audit_event(
        action="photo.removed",
        subject=product,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now or timezone.now(),
    )
