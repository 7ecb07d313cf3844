"""The "format order" a seller sends in a chat: the fields a buyer fills in and sends back,
and, as a message of its own, the PO's products with their variants and one example item line
that the parser reads.

It is the fuller sibling of the announcement caption's short block
(`openpo.catalog.announcement.order_format`), for when a buyer asks "formatnya gimana kak?".
Two texts, not one: a buyer copies a whole WhatsApp message, so a product list or an example
inside the format would come back as items ordered ("Tote Bag" read as one tote bag). The
form holds only labels the parser reads, each on its own line, with no hints after them for
the same reason. Pure functions of the title and the `Catalogue`; the words come in the
active language, or in `language` if given (the dashboard passes the shop's message language).
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import pgettext

from openpo.intake.catalogue import Catalogue, Entry

EXAMPLE_QUANTITY = 2


@dataclass(frozen=True)
class OrderFormat:
    form: str  # the fields buyers copy, fill in and send back
    choices: str  # what can be ordered and how to write it: sent before the form

    @property
    def text(self) -> str:
        """Both, as one block (for reading; in a chat, send them as two messages)."""
        return f"{self.choices}\n\n{self.form}" if self.choices else self.form


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


def format_order(
    campaign_title: str, catalogue: Catalogue, *, language: str | None = None
) -> OrderFormat:
    """The form to fill in and the list of choices, for a chat."""
    if language:
        with translation.override(language):
            return _format(campaign_title.strip(), catalogue)
    return _format(campaign_title.strip(), catalogue)


def format_order_text(
    campaign_title: str, catalogue: Catalogue, *, language: str | None = None
) -> str:
    """The choices and the form as one block of text."""
    return format_order(campaign_title, catalogue, language=language).text


def _format(title: str, catalogue: Catalogue) -> OrderFormat:
    form = "\n".join(
        [
            pgettext("order format", "ORDER FORMAT — %(title)s") % {"title": title},
            pgettext("order format", "Name:"),
            # Translators: a label the order parser reads; Indonesian "No. HP/WA:".
            pgettext("order format", "WhatsApp:"),
            # Translators: a label the order parser reads; Indonesian "Alamat lengkap:".
            pgettext("order format", "Full address:"),
            # Translators: a label the order parser reads; Indonesian "Kode pos:".
            pgettext("order format", "Postal code:"),
            # Translators: a label the order parser reads; Indonesian "Pesanan:".
            pgettext("order format", "Order:"),
            # Translators: a label the order parser reads; Indonesian "Catatan:".
            pgettext("order format", "Notes:"),
        ]
    )
    products = catalogue.products()
    if not products:
        return OrderFormat(form=form, choices="")
    choices = [
        pgettext("order format", "%(title)s — what you can order:") % {"title": title},
        *(product_line(entries) for entries in products.values()),
        "",
        pgettext(
            "order format",
            "Write one line per item (product - variant - quantity), for example:",
        ),
        example_line(catalogue.entries[0]),
    ]
    return OrderFormat(form=form, choices="\n".join(choices))
