"""State changes of orders: placing, cancelling and expiring, with the quota they hold."""

from openpo.orders.services.placing import BuyerDetails, OrderItem, place_order
from openpo.orders.services.releasing import cancel_order, expire_due_orders, expire_order
from openpo.orders.services.reminders import sign_up_for_reminder

__all__ = [
    "BuyerDetails",
    "OrderItem",
    "cancel_order",
    "expire_due_orders",
    "expire_order",
    "place_order",
    "sign_up_for_reminder",
]
