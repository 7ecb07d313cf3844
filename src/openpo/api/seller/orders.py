"""A shop's orders through the API: the list across POs (filters, cursor pages), one order by
its code, an order the seller records from a chat, changes (buyer, items), cancelling,
recording money the seller received, and the order's shipment.

Every step calls the service the dashboard's button calls, so the rules are the same: quota
is never oversold (`place_order`, `change_order_items`), units come back once
(`cancel_order`), money counts once (`record_payment`), unpaid orders ship only with a reason
(`create_shipment`). An order of another shop answers 404, as if it did not exist.
"""

import re
from datetime import datetime, timedelta
from typing import Literal

from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status

from openpo.api.schemas import ErrorOut, ItemIn, Line, Moment, OrderIn, Text
from openpo.api.seller.common import (
    BODY_REFUSALS,
    REFUSALS,
    actor_of,
    get_own,
    local,
    own_campaign,
    shop_of,
)
from openpo.api.seller.listing import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    InvalidQuery,
    ShopPageOut,
    page,
    since,
)
from openpo.catalog.models import Campaign, Variant
from openpo.core.text import text_problem
from openpo.fulfillment.couriers import COURIERS, courier_label, normalize_resi, tracking_url
from openpo.fulfillment.models import Shipment
from openpo.fulfillment.services.shipping import (
    create_shipment,
    mark_shipped,
    set_tracking,
)
from openpo.orders.errors import InvalidOrder
from openpo.orders.filtering import narrow_orders
from openpo.orders.models import Order
from openpo.orders.services.changing import (
    OrderNotChangeable,
    change_order_items,
    update_buyer_details,
)
from openpo.orders.services.placing import BuyerDetails, place_order
from openpo.orders.services.releasing import cancel_order
from openpo.payments.balances import order_balance
from openpo.payments.models import Payment
from openpo.payments.services.recording import record_payment

router = Router(tags=["seller: orders"])

ORDER_STATUSES = Literal[tuple(Order.Status.values)]
PAYMENT_STATUSES = Literal[tuple(Order.PaymentStatus.values)]
FULFILLMENT_STATUSES = Literal[tuple(Order.FulfillmentStatus.values)]
COURIER_KEYS = Literal[tuple(COURIERS)]
# What an order code or a PO's link may look like; anything else is no order of the shop.
CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
BUYER_FIELDS = ("name", "phone", "email", "address", "city", "province", "postal_code", "notes")
MAX_AMOUNT = 1_000_000_000


# --- shapes ---------------------------------------------------------------------------------


class ShopOrderLineOut(Schema):
    sku: str
    product: str
    variant: str
    quantity: int
    unit_price: int = Field(description="Rupiah, as ordered.")
    line_total: int


class ShopOrderSummaryOut(Schema):
    code: str
    campaign: str = Field(description="The PO's slug.")
    status: str = Field(description="active, cancelled, expired")
    payment_status: str = Field(description="unpaid, partial, deposit_paid, paid, refunded")
    fulfillment_status: str = Field(description="pending, packed, shipped, delivered, returned")
    channel: str = Field(description="web, whatsapp, import, manual, api")
    buyer_name: str
    buyer_phone: str
    units: int
    total: int = Field(description="Rupiah: items, shipping fee and extra charges.")
    amount_paid: int = Field(description="Rupiah: confirmed payments minus refunds.")
    outstanding: int = Field(description="Rupiah still owed (0 for an order that does not go on).")
    payment_deadline: datetime
    created_at: datetime
    updated_at: datetime
    lines: list[ShopOrderLineOut]


class ShopOrderListOut(ShopPageOut):
    items: list[ShopOrderSummaryOut]


class ShopBuyerOut(Schema):
    name: str
    phone: str
    email: str
    address: str
    city: str
    province: str
    postal_code: str
    notes: str


class ShopExpectedPaymentOut(Schema):
    kind: str = Field(description="full, deposit, settlement, extra")
    label: str
    amount: int = Field(description="Rupiah to transfer, unique code included.")
    base_amount: int
    unique_code: int
    due_at: datetime
    status: str = Field(description="open, paid, void")


class ShopPaymentOut(Schema):
    amount: int = Field(description="Rupiah that arrived, unique code included.")
    credited: int = Field(description="Rupiah counted for the order (without the unique code).")
    status: str = Field(description="claimed, confirmed, rejected")
    source: str = Field(description="proof, statement, gateway, manual")
    received_at: datetime
    note: str


