"""Telling the seller's systems what happened: one delivery per subscribed endpoint, written in
the transaction of the state change that caused it (the outbox rule), sent after commit by the
worker (`hooks.delivery`).

Services call one line each: `order_created` (in two steps, like `messaging.events.
order_received`: read before the order's transaction, write inside it), `order_paid`,
`order_released` (cancelled or expired), `orders_shipped` and `campaign_transition`
(opened, closed, failed). Underneath, `emit(shop, event, data, key=…, now=…)` does it for any
event. Each event has a key naming what happened once (`order.paid:<order id>:<amount>`); the
event id sent to receivers is derived from it, and a delivery is unique per endpoint and event
id, so telling the same event again writes nothing new.

The body every receiver gets:
`{"id": "evt_…", "type": "order.paid", "created": "2026-…Z", "shop": "<slug>", "data": {…}}`,
where `data` is the order (code, statuses, buyer's name, total, amount paid, PO slug, lines)
or the PO (slug, title, status): nothing the seller does not already see on the dashboard.

In a war PO every order asks "does this shop have an endpoint for order.created?": a shop
that has none is remembered for `QUIET_SECONDS` in this process, so its orders pay no query
for webhooks; making or changing an endpoint forgets it at once here, and other processes see
it within that time.
"""

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from openpo.catalog.models import Campaign, Shop
from openpo.core.memory import ShortMemory
from openpo.hooks.models import Event, WebhookDelivery, WebhookEndpoint

QUIET_SECONDS = 1.0
# (shop id, event) → shop id, while the shop is known to have no active endpoint for the
# event (event "": none at all).
_quiet = ShortMemory(QUIET_SECONDS)

Data = dict[str, Any] | Callable[[], dict[str, Any]]


def forget(shop_id: int | None = None) -> None:
    """Forget what was remembered about one shop's endpoints (or every shop's)."""
    if shop_id is None:
        _quiet.forget()
    else:
        _quiet.forget_where(lambda quiet_shop: quiet_shop == shop_id)


def event_id(shop_id: int, key: str) -> str:
    """The id receivers see for the event `key` names: the same whenever it is told again."""
    return "evt_" + hashlib.sha256(f"{shop_id}:{key}".encode()).hexdigest()[:32]


def subscribers(shop_id: int, event: str) -> list[int]:
    """The ids of the shop's active endpoints subscribed to `event`: one query, or none when
    the shop was found to have none for it within the last `QUIET_SECONDS`."""
    if _quiet.get((shop_id, "")) or _quiet.get((shop_id, event)):
        return []
    rows = list(
        WebhookEndpoint.objects.filter(shop_id=shop_id, is_active=True).values_list("pk", "events")
    )
    # Events are filtered here: JSON containment is not a lookup SQLite has.
    found = [pk for pk, events in rows if event in (events or [])]
    if not found:
        # Only "none" is remembered: an endpoint remembered after it was deleted would be a
        # row to insert against, and a fresh read costs only the shops that have endpoints.
        _quiet.put((shop_id, "" if not rows else event), shop_id)
    return found


def _shop_id(shop: Shop | int) -> int:
    return shop if isinstance(shop, int) else shop.pk


def _shop_slug(shop: Shop | int) -> str:
    if isinstance(shop, Shop):
        return shop.slug
    return Shop.objects.values_list("slug", flat=True).get(pk=shop)


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as receivers expect."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def envelope(*, shop_slug: str, event: str, event_id: str, now: datetime, data: dict) -> dict:
    return {
        "id": event_id,
        "type": event,
        "created": _iso(now),
        "shop": shop_slug,
        "data": data,
    }


def write(
    shop: Shop | int,
    event: str,
    endpoint_ids: list[int],
    data: Data,
    *,
    key: str,
    now: datetime,
) -> int:
    """Write the deliveries of one event to `endpoint_ids` (one insert; nothing if none)."""
    if not endpoint_ids:
        return 0
    shop_id = _shop_id(shop)
    evt = event_id(shop_id, key)
    payload = envelope(
        shop_slug=_shop_slug(shop),
        event=event,
        event_id=evt,
        now=now,
        data=data() if callable(data) else data,
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=endpoint_id,
                event=event,
                event_id=evt,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint_id in endpoint_ids
        ],
        ignore_conflicts=True,
    )
    return len(endpoint_ids)


def emit(shop: Shop | int, event: str, data: Data, *, key: str, now: datetime) -> int:
    """Write one delivery per active endpoint of `shop` subscribed to `event`, inside the
    caller's transaction; `data` may be a function, called only when someone listens."""
    return write(shop, event, subscribers(_shop_id(shop), event), data, key=key, now=now)


# --- What the events carry ----------------------------------------------------------------


