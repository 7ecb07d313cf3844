"""The shipping part of the buyer's order page: each parcel holding the order, with its
courier, resi, status and the courier's tracking page."""

from dataclasses import dataclass
from datetime import datetime

from openpo.fulfillment.couriers import courier_label, tracking_url
from openpo.fulfillment.models import Shipment
from openpo.orders.models import Order


@dataclass(frozen=True)
class Parcel:
    courier: str
    tracking_number: str
    status: str
    status_label: str
    tracking_link: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    # Other orders of the buyer in the same parcel ("digabung").
    combined_with: list[str]


def section_context(order: Order) -> dict:
    """What this part of the order page needs (see `storefront.order_sections`)."""
    shipments = (
        Shipment.objects.filter(orders=order, shop_id=order.shop_id)
        .exclude(status=Shipment.Status.PACKED, tracking_number="")
        .prefetch_related("orders")
        .order_by("-created_at", "-pk")
    )
    parcels = [
        Parcel(
            courier=courier_label(s.courier, s.courier_name),
            tracking_number=s.tracking_number,
            status=s.status,
            status_label=s.get_status_display(),
            tracking_link=tracking_url(s.courier, s.tracking_number),
            shipped_at=s.shipped_at,
            delivered_at=s.delivered_at,
            combined_with=[o.code for o in s.orders.all() if o.pk != order.pk],
        )
        for s in shipments
    ]
    return {"parcels": parcels}