class ShopShipmentOut(Schema):
    courier: str = Field(description="The courier's key, e.g. jne, jnt, sicepat, pickup, other.")
    courier_label: str
    tracking_number: str = Field(description="The resi; empty until it is known.")
    tracking_url: str
    status: str = Field(description="packed, shipped, delivered, returned")
    weight_grams: int | None
    orders: list[str] = Field(description="Codes of the orders in this parcel (one buyer).")
    shipped_at: datetime | None
    delivered_at: datetime | None


class ShopOrderOut(ShopOrderSummaryOut):
    buyer: ShopBuyerOut
    subtotal: int
    shipping_fee: int
    extra_charges: int
    deposit_due: int = Field(description="Rupiah due up front (the DP under a DP policy).")
    amount_refunded: int
    to_refund: int = Field(description="Rupiah the seller holds that should go back.")
    transfer_amount: int | None = Field(
        description="What to transfer now, unique code included; null when nothing is due."
    )
    order_url: str = Field(description="The buyer's order page (keep it private).")
    cancelled_at: datetime | None
    cancel_reason: str
    expired_at: datetime | None
    expected_payments: list[ShopExpectedPaymentOut]
    payments: list[ShopPaymentOut]
    shipment: ShopShipmentOut | None = Field(description="The order's parcel (not a returned one).")


class ShopOrderIn(OrderIn):
    """The buyer's details and items by SKU, as the public order but entered by the seller."""


class ShopOrderPatch(Schema):
    """Only the fields sent change. `items`, when sent, is the order's whole new list."""

    name: Line | None = Field(None, max_length=100)
    phone: Line | None = Field(None, max_length=30)
    email: Line | None = Field(None, max_length=254)
    address: Text | None = Field(None, max_length=1000)
    city: Line | None = Field(None, max_length=100)
    province: Line | None = Field(None, max_length=100)
    postal_code: Line | None = Field(None, max_length=10)
    notes: Text | None = Field(None, max_length=2000)
    items: list[ItemIn] | None = Field(
        None,
        max_length=200,
        description=(
            "The order's lines after the change: a SKU left out is removed, lines of one SKU "
            "are added up. More units are taken from the quota (409 `sold_out` when there are "
            "not enough, and nothing changes); allowed until the PO goes into production."
        ),
    )


class ShopCancelIn(Schema):
    reason: Text = Field(min_length=1, max_length=1000, description="Kept with the order.")


class ShopPaymentIn(Schema):
    amount: int = Field(ge=1, le=MAX_AMOUNT, strict=True, description="Rupiah that arrived.")
    paid_at: Moment | None = Field(
        None, description="When it arrived (without an offset: the shop's time); now if left out."
    )
    note: Line = Field("", max_length=500, description="e.g. Cash at the booth.")
    more_than_owed: bool = Field(
        False,
        description="The buyer really paid more than the order owes; without it, such an "
        "amount is refused (409 `overpayment_not_confirmed`).",
    )


class ShopShipmentIn(Schema):
    courier: COURIER_KEYS
    courier_name: Line = Field("", max_length=60, description="The courier's name for `other`.")
    tracking_number: Line = Field("", max_length=60, description="The resi.")
    weight_grams: int | None = Field(None, ge=1, le=1_000_000)
    ship: bool = Field(False, description="The parcel left: mark it shipped and tell the buyer.")
    override_reason: Text = Field(
        "",
        max_length=500,
        description="Why an order that is not paid in full ships anyway; without it such an "
        "order is refused (409 `unpaid`).",
    )
    accept_format_warning: bool = Field(
        False, description="Use a resi that does not look like the courier's (422 `resi_format`)."
    )


# --- reading --------------------------------------------------------------------------------


def _lines(order: Order) -> list[dict]:
    return [
        {
            "sku": line.sku,
            "product": line.product_name,
            "variant": line.variant_label,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "line_total": line.line_total,
        }
        for line in order.lines.all()
    ]


