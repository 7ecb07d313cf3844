"""Shipments: one parcel holding one or more orders of one buyer of one PO ("digabung
ongkirnya"), with a courier and a resi, packed → shipped → delivered, or returned.

Rules kept here:
- Only paid orders ship (paid in full; a DP order once its settlement is in), unless the seller
  gives a reason, which is audited on each unpaid order.
- An order is in at most one live shipment (a returned parcel frees its orders to ship again).
- A resi is used once per shop and courier (the database's unique constraint backs the check).
- Each order's `fulfillment_status` follows its shipment's status in the same transaction.
- Shipping writes the buyer's "shipped" message in the same transaction, keyed per shipment:
  marking it shipped again, or importing the same resi again, writes nothing new.
- A returned parcel opens a reconfirmation (reason "returned") for each of its orders.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.fulfillment.couriers import (
    COURIERS,
    courier_label,
    needs_resi,
    normalize_resi,
    resi_warning,
    tracking_url,
)
from openpo.fulfillment.models import Reconfirmation, Shipment
from openpo.hooks import events as hook_events
from openpo.messaging import events
from openpo.orders.models import Order
from openpo.payments.balances import GOES_AHEAD, goes_ahead, order_balance

S = Shipment.Status
F_STATUS = Order.FulfillmentStatus

# Paid in full (a settled DP included), of an order that goes ahead: what may ship.
PAID = GOES_AHEAD & Q(amount_paid__gte=F("total"))
LIVE_SHIPMENT = ~Q(status=S.RETURNED)


class ShippingError(DomainError):
    code = "shipping_refused"
    http_status = 422
    default_message = _("This shipment cannot be saved.")


class NotPaid(ShippingError):
    code = "unpaid"
    http_status = 409  # the order's state, not the request, is in the way
    default_message = _(
        "Order %(code)s is not paid in full (%(owed)s left to pay). Give a reason to ship it "
        "anyway."
    )


class AlreadyInShipment(ShippingError):
    code = "already_in_shipment"
    http_status = 409
    default_message = _("Order %(code)s is already in another shipment (%(shipment)s).")


class ResiInUse(ShippingError):
    code = "duplicate_resi"
    http_status = 409
    default_message = _("Resi %(resi)s of %(courier)s is already used for order(s) %(codes)s.")


class ResiFormatWarning(ShippingError):
    """The resi does not look like the courier's: the seller may confirm it."""

    code = "resi_format"
    default_message = _("%(warning)s Check it, or confirm to use it anyway.")


class WrongStep(ShippingError):
    code = "wrong_status"
    http_status = 409
    default_message = _("A shipment that is “%(status)s” cannot be marked “%(target)s”.")


def is_paid(order: Order) -> bool:
    """The order goes ahead and owes nothing (a DP order counts once settled)."""
    return goes_ahead(order) and order_balance(order).owed == 0


def _money(amount: int) -> str:
    return f"Rp {amount:,}".replace(",", ".")


def _check_tracking(
    *, shop_id: int, courier: str, tracking_number: str, accept_format_warning: bool, exclude=None
) -> str:
    if courier not in COURIERS:
        raise ShippingError(_("Choose a courier from the list."))
    resi = normalize_resi(tracking_number)
    if len(resi) > 40:
        raise ShippingError(_("A resi has at most 40 characters."))
    if resi and not accept_format_warning and (warning := resi_warning(courier, resi)):
        raise ResiFormatWarning(warning=warning)
    if resi:
        taken = Shipment.objects.filter(shop_id=shop_id, courier=courier, tracking_number=resi)
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        other = taken.first()
        if other is not None:
            codes = ", ".join(o.code for o in other.orders.all())
            raise ResiInUse(resi=resi, courier=courier_label(courier), codes=codes or "-")
    return resi


