"""State changes of the catalog, one module per subject: shops (creating one), team (members and
invitations), shop_settings, bank_accounts, campaigns (creating, changing, publishing),
products (and variants), photos, materials, duplicating a PO, and the campaign lifecycle.
The names below are the ones other apps use most."""

from openpo.catalog.services.bank_accounts import add_bank_account
from openpo.catalog.services.campaigns import create_campaign
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
    reopen_if_slots_freed,
    start_production,
    start_shipping,
)
from openpo.catalog.services.materials import add_material
from openpo.catalog.services.photos import add_product_photo
from openpo.catalog.services.products import add_product, add_variant
from openpo.catalog.services.shops import create_shop
from openpo.catalog.services.team import add_member

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
    "reopen_if_slots_freed",
    "start_production",
    "start_shipping",
]