def _summary(request: HttpRequest, order: Order) -> dict:
    return {
        "code": order.code,
        "campaign": order.campaign.slug,
        "status": order.status,
        "payment_status": order.payment_status,
        "fulfillment_status": order.fulfillment_status,
        "channel": order.channel,
        "buyer_name": order.buyer_name,
        "buyer_phone": order.buyer_phone,
        "units": order.units,
        "total": order.total,
        "amount_paid": order.amount_paid,
        "outstanding": order_balance(order).owed,
        "payment_deadline": local(request, order.payment_deadline),
        "created_at": local(request, order.created_at),
        "updated_at": local(request, order.updated_at),
        "lines": _lines(order),
    }


def _shipment(request: HttpRequest, order: Order) -> dict | None:
    shipment = (
        order.shipments.exclude(status=Shipment.Status.RETURNED)
        .prefetch_related("orders")
        .order_by("-created_at", "-pk")
        .first()
    )
    if shipment is None:
        return None
    return {
        "courier": shipment.courier,
        "courier_label": courier_label(shipment.courier, shipment.courier_name),
        "tracking_number": shipment.tracking_number,
        "tracking_url": tracking_url(shipment.courier, shipment.tracking_number),
        "status": shipment.status,
        "weight_grams": shipment.weight_grams,
        "orders": sorted(o.code for o in shipment.orders.all()),
        "shipped_at": local(request, shipment.shipped_at),
        "delivered_at": local(request, shipment.delivered_at),
    }


def _detail(request: HttpRequest, order: Order) -> dict:
    order = _fresh(request, order.pk)
    balance = order_balance(order)
    expected = order.open_expected_payment
    return {
        **_summary(request, order),
        "buyer": {
            "name": order.buyer_name,
            "phone": order.buyer_phone,
            "email": order.buyer_email,
            "address": order.address,
            "city": order.city,
            "province": order.province,
            "postal_code": order.postal_code,
            "notes": order.notes,
        },
        "subtotal": order.subtotal,
        "shipping_fee": order.shipping_fee,
        "extra_charges": order.extra_charges,
        "deposit_due": order.deposit_due,
        "amount_refunded": order.amount_refunded,
        "to_refund": balance.to_refund,
        "transfer_amount": expected.amount if expected else None,
        "order_url": request.build_absolute_uri(reverse("order_page", args=[order.secret])),
        "cancelled_at": local(request, order.cancelled_at),
        "cancel_reason": order.cancel_reason,
        "expired_at": local(request, order.expired_at),
        "expected_payments": [
            {
                "kind": e.kind,
                "label": e.label,
                "amount": e.amount,
                "base_amount": e.base_amount,
                "unique_code": e.unique_code,
                "due_at": local(request, e.due_at),
                "status": e.status,
            }
            for e in order.expected_payments.all()
        ],
        "payments": [
            {
                "amount": p.amount,
                "credited": p.amount - p.unique_code,
                "status": p.status,
                "source": p.source,
                "received_at": local(request, p.received_at),
                "note": p.note,
            }
            for p in order.payments.all()
        ],
        "shipment": _shipment(request, order),
    }


def _orders(request: HttpRequest):
    return Order.objects.filter(shop=shop_of(request))


def _fresh(request: HttpRequest, pk: int) -> Order:
    return _orders(request).select_related("campaign", "shop").get(pk=pk)


def _own_order(request: HttpRequest, code: str) -> Order:
    """The shop's order with this code (any case); 404 for anything else."""
    if not CODE.fullmatch(code):
        raise Http404
    return get_own(request, _orders(request).select_related("campaign"), code=code.upper())


@router.get(
    "/orders",
    response={200: ShopOrderListOut, **REFUSALS},
    summary="The shop's orders across POs, newest first, a page at a time",
    description=(
        "Filters combine. `q` finds a code, a buyer's name or a WhatsApp number (whole, or 4 "
        "digits or more of it, typed as 0812… or +62812…). `created_since` and `updated_since` "
        "keep orders made or changed at or after a time (without an offset: the shop's time). "
        "Walk the pages with `next_cursor`: "
        "orders that arrive meanwhile come before the first page, never in the middle."
    ),
)
def list_orders(
    request: HttpRequest,
    campaign: str = Query("", max_length=80, description="The PO's slug."),
    status: ORDER_STATUSES | None = None,
    payment: PAYMENT_STATUSES | None = None,
    fulfillment: FULFILLMENT_STATUSES | None = None,
    q: str = Query("", max_length=100, description="Code, name or WhatsApp number."),
    created_since: Moment | None = None,
    updated_since: Moment | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION),
    cursor: str = Query("", max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION),
):
    problems = {
        name: [p] for name, v in (("q", q), ("campaign", campaign)) if (p := text_problem(v))
    }
    if problems:
        raise InvalidQuery(field_errors=problems)
    tzinfo = shop_of(request).tzinfo
    orders = narrow_orders(
        _orders(request),
        {"q": q, "status": status, "payment": payment, "fulfillment": fulfillment},
        now=timezone.now(),
    )
    if campaign:
        orders = orders.filter(campaign__slug=campaign)
    if moment := since(created_since, "created_since", tzinfo):
        orders = orders.filter(created_at__gte=moment)
    if moment := since(updated_since, "updated_since", tzinfo):
        orders = orders.filter(updated_at__gte=moment)
    orders = orders.select_related("campaign").prefetch_related("lines")
    found, next_cursor = page(orders, cursor=cursor, limit=limit)
    return {"items": [_summary(request, o) for o in found], "next_cursor": next_cursor}