def _lock_orders(orders: Sequence[Order]) -> list[Order]:
    ids = sorted({o.pk for o in orders})
    locked = list(
        Order.objects.select_for_update()
        .select_related("campaign", "customer")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise ShippingError(_("An order of this shipment no longer exists."))
    return locked


def _check_orders(
    orders: list[Order], *, shop_id: int, campaign_id: int, customer_id: int, override: str
) -> list[Order]:
    """Refuse orders that may not join a parcel; the unpaid ones (allowed by `override`)."""
    unpaid = []
    for order in orders:
        if order.shop_id != shop_id or order.campaign_id != campaign_id:
            raise ShippingError(_("Order %(code)s is not an order of this PO."), code=order.code)
        if order.customer_id != customer_id:
            raise ShippingError(
                _("Order %(code)s is another buyer's: one parcel goes to one buyer."),
                code=order.code,
            )
        if not goes_ahead(order):
            raise ShippingError(
                _("Order %(code)s is cancelled or expired; it does not ship."), code=order.code
            )
        if not is_paid(order):
            if not override:
                raise NotPaid(code=order.code, owed=_money(order_balance(order).owed))
            unpaid.append(order)
    live = (
        Shipment.objects.filter(LIVE_SHIPMENT, orders__in=[o.pk for o in orders])
        .prefetch_related("orders")
        .distinct()
    )
    for shipment in live:
        code = next(o.code for o in shipment.orders.all() if o.pk in {x.pk for x in orders})
        raise AlreadyInShipment(code=code, shipment=str(shipment) or f"#{shipment.pk}")
    return unpaid


def _sync_orders(order_ids: list[int], status: str, now: datetime) -> None:
    Order.objects.filter(pk__in=order_ids).update(fulfillment_status=status, updated_at=now)


def _audit_unpaid(unpaid: list[Order], shipment: Shipment, reason: str, actor, now) -> None:
    for order in unpaid:
        audit_event(
            action="shipment.unpaid_override",
            subject=order,
            shop_id=order.shop_id,
            actor=actor,
            at=now,
            data={
                "shipment": shipment.pk,
                "reason": reason,
                "owed": order_balance(order).owed,
            },
        )


@transaction.atomic
def create_shipment(
    *,
    orders: Sequence[Order],
    courier: str,
    tracking_number: str = "",
    courier_name: str = "",
    weight_grams: int | None = None,
    override_reason: str = "",
    accept_format_warning: bool = False,
    ship: bool = False,
    actor=None,
    now: datetime | None = None,
) -> Shipment:
    """Pack paid orders of one buyer of one PO into one parcel (unpaid ones only with a
    reason); with `ship`, mark it shipped at once (the buyer hears courier, resi and link)."""
    now = now or timezone.now()
    if not orders:
        raise ShippingError(_("Choose at least one order for the parcel."))
    override_reason = override_reason.strip()
    locked = _lock_orders(orders)
    first = locked[0]
    unpaid = _check_orders(
        locked,
        shop_id=first.shop_id,
        campaign_id=first.campaign_id,
        customer_id=first.customer_id,
        override=override_reason,
    )
    resi = _check_tracking(
        shop_id=first.shop_id,
        courier=courier,
        tracking_number=tracking_number,
        accept_format_warning=accept_format_warning,
    )
    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                shop_id=first.shop_id,
                campaign_id=first.campaign_id,
                customer_id=first.customer_id,
                courier=courier,
                courier_name=courier_name.strip()[:60],
                tracking_number=resi,
                weight_grams=weight_grams,
                override_reason=override_reason if unpaid else "",
                status=S.PACKED,
                created_at=now,
                updated_at=now,
                packed_at=now,
            )
    except IntegrityError as error:  # another request took the resi just now
        raise ResiInUse(resi=resi, courier=courier_label(courier), codes="-") from error
    shipment.orders.add(*locked)
    _sync_orders([o.pk for o in locked], F_STATUS.PACKED, now)
    audit_event(
        action="shipment.created",
        subject=shipment,
        shop_id=shipment.shop_id,
        actor=actor,
        at=now,
        data={
            "orders": [o.code for o in locked],
            "courier": courier,
            "tracking_number": resi,
        },
    )
    _audit_unpaid(unpaid, shipment, override_reason, actor, now)
    if ship:
        shipment = mark_shipped(shipment=shipment, actor=actor, now=now)
    return shipment


