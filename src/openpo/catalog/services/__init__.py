"""State changes of the catalog: setting up shops and campaigns, and the campaign lifecycle."""

from openpo.catalog.services.lifecycle import (
    advance_campaign,
    cancel_campaign,
    close_campaign,
    close_if_sold_out,
    complete_campaign,
    fail_campaign,
    open_campaign,
    publish_campaign,
    reopen_campaign,
    start_production,
    start_shipping,
)
from openpo.catalog.services.setup import (
    add_bank_account,
    add_material,
    add_member,
    add_product,
    add_product_photo,
    add_variant,
    create_campaign,
    create_shop,
)

__all__ = [
    "add_bank_account",
    "add_material",
    "add_member",
    "add_product",
    "add_product_photo",
    "add_variant",
    "advance_campaign",
    "cancel_campaign",
    "close_campaign",
    "close_if_sold_out",
    "complete_campaign",
    "create_campaign",
    "create_shop",
    "fail_campaign",
    "open_campaign",
    "publish_campaign",
    "reopen_campaign",
    "start_production",
    "start_shipping",
]