@router.get(
    "/orders/{code}",
    response={200: ShopOrderOut, **REFUSALS},
    summary="One order by its code: buyer, lines, money, payments and shipment",
)
def get_order(request: HttpRequest, code: str):
    return _detail(request, _own_order(request, code))


# --- writing --------------------------------------------------------------------------------


def _variant_ids(campaign: Campaign, items: list[ItemIn], *, active_only: bool) -> dict[int, int]:
    """Units per variant id for lines given by SKU (lines of one SKU added up); an SKU the PO
    does not sell is refused under `items.N.sku`."""
    variants = Variant.objects.filter(campaign=campaign)
    if active_only:
        variants = variants.filter(is_active=True)
    by_sku = {sku.upper(): pk for sku, pk in variants.values_list("sku", "pk")}
    errors: dict[str, list[str]] = {}
    quantities: dict[int, int] = {}
    for index, item in enumerate(items):
        variant_id = by_sku.get(item.sku.upper())
        if variant_id is None:
            errors[f"items.{index}.sku"] = [
                _("This PO has no item with SKU %(sku)s.") % {"sku": item.sku}
            ]
            continue
        quantities[variant_id] = quantities.get(variant_id, 0) + item.quantity
    if errors:
        raise InvalidOrder(field_errors=errors)
    return quantities


