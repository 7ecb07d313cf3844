"""The messages of each event, written to the outbox inside the event's own transaction.

Services call these (one line each): `order_received(order, expected, now)` (in two steps:
read before the order's transaction, write inside it), `payment_confirmed(payment, now)`,
`payment_rejected(payment, now)`, `settlement_reminder(expected, now)`,
`order_expired(order, now)`, `campaign_transition(campaign, action, now)` (→ `po_closed` /
`moq_failed`, `production_started`, `shipping_started`), and for fulfilment `shipped`,
`production_update`, `schedule_changed`, `addresses_locked` and `extra_charge`.
Every buyer gets an email (when they gave one) and a WhatsApp message for the seller's own
phone (manual). Rows go in with one bulk insert that ignores what an earlier run already
wrote: the outbox is unique per event key, recipient and channel.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from openpo.catalog.models import Campaign, Shop
from openpo.messaging.models import Channel, OutboxMessage
from openpo.messaging.rendering import local_time, money, render, shop_and_template
from openpo.orders.models import Order

BATCH = 500


def order_link(order: Order) -> str:
    return settings.SITE_URL + reverse("order_page", kwargs={"secret": order.secret})


def campaign_link(campaign: Campaign, shop: Shop) -> str:
    return settings.SITE_URL + reverse(
        "campaign", kwargs={"shop_slug": shop.slug, "campaign_slug": campaign.slug}
    )


def order_context(order: Order, campaign: Campaign) -> dict[str, str]:
    """The placeholders every order message can use."""
    return {
        "nama": order.buyer_name,
        "kode": order.code,
        "po": campaign.title,
        "total": money(order.total),
        "sisa": money(order.amount_outstanding),
        "link": order_link(order),
    }


def _rows(
    *,
    shop: Shop,
    event: str,
    event_key: str,
    order: Order | None,
    campaign: Campaign | None,
    subject: str,
    body: str,
    email: str,
    phone: str,
    name: str,
    now: datetime,
) -> list[OutboxMessage]:
    common = {
        "shop": shop,
        "order": order,
        "campaign": campaign,
        "event": event,
        "event_key": event_key[:120],
        "recipient_name": name[:100],
        "subject": subject[:200],
        "body": body,
        "next_attempt_at": now,
        "created_at": now,
    }
    rows = []
    if email:
        rows.append(
            OutboxMessage(
                channel=Channel.EMAIL,
                recipient=email,
                status=OutboxMessage.Status.QUEUED,
                **common,
            )
        )
    cloud = _has_cloud_api(shop)
    if phone and (cloud or _seller_sends(event, order)):
        # With the WhatsApp Cloud API the worker sends it; without (the default) it waits in
        # the seller's WhatsApp queue, a wa.me link to tap.
        rows.append(
            OutboxMessage(
                channel=Channel.WHATSAPP,
                recipient=phone,
                status=OutboxMessage.Status.QUEUED if cloud else OutboxMessage.Status.MANUAL,
                **common,
            )
        )
    return rows


def _has_cloud_api(shop: Shop) -> bool:
    """Read with the template by `shop_and_template`; asked here only when it was not."""
    if not hasattr(shop, "has_cloud_api"):
        from openpo.messaging.models import WhatsAppAccount

        shop.has_cloud_api = WhatsAppAccount.objects.filter(shop=shop, is_active=True).exists()
    return shop.has_cloud_api


def _seller_sends(event: str, order: Order | None) -> bool:
    """Whether a WhatsApp message is worth the seller's tap: a buyer who ordered on the web
    page (or through the API) is already looking at their order page, so "order received"
    only goes to buyers whose order the seller took (chat, phone, import)."""
    return not (
        event == "order_received"
        and order is not None
        and order.channel in (Order.Channel.WEB, Order.Channel.API)
    )


def _save(rows: list[OutboxMessage]) -> int:
    if rows:
        OutboxMessage.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def _render_for_orders(
    event: str,
    orders: Iterable[Order],
    campaign: Campaign,
    now: datetime,
    *,
    key: str | None = None,
    extra=None,
) -> list[OutboxMessage]:
    shop, template = shop_and_template(campaign, event)
    rows: list[OutboxMessage] = []
    for order in orders:
        context = order_context(order, campaign)
        if extra:
            context.update(extra(order))
        subject, body = render(event, shop, context, template=template)
        rows += _rows(
            shop=shop,
            event=event,
            event_key=f"{key or event}:{order.pk}",
            order=order,
            campaign=campaign,
            subject=subject,
            body=body,
            email=order.buyer_email,
            phone=order.buyer_phone,
            name=order.buyer_name,
            now=now,
        )
    return rows


def for_orders(
    event: str,
    orders: Iterable[Order],
    campaign: Campaign,
    now: datetime,
    *,
    key: str | None = None,
    extra=None,
) -> int:
    """Write `event` to the buyer of each order: the shop's template is read once.
    `extra(order)` adds placeholders; `key` (default: the event) prefixes the event key."""
    return _save(_render_for_orders(event, orders, campaign, now, key=key, extra=extra))


def _fresh(order_id: int) -> Order:
    return Order.objects.select_related("campaign__shop").get(pk=order_id)


def order_received(order: Order, expected, now: datetime) -> Callable[[], int]:
    """A new order: what to pay (`expected`, or None), by when, and the link to the order
    page. Read and written in two steps, so the reading stays out of the order's transaction:
    call this before it (the order need not be saved yet) and what it returns inside it."""

    def extra(o: Order) -> dict[str, str]:
        return {
            "jumlah": money(expected.amount if expected else o.deposit_due),
            "tenggat": local_time(o.campaign.shop, o.payment_deadline),
        }

    rows = _render_for_orders("order_received", [order], order.campaign, now, extra=extra)

    def write() -> int:
        for row in rows:  # the order has its id now
            row.event_key = f"order_received:{order.pk}"
        return _save(rows)

    return write


def payment_reminder(order: Order, offset: str, now: datetime) -> int:
    """The buyer's order is still unpaid `offset` (e.g. "24h", "3h") before its deadline."""
    expected = order.open_expected_payment
    shop = order.campaign.shop

    def extra(o: Order) -> dict[str, str]:
        return {
            "jumlah": money(expected.amount if expected else o.deposit_due - o.amount_paid),
            "tenggat": local_time(shop, o.payment_deadline),
        }

    return for_orders(
        "payment_reminder",
        [order],
        order.campaign,
        now,
        key=f"payment_reminder:{offset}",
        extra=extra,
    )


