"""WhatsApp's 24-hour rule, in one place: how a WhatsApp message to a buyer may leave.

Through the Cloud API a business may write free-form text only within 24 hours after the
buyer's last message to it (the customer-service window). Outside it only an approved template
may open the conversation; a shop that has named none leaves the message to the seller's own
phone (the WhatsApp queue, a wa.me link) rather than sending what Meta would refuse. The channel
asks `whatsapp_route` at the moment of sending, with the clock passed in.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from openpo.orders.models import Customer

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)


class WhatsAppRoute(StrEnum):
    TEXT = "text"  # free-form text, inside the window
    TEMPLATE = "template"  # the shop's approved template carries the text
    PHONE = "phone"  # to the seller's phone queue: no template to send it with


def in_service_window(last_inbound_at: datetime | None, *, now: datetime) -> bool:
    """Whether the buyer wrote within the last 24 hours (a message "from the future", a
    clock a little ahead, counts as just now)."""
    return last_inbound_at is not None and now - last_inbound_at < CUSTOMER_SERVICE_WINDOW


def whatsapp_route(
    *, last_inbound_at: datetime | None, has_template: bool, now: datetime
) -> WhatsAppRoute:
    """Text inside the 24 h window; else the approved template; else the seller's phone."""
    if in_service_window(last_inbound_at, now=now):
        return WhatsAppRoute.TEXT
    return WhatsAppRoute.TEMPLATE if has_template else WhatsAppRoute.PHONE


def last_inbound_at(*, shop_id: int, phone: str) -> datetime | None:
    """When the shop's buyer with this E.164 number last wrote on WhatsApp (None: never)."""
    return (
        Customer.objects.filter(shop_id=shop_id, phone=phone)
        .values_list("whatsapp_last_inbound_at", flat=True)
        .first()
    )