@transaction.atomic
def add_orders_to_shipment(
    *,
    shipment: Shipment,
    orders: Sequence[Order],
    override_reason: str = "",
    actor=None,
    now: datetime | None = None,
) -> Shipment:
    """Combine more orders of the same buyer into a parcel not yet delivered; when it has
    already left, their buyers hear it too (only they: the message is keyed per order)."""
    now = now or timezone.now()
    shipment = _lock(shipment)
    if shipment.status not in (S.PACKED, S.SHIPPED):
        raise WrongStep(status=shipment.get_status_display(), target=S.PACKED.label)
    present = set(shipment.orders.values_list("pk", flat=True))
    new = [o for o in orders if o.pk not in present]
    if not new:
        return shipment
    override_reason = override_reason.strip()
    locked = _lock_orders(new)
    unpaid = _check_orders(
        locked,
        shop_id=shipment.shop_id,
        campaign_id=shipment.campaign_id,
        customer_id=shipment.customer_id,
        override=override_reason,
    )
    shipment.orders.add(*locked)
    if unpaid and not shipment.override_reason:
        shipment.override_reason = override_reason
    shipment.updated_at = now
    shipment.save(update_fields=["override_reason", "updated_at"])
    _sync_orders([o.pk for o in locked], shipment.status, now)
    audit_event(
        action="shipment.orders_added",
        subject=shipment,
        shop_id=shipment.shop_id,
        actor=actor,
        at=now,
        data={"orders": [o.code for o in locked]},
    )
    _audit_unpaid(unpaid, shipment, override_reason, actor, now)
    if shipment.status == S.SHIPPED:
        _tell_buyers(shipment, locked, now)
    return shipment


