"""The "format order" block a seller sends in a chat: the fields a buyer fills in, the PO's
products with their variants, and one example item line that the parser reads.

It is the fuller sibling of the announcement caption's short block
(`openpo.catalog.announcement.order_format`): the caption only points the way, this one is
what the seller pastes when a buyer asks "formatnya gimana kak?". A pure function of the
title and the `Catalogue`; the words come in the active language, or in `language` if given
(the dashboard passes the shop's message language).
"""

from django.utils import translation
from django.utils.translation import pgettext

from openpo.intake.catalogue import Catalogue, Entry

EXAMPLE_QUANTITY = 2


def product_line(entries: list[Entry]) -> str:
    """`• Kaos Polos Premium: Hitam, Putih / S, M, L, XL`: each option's values once, in the
    catalogue's order, options apart with " / "; `• Tote Bag` for a product without options."""
    name = entries[0].product
    width = max(len(entry.options) for entry in entries)
    columns: list[list[str]] = [[] for _ in range(width)]
    for entry in entries:
        for position, value in enumerate(entry.options):
            if value not in columns[position]:
                columns[position].append(value)
    values = " / ".join(", ".join(column) for column in columns if column)
    return f"• {name}: {values}" if values else f"• {name}"


def example_line(entry: Entry, quantity: int = EXAMPLE_QUANTITY) -> str:
    """`Kaos Polos Premium Hitam L x2`: the product, its option values, the quantity."""
    return " ".join([entry.product, *entry.options, f"x{quantity}"])


def format_order_text(
    campaign_title: str, catalogue: Catalogue, *, language: str | None = None
) -> str:
    """The block to copy into a chat, ready for the buyer to fill in and send back."""
    if language:
        with translation.override(language):
            return _format(campaign_title, catalogue)
    return _format(campaign_title, catalogue)


def _format(campaign_title: str, catalogue: Catalogue) -> str:
    lines = [
        pgettext("order format", "ORDER FORMAT — %(title)s") % {"title": campaign_title.strip()},
        pgettext("order format", "Name:"),
        pgettext("order format", "Phone/WhatsApp no.:"),
        pgettext("order format", "Full address (with postal code):"),
        pgettext("order format", "Order (one line per item: product - variant - quantity):"),
        pgettext("order format", "Notes:"),
    ]
    products = catalogue.products()
    if products:
        lines += ["", pgettext("order format", "Products:")]
        lines += [product_line(entries) for entries in products.values()]
        lines += [
            "",
            pgettext("order format", "Example order line:"),
            example_line(catalogue.entries[0]),
        ]
    return "\n".join(lines)