def payment_confirmed(payment, now: datetime) -> int:
    order = _fresh(payment.order_id)
    return for_orders(
        "payment_confirmed",
        [order],
        order.campaign,
        now,
        key=f"payment_confirmed:{payment.pk}",
        extra=lambda o: {"jumlah": money(payment.amount)},
    )


def payment_rejected(payment, now: datetime) -> int:
    order = _fresh(payment.order_id)
    return for_orders(
        "payment_rejected",
        [order],
        order.campaign,
        now,
        key=f"payment_rejected:{payment.pk}",
        extra=lambda o: {"jumlah": money(payment.amount), "alasan": payment.reject_reason},
    )


def settlement_reminder(expected, now: datetime) -> int:
    order = _fresh(expected.order_id)
    shop = order.campaign.shop
    return for_orders(
        "settlement_reminder",
        [order],
        order.campaign,
        now,
        key=f"settlement_reminder:{expected.pk}",
        extra=lambda o: {
            "jumlah": money(expected.amount),
            "tenggat": local_time(shop, expected.due_at),
        },
    )


def order_expired(order: Order, now: datetime) -> int:
    order = _fresh(order.pk)
    shop = order.campaign.shop
    return for_orders(
        "order_expired",
        [order],
        order.campaign,
        now,
        extra=lambda o: {"tenggat": local_time(shop, o.payment_deadline)},
    )


def order_released(order: Order, action: str, now: datetime) -> int:
    """Hook of `orders.services.releasing`: an expired order tells its buyer."""
    return order_expired(order, now) if action == "order.expired" else 0