def order_data(order, lines: Sequence | None = None) -> dict[str, Any]:
    """The order as a receiver sees it (no secrets: not the order page's link, no bank
    details); `lines` (OrderLine objects) spares reading them when the caller has them."""
    if lines is None:
        lines = order.lines.order_by("pk")
    return {
        "code": order.code,
        "status": order.status,
        "payment_status": order.payment_status,
        "fulfillment_status": order.fulfillment_status,
        "channel": order.channel,
        "buyer_name": order.buyer_name,
        "units": order.units,
        "total": order.total,
        "amount_paid": order.amount_paid,
        "campaign": _campaign_slug(order),
        "placed_at": _iso(order.created_at),
        "lines": [
            {
                "sku": line.sku,
                "product": line.product_name,
                "variant": line.variant_label,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in lines
        ],
    }


def _campaign_slug(order) -> str:
    if type(order).campaign.is_cached(order):
        return order.campaign.slug
    return Campaign.objects.values_list("slug", flat=True).get(pk=order.campaign_id)


def _order_shop(order) -> Shop | int:
    """The order's shop if it is loaded (it names the shop in the body), else its id."""
    if type(order).shop.is_cached(order):
        return order.shop
    if type(order).campaign.is_cached(order) and Campaign.shop.is_cached(order.campaign):
        return order.campaign.shop
    return order.shop_id


def campaign_data(campaign: Campaign) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "status": campaign.status,
        "opens_at": _iso(campaign.opens_at),
        "closes_at": _iso(campaign.closes_at),
        "close_reason": campaign.close_reason,
    }


# --- One line for each service --------------------------------------------------------------


def order_created(order, now: datetime) -> Callable[[Sequence], int]:
    """A new order, in two steps so the read stays out of the order's transaction: call this
    before it (the order need not be saved yet) and what it returns inside it, with the
    order's lines as written."""
    shop = _order_shop(order)
    endpoint_ids = subscribers(_shop_id(shop), Event.ORDER_CREATED)

    def write_deliveries(lines: Sequence) -> int:
        return write(
            shop,
            Event.ORDER_CREATED,
            endpoint_ids,
            lambda: order_data(order, lines),
            key=f"order.created:{order.pk}",
            now=now,
        )

    return write_deliveries


def order_paid(order, now: datetime) -> int:
    """The order is paid in full (keyed by the amount: paid again after a change, told again)."""
    return emit(
        _order_shop(order),
        Event.ORDER_PAID,
        lambda: order_data(order),
        key=f"order.paid:{order.pk}:{order.amount_paid}",
        now=now,
    )


def order_released(order, action: str, now: datetime) -> int:
    """`order.cancelled` / `order.expired` (the audit actions) → order.canceled / .expired."""
    event = Event.ORDER_EXPIRED if action == "order.expired" else Event.ORDER_CANCELED

    def data() -> dict[str, Any]:
        # The service moved the order with an UPDATE; the object in hand still says "active".
        return {
            **order_data(order),
            "status": "expired" if action == "order.expired" else "cancelled",
        }

    return emit(_order_shop(order), event, data, key=f"{event}:{order.pk}", now=now)


def orders_shipped(
    orders: Sequence, *, shipment, courier: str, tracking_link: str, now: datetime
) -> int:
    """The orders of a parcel left: one event per order and parcel (the endpoints are read
    once for the parcel)."""
    endpoint_ids = subscribers(shipment.shop_id, Event.ORDER_SHIPPED) if orders else []
    if not endpoint_ids:
        return 0
    shop = Shop.objects.get(pk=shipment.shop_id)
    shipped = {
        "courier": courier,
        "tracking_number": shipment.tracking_number,
        "tracking_url": tracking_link,
        "shipped_at": _iso(now),
    }
    written = 0
    for order in orders:
        written += write(
            shop,
            Event.ORDER_SHIPPED,
            endpoint_ids,
            # The service moved the orders with an UPDATE; the objects in hand say "packed".
            lambda order=order: {
                **order_data(order),
                "fulfillment_status": "shipped",
                "shipment": shipped,
            },
            key=f"order.shipped:{order.pk}:{shipment.pk}",
            now=now,
        )
    return written


CAMPAIGN_EVENTS = {
    "open": Event.CAMPAIGN_OPENED,
    "reopen": Event.CAMPAIGN_OPENED,
    "close": Event.CAMPAIGN_CLOSED,
    "fail": Event.CAMPAIGN_FAILED,
}


def campaign_transition(campaign: Campaign, action: str, now: datetime) -> int:
    """A lifecycle step (`catalog.services.lifecycle`): opened (or reopened), closed, failed."""
    event = CAMPAIGN_EVENTS.get(action)
    if event is None:
        return 0
    shop = campaign.shop if Campaign.shop.is_cached(campaign) else campaign.shop_id
    return emit(
        shop,
        event,
        lambda: campaign_data(campaign),
        key=f"{event}:{campaign.pk}:{now.isoformat()}",
        now=now,
    )