def _lock(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_for_update().get(pk=shipment.pk)


def _tell_buyers(shipment: Shipment, orders: Sequence[Order], now: datetime) -> int:
    courier = courier_label(shipment.courier, shipment.courier_name)
    tracking_link = tracking_url(shipment.courier, shipment.tracking_number)
    hook_events.orders_shipped(
        orders, shipment=shipment, courier=courier, tracking_link=tracking_link, now=now
    )
    return events.shipped(shipment, orders, now, courier=courier, tracking_link=tracking_link)


@transaction.atomic
def set_tracking(
    *,
    shipment: Shipment,
    courier: str,
    tracking_number: str,
    courier_name: str = "",
    weight_grams: int | None = None,
    accept_format_warning: bool = False,
    actor=None,
    now: datetime | None = None,
) -> Shipment:
    """Give a packed parcel its courier and resi (before it ships; the buyer is told then)."""
    now = now or timezone.now()
    shipment = _lock(shipment)
    if shipment.status != S.PACKED:
        raise WrongStep(status=shipment.get_status_display(), target=S.PACKED.label)
    resi = _check_tracking(
        shop_id=shipment.shop_id,
        courier=courier,
        tracking_number=tracking_number,
        accept_format_warning=accept_format_warning,
        exclude=shipment,
    )
    shipment.courier, shipment.tracking_number = courier, resi
    shipment.courier_name = courier_name.strip()[:60]
    if weight_grams is not None:
        shipment.weight_grams = weight_grams
    shipment.updated_at = now
    try:
        with transaction.atomic():
            shipment.save()
    except IntegrityError as error:
        raise ResiInUse(resi=resi, courier=courier_label(courier), codes="-") from error
    audit_event(
        action="shipment.tracking_set",
        subject=shipment,
        shop_id=shipment.shop_id,
        actor=actor,
        at=now,
        data={"courier": courier, "tracking_number": resi},
    )
    return shipment


@transaction.atomic
def mark_shipped(*, shipment: Shipment, actor=None, now: datetime | None = None) -> Shipment:
    """The parcel left: its orders are shipped and each buyer hears courier, resi and link,
    once per shipment (marking it again changes and sends nothing)."""
    now = now or timezone.now()
    shipment = _lock(shipment)
    if shipment.status == S.SHIPPED:
        return shipment
    if shipment.status != S.PACKED:
        raise WrongStep(status=shipment.get_status_display(), target=S.SHIPPED.label)
    if needs_resi(shipment.courier) and not shipment.tracking_number:
        raise ShippingError(
            _("Enter the resi of %(courier)s before marking the parcel shipped."),
            courier=courier_label(shipment.courier, shipment.courier_name),
        )
    shipment.status, shipment.shipped_at, shipment.updated_at = S.SHIPPED, now, now
    shipment.save(update_fields=["status", "shipped_at", "updated_at"])
    orders = list(shipment.orders.select_related("campaign").order_by("pk"))
    _sync_orders([o.pk for o in orders], F_STATUS.SHIPPED, now)
    audit_event(
        action="shipment.shipped",
        subject=shipment,
        shop_id=shipment.shop_id,
        actor=actor,
        at=now,
        data={"orders": [o.code for o in orders], "tracking_number": shipment.tracking_number},
    )
    _tell_buyers(shipment, orders, now)
    return shipment


@transaction.atomic
def mark_delivered(*, shipment: Shipment, actor=None, now: datetime | None = None) -> Shipment:
    """The buyer received the parcel (idempotent)."""
    now = now or timezone.now()
    shipment = _lock(shipment)
    if shipment.status == S.DELIVERED:
        return shipment
    if shipment.status != S.SHIPPED:
        raise WrongStep(status=shipment.get_status_display(), target=S.DELIVERED.label)
    shipment.status, shipment.delivered_at, shipment.updated_at = S.DELIVERED, now, now
    shipment.save(update_fields=["status", "delivered_at", "updated_at"])
    order_ids = list(shipment.orders.values_list("pk", flat=True))
    _sync_orders(order_ids, F_STATUS.DELIVERED, now)
    audit_event(
        action="shipment.delivered", subject=shipment, shop_id=shipment.shop_id, actor=actor, at=now
    )
    return shipment


@transaction.atomic
def mark_returned(
    *, shipment: Shipment, note: str = "", actor=None, now: datetime | None = None
) -> Shipment:
    """The parcel came back: its orders need the buyer again (one open reconfirmation each),
    and may ship again in a new parcel (idempotent)."""
    now = now or timezone.now()
    shipment = _lock(shipment)
    if shipment.status == S.RETURNED:
        return shipment
    if shipment.status not in (S.SHIPPED, S.DELIVERED):
        raise WrongStep(status=shipment.get_status_display(), target=S.RETURNED.label)
    shipment.status, shipment.returned_at, shipment.updated_at = S.RETURNED, now, now
    shipment.save(update_fields=["status", "returned_at", "updated_at"])
    orders = list(shipment.orders.order_by("pk"))
    _sync_orders([o.pk for o in orders], F_STATUS.RETURNED, now)
    already_open = set(
        Reconfirmation.objects.filter(
            order__in=orders, reason=Reconfirmation.Reason.RETURNED, resolved_at__isnull=True
        ).values_list("order_id", flat=True)
    )
    Reconfirmation.objects.bulk_create(
        [
            Reconfirmation(
                shop_id=shipment.shop_id,
                order=order,
                reason=Reconfirmation.Reason.RETURNED,
                note=note.strip()
                or str(_("Parcel %(resi)s came back.") % {"resi": str(shipment) or "-"}),
                created_at=now,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            for order in orders
            if order.pk not in already_open
        ]
    )
    audit_event(
        action="shipment.returned",
        subject=shipment,
        shop_id=shipment.shop_id,
        actor=actor,
        at=now,
        data={"note": note.strip()},
    )
    return shipment


STEPS = {"ship": mark_shipped, "deliver": mark_delivered, "return": mark_returned}


# Reading: the counts of the overview and the PO list, and what to ship next.


def shipment_counts(campaign: Campaign) -> dict[str, int]:
    """Orders of the PO that go ahead, per fulfilment status (pending, packed, shipped,
    delivered, returned), plus `to_ship`: paid orders not yet in a parcel. One query."""
    orders = Order.objects.filter(GOES_AHEAD, shop_id=campaign.shop_id, campaign=campaign)
    counts = orders.order_by().aggregate(
        **{status: Count("pk", filter=Q(fulfillment_status=status)) for status in F_STATUS.values},
        to_ship=Count("pk", filter=PAID & Q(fulfillment_status=F_STATUS.PENDING)),
    )
    return counts


def to_ship_count(campaign: Campaign) -> int:
    """Paid orders of the PO not yet packed or shipped."""
    return orders_to_ship(campaign).count()


def orders_to_ship(campaign: Campaign) -> QuerySet[Order]:
    """Paid orders of the PO waiting for a parcel (returned ones wait for the buyer first),
    grouped by buyer: orders of one customer come one after another."""
    return Order.objects.filter(
        PAID,
        shop_id=campaign.shop_id,
        campaign=campaign,
        fulfillment_status=F_STATUS.PENDING,
    ).order_by("customer_id", "created_at", "pk")


def unpaid_pending(campaign: Campaign) -> QuerySet[Order]:
    """Orders of the PO that go ahead but still owe money and have not shipped."""
    return (
        Order.objects.filter(
            GOES_AHEAD,
            shop_id=campaign.shop_id,
            campaign=campaign,
            fulfillment_status=F_STATUS.PENDING,
        )
        .exclude(PAID)
        .order_by("customer_id", "created_at", "pk")
    )
