"""The parts of the buyer's order page that come after the PO closes, each from its own module:
production (timeline, delay notice and the cancel offer), shipping (courier, resi, tracking),
buyer edits (name, phone, address) and testimonials. Each module's `section_context(order)`
adds its keys to the page's context; its template is `storefront/order/_<part>.html`."""

from openpo.orders.models import Order
from openpo.storefront import buyer_edits, production, shipping, testimonials

SECTIONS = (production, shipping, buyer_edits, testimonials)


def sections_context(order: Order) -> dict:
    context: dict = {}
    for section in SECTIONS:
        context.update(section.section_context(order))
    return context