def _active_orders(campaign: Campaign):
    return Order.objects.filter(campaign_id=campaign.pk, status=Order.Status.ACTIVE).order_by("pk")


def po_closed(campaign: Campaign, now: datetime) -> int:
    """Every buyer of a live order hears that the PO closed."""
    return for_orders("po_closed", _active_orders(campaign).iterator(BATCH), campaign, now)


def moq_failed(campaign: Campaign, now: datetime) -> int:
    """Every buyer of a live order hears that the PO failed its minimum and what is refunded."""
    return for_orders(
        "moq_failed_refund",
        _active_orders(campaign).iterator(BATCH),
        campaign,
        now,
        extra=lambda o: {"jumlah": money(o.amount_paid)},
    )


def _units(campaign: Campaign) -> int:
    return Campaign.objects.values_list("reserved_units", flat=True).get(pk=campaign.pk)


def campaign_transition(campaign: Campaign, action: str, now: datetime) -> int:
    """Hook of `catalog.services.lifecycle._transition`."""
    if action == "close":
        if campaign.moq_units and _units(campaign) < campaign.moq_units:
            return 0  # the minimum is not reached: buyers hear whether the PO fails instead
        return po_closed(campaign, now)
    if action == "fail":
        return moq_failed(campaign, now)
    if action == "start_production":
        return for_orders(
            "production_started", _active_orders(campaign).iterator(BATCH), campaign, now
        )
    if action == "start_shipping":
        return for_orders(
            "shipping_started", _active_orders(campaign).iterator(BATCH), campaign, now
        )
    return 0


def shipped(
    shipment, orders: Iterable[Order], now: datetime, *, courier: str, tracking_link: str
) -> int:
    """A parcel left: each of its orders' buyers hears the courier (its label), the resi and the
    tracking link, once per shipment and order (marking it shipped again writes nothing new)."""
    orders = list(orders)
    if not orders:
        return 0
    return for_orders(
        "shipped",
        orders,
        orders[0].campaign,
        now,
        key=f"shipped:{shipment.pk}",
        extra=lambda o: {
            "resi": shipment.tracking_number or "-",
            "kurir": courier,
            "lacak": tracking_link or order_link(o),
        },
    )


def production_update(campaign: Campaign, update_key: str, text: str, now: datetime) -> int:
    """A production update (`update_key` names it once) to every buyer of a live order."""
    return for_orders(
        "production_update",
        _active_orders(campaign).iterator(BATCH),
        campaign,
        now,
        key=f"production_update:{update_key}",
        extra=lambda o: {"pesan": text},
    )


def schedule_changed(change, now: datetime) -> int:
    """A moved date (a `fulfillment.models.ScheduleChange`) to every buyer of a live order."""
    campaign = change.campaign
    return for_orders(
        "schedule_changed",
        _active_orders(campaign).iterator(BATCH),
        campaign,
        now,
        key=f"schedule_changed:{change.pk}",
        extra=lambda o: {
            "jadwal": str(change.get_field_display()).lower(),
            "tanggal_lama": _day(change.old_date),
            "tanggal_baru": _day(change.new_date),
            "alasan": change.reason,
        },
    )


def addresses_locked(campaign: Campaign, now: datetime) -> int:
    """The seller locked the PO's addresses: every buyer of a live order checks theirs."""
    return for_orders("addresses_locked", _active_orders(campaign).iterator(BATCH), campaign, now)


def extra_charge(expected, now: datetime) -> int:
    """A second invoice (an expected payment of kind "extra") to the buyer of its order."""
    order = _fresh(expected.order_id)
    shop = order.campaign.shop
    return for_orders(
        "extra_charge",
        [order],
        order.campaign,
        now,
        key=f"extra_charge:{expected.pk}",
        extra=lambda o: {
            "untuk": expected.label,
            "jumlah": money(expected.amount),
            "tenggat": local_time(shop, expected.due_at),
        },
    )


def _day(value) -> str:
    from django.utils.formats import date_format

    return date_format(value, "j F Y") if value else "-"
