"""Reading orders for the table, the exports and the API: search, filters and sorting.

One function turns the table's parameters into a queryset, so the page, the CSV and the XLSX
always list the same orders; the seller API's shop-wide list narrows with the same search and
filters (`narrow_orders`).
"""

import contextlib
import re
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from openpo.catalog.models import Campaign
from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from openpo.orders.models import Order, OrderLine
from openpo.payments.models import ExpectedPayment

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "total": ("-total", "-id"),
    "name": (Lower("buyer_name"), "id"),
    "code": ("code",),
}


def proof_waiting() -> Exists:
    """A buyer uploaded a proof for a payment that is still open: the seller should check it."""
    return Exists(
        ExpectedPayment.objects.filter(
            order=OuterRef("pk"), status=ExpectedPayment.Status.OPEN, claimed_at__isnull=False
        )
    )


def phone_match(field: str, text: str) -> Q:
    """`field` (an E.164 number) is the number `text` names, or holds its digits (4 or more)."""
    match = Q(pk__in=[])
    digits = re.sub(r"\D", "", text)
    with contextlib.suppress(InvalidPhoneNumber):
        match |= Q(**{field: normalize_phone(text)})
    if len(digits) >= 4:
        # A part of a number as people type it: 0812… is stored as +62812….
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        match |= Q(**{f"{field}__contains": digits})
    return match


def search_orders(orders: QuerySet, text: str) -> QuerySet:
    """Orders whose code or buyer's name holds `text`, or whose number is (or holds) it."""
    text = " ".join(text.split())
    if not text:
        return orders
    match = Q(code__icontains=text) | Q(buyer_name__icontains=text)
    return orders.filter(match | phone_match("buyer_phone", text))


def _attention(orders: QuerySet, kind: str, now: datetime) -> QuerySet:
    active = orders.filter(status=Order.Status.ACTIVE)
    if kind == "overdue":
        return active.overdue(now)
    if kind == "proof":
        return active.filter(proof_waiting())
    if kind == "partial":
        return active.filter(amount_paid__gt=0, amount_paid__lt=F("total"))
    if kind == "unpaid":
        return active.filter(amount_paid=0)
    if kind == "to_ship":
        return active.filter(
            payment_status=Order.PaymentStatus.PAID,
            fulfillment_status=Order.FulfillmentStatus.PENDING,
        )
    return orders


def narrow_orders(orders: QuerySet, filters: dict, *, now: datetime) -> QuerySet:
    """`orders` matching the (already validated) search and filters, unsorted."""
    orders = search_orders(orders, filters.get("q", ""))
    if status := filters.get("status"):
        orders = orders.filter(status=status)
    if payment := filters.get("payment"):
        orders = orders.filter(payment_status=payment)
    if fulfillment := filters.get("fulfillment"):
        orders = orders.filter(fulfillment_status=fulfillment)
    if variant := filters.get("variant"):
        orders = orders.filter(
            Exists(OrderLine.objects.filter(order=OuterRef("pk"), variant_id=variant))
        )
    if attention := filters.get("attention"):
        orders = _attention(orders, attention, now)
    return orders


def filter_orders(campaign: Campaign, filters: dict, *, now: datetime) -> QuerySet:
    """The PO's orders matching the table's (already validated) filters, in the chosen order."""
    orders = narrow_orders(Order.objects.filter(campaign=campaign), filters, now=now)
    return orders.order_by(*SORTS.get(filters.get("sort") or "newest", SORTS["newest"]))
