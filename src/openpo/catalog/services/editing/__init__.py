"""Editing a campaign from the seller's dashboard: its settings and publishing (`campaigns`),
products with variants generated from sizes × colours and their bill of materials
(`products`), photos (`photos`), and opening a PO again (`duplicating`)."""

from openpo.catalog.services.editing.campaigns import (
    default_timeline,
    publish_now,
    update_campaign,
)
from openpo.catalog.services.editing.duplicating import duplicate_campaign
from openpo.catalog.services.editing.photos import add_photo, remove_photo
from openpo.catalog.services.editing.products import (
    COLOUR_KEY,
    SIZE_KEY,
    add_product_with_variants,
    generate_variants,
    remove_material,
    remove_product,
    remove_variant,
    set_material,
    split_values,
    update_product,
    update_variant,
    variant_options,
)

__all__ = [
    "COLOUR_KEY",
    "SIZE_KEY",
    "add_photo",
    "add_product_with_variants",
    "default_timeline",
    "duplicate_campaign",
    "generate_variants",
    "publish_now",
    "remove_material",
    "remove_photo",
    "remove_product",
    "remove_variant",
    "set_material",
    "split_values",
    "update_campaign",
    "update_product",
    "update_variant",
    "variant_options",
]
