"""(being written)"""

from openpo.orders.models import Order


def section_context(order: Order) -> dict:
    """What this part of the order page needs (see `storefront.order_sections`)."""
    return {}
