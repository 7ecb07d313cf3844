"""A PO's product photos: upload (checked, with a thumbnail) and delete, keeping files that a
duplicated PO still shows."""

import contextlib
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from openpo.catalog.models import Product, ProductPhoto
from openpo.catalog.services.setup import (
    add_product_photo,
    require_editable,
)
from openpo.core.audit import audit_event


@transaction.atomic
def add_photo(
    *,
    product: Product,
    image: File,
    alt_text: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ProductPhoto:
    """Upload a product photo (checked, with a thumbnail) to a PO that has not closed."""
    require_editable(product.campaign)
    photo = add_product_photo(product=product, image=image, alt_text=alt_text or product.name)
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