@router.post(
    "/campaigns/{slug}/orders",
    response={201: ShopOrderOut, **REFUSALS, **BODY_REFUSALS, 503: ErrorOut},
    summary="Record an order taken in a chat or in person (items by SKU)",
    description=(
        "The same rules as an order the buyer places: the PO must be open and every unit is "
        "taken from the quota (409 `sold_out` when there are not enough). Send an "
        "`Idempotency-Key` header (up to 64 characters) to make retrying safe: the same key with "
        "the same order answers the first order again; with another order it is refused "
        "(422 `idempotency_mismatch`)."
    ),
)
def create_order(
    request: HttpRequest,
    slug: str,
    payload: ShopOrderIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    campaign = own_campaign(request, slug)
    items = _variant_ids(campaign, payload.items, active_only=True)
    order = place_order(
        campaign=campaign,
        buyer=BuyerDetails(**{name: getattr(payload, name) for name in BUYER_FIELDS}),
        items=items,
        channel=Order.Channel.MANUAL,
        idempotency_key=idempotency_key,
        actor=actor_of(request),
    )
    return Status(201, _detail(request, order))


@router.patch(
    "/orders/{code}",
    response={200: ShopOrderOut, **REFUSALS, **BODY_REFUSALS},
    summary="Correct the buyer's details and address, or change the items",
    description=(
        "Only the fields sent change; the buyer's details are checked as a new order's. "
        "`items` replaces the order's lines (within the quota; 409 `not_changeable` once the "
        "PO is in production or the order is no longer active). All or nothing: a refused "
        "change leaves the order as it was."
    ),
)
def change_order(request: HttpRequest, code: str, payload: ShopOrderPatch):
    order = _own_order(request, code)
    changes = payload.dict(exclude_unset=True)
    items = changes.pop("items", None)
    if "items" in payload.model_fields_set and items is None:
        raise InvalidOrder(field_errors={"items": [_("Send the order's items, or leave it out.")]})
    with transaction.atomic():
        if items is not None:
            quantities = _variant_ids(order.campaign, payload.items, active_only=False)
            for variant_id in order.lines.values_list("variant_id", flat=True):
                quantities.setdefault(variant_id, 0)  # left out: removed
            order = change_order_items(order=order, items=quantities, actor=actor_of(request))
        if changes:
            current = {
                "name": order.buyer_name,
                "phone": order.buyer_phone,
                "email": order.buyer_email,
                **{name: getattr(order, name) for name in BUYER_FIELDS[3:]},
            }
            given = {name: value or "" for name, value in changes.items()}
            update_buyer_details(
                order=order, buyer=BuyerDetails(**{**current, **given}), actor=actor_of(request)
            )
    return _detail(request, order)


@router.post(
    "/orders/{code}/cancel",
    response={200: ShopOrderOut, **REFUSALS, **BODY_REFUSALS},
    summary="Cancel an order: its units go back to the quota",
    description=(
        "Cancelling a cancelled order again answers it as it is; an expired order is 409 "
        "`not_changeable`. Money already paid shows as `to_refund`."
    ),
)
def cancel(request: HttpRequest, code: str, payload: ShopCancelIn):
    order = _own_order(request, code)
    if order.status == Order.Status.EXPIRED:
        raise OrderNotChangeable()
    if order.status == Order.Status.ACTIVE:
        order = cancel_order(order=order, reason=payload.reason, actor=actor_of(request))
    return _detail(request, order)


@router.post(
    "/orders/{code}/payments",
    response={201: ShopOrderOut, **REFUSALS, **BODY_REFUSALS},
    summary="Record money the seller received (cash, a transfer seen in the bank app)",
    description=(
        "Counted at once, matched to the transfer the order awaits; the order's payment "
        "status and amounts follow. An amount beyond what the order owes needs "
        "`more_than_owed` (a slip of the keyboard is not money)."
    ),
)
def add_payment(request: HttpRequest, code: str, payload: ShopPaymentIn):
    order = _own_order(request, code)
    received_at = since(payload.paid_at, "paid_at", shop_of(request).tzinfo)
    if received_at and received_at > timezone.now() + timedelta(minutes=5):
        raise InvalidOrder(field_errors={"paid_at": [_("This time is still to come.")]})
    record_payment(
        order=order,
        amount=payload.amount,
        source=Payment.Source.MANUAL,
        received_at=received_at,
        expected_payment=order.open_expected_payment,
        note=payload.note,
        allow_overpayment=payload.more_than_owed,
        actor=actor_of(request),
    )
    return Status(201, _detail(request, order))


@router.post(
    "/orders/{code}/shipment",
    response={200: ShopOrderOut, 201: ShopOrderOut, **REFUSALS, **BODY_REFUSALS},
    summary="Pack the order into a parcel with courier and resi, or give its parcel the resi",
    description=(
        "Without a parcel, one is made for this order (201); with `ship: true` it is marked "
        "shipped at once and the buyer hears courier, resi and link. A packed parcel takes "
        "the courier and resi sent (200), and ships with `ship: true`; a parcel that already "
        "left cannot change (409 `wrong_status`). A parcel may hold other orders of the same "
        "buyer (combined on the dashboard): its courier and resi are theirs too. An order that "
        "is not paid in full ships only with `override_reason` (409 `unpaid`)."
    ),
)
def set_shipment(request: HttpRequest, code: str, payload: ShopShipmentIn):
    order = _own_order(request, code)
    actor = actor_of(request)
    tracking = {
        "courier": payload.courier,
        "courier_name": payload.courier_name,
        "tracking_number": payload.tracking_number,
        "weight_grams": payload.weight_grams,
        "accept_format_warning": payload.accept_format_warning,
    }
    shipment = order.shipments.exclude(status=Shipment.Status.RETURNED).first()
    if shipment is None:
        create_shipment(
            orders=[order],
            override_reason=payload.override_reason,
            ship=payload.ship,
            actor=actor,
            **tracking,
        )
        return Status(201, _detail(request, order))
    same = (shipment.courier, shipment.tracking_number) == (
        payload.courier,
        normalize_resi(payload.tracking_number),
    )
    if shipment.status != Shipment.Status.PACKED and same:
        return _detail(request, order)  # sent again: the parcel already left with this resi
    with transaction.atomic():
        shipment = set_tracking(shipment=shipment, actor=actor, **tracking)
        if payload.ship:
            mark_shipped(shipment=shipment, actor=actor)
    return _detail(request, order)
