"""Cancelling and expiring orders, each of which gives the order's units back exactly once.

The order's status moves away from `active` with one conditional UPDATE; only the caller whose
UPDATE changed the row releases the quota, so a second call, or a concurrent one (a worker and
the seller at the same moment), changes nothing.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from openpo.catalog.models import Campaign, Variant
from openpo.catalog.services import reopen_if_slots_freed
from openpo.core.audit import audit_event
from openpo.hooks import events as hook_events
from openpo.messaging import events as message_events
from openpo.orders import refusals
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment, Payment

EXPIRY_BATCH = 500


def _release(
    order: Order,
    *,
    status: str,
    now: datetime,
    changes: dict,
    action: str,
    actor: AbstractBaseUser | None,
    data: dict,
    conditions: Q | None = None,
) -> bool:
    """Move an active order to `status` and give back its units; False if it was not active."""
    with transaction.atomic():
        rows = Order.objects.filter(pk=order.pk, status=Order.Status.ACTIVE)
        # Lock the row first, then test the conditions in a statement of their own: on
        # PostgreSQL an UPDATE that waited for the lock would judge "no proof waiting" by what
        # it saw before waiting, and expire an order a buyer just claimed to have paid.
        if not rows.select_for_update().exists():
            return False
        moved = rows.filter(conditions or Q()).update(status=status, updated_at=now, **changes)
        if not moved:
            return False
        for variant_id, quantity in sorted(order.lines.values_list("variant_id", "quantity")):
            Variant.objects.filter(pk=variant_id).update(
                reserved_units=F("reserved_units") - quantity
            )
        Campaign.objects.filter(pk=order.campaign_id).update(
            reserved_units=F("reserved_units") - order.units
        )
        # Its transfer amounts are free for other orders again.
        ExpectedPayment.objects.filter(order=order, status=ExpectedPayment.Status.OPEN).update(
            status=ExpectedPayment.Status.VOID
        )
        audit_event(
            action=action,
            subject=order,
            shop_id=order.shop_id,
            actor=actor,
            actor_label="" if actor else "system",
            at=now,
            data=data,
        )
        message_events.order_released(order, action, now)
        hook_events.order_released(order, action, now)
        # In the same transaction: the freed units and the reopened PO come together.
        reopen_if_slots_freed(campaign_id=order.campaign_id, now=now)
    refusals.forget(order.campaign_id)
    return True


def cancel_order(
    *,
    order: Order,
    reason: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Order:
    """Cancel an active order and release its units once; an inactive one is left as it is."""
    now = now or timezone.now()
    reason = reason.strip()[:1000]
    _release(
        order,
        status=Order.Status.CANCELLED,
        now=now,
        changes={"cancelled_at": now, "cancel_reason": reason},
        action="order.cancelled",
        actor=actor,
        data={"reason": reason, "units": order.units},
    )
    order.refresh_from_db()
    return order


def _expirable(now: datetime) -> Q:
    """Unpaid past the deadline, with no money in and no proof waiting for the seller's check
    (a buyer who says they paid is not dropped before the seller has looked)."""
    return Q(
        payment_status=Order.PaymentStatus.UNPAID,
        amount_paid=0,
        payment_deadline__lte=now,
    ) & ~Exists(Payment.objects.filter(order=OuterRef("pk"), status=Payment.Status.CLAIMED))


def _expire(order: Order, now: datetime) -> bool:
    return _release(
        order,
        status=Order.Status.EXPIRED,
        now=now,
        changes={"expired_at": now},
        conditions=_expirable(now),
        action="order.expired",
        actor=None,
        data={"deadline": order.payment_deadline.isoformat(), "units": order.units},
    )


def expire_order(*, order: Order, now: datetime | None = None) -> Order:
    """Expire an order still unpaid after its payment deadline, releasing its units once.
    Its buyer's message (`messaging.events.order_expired`) is written to the outbox in the same
    transaction as the `order.expired` audit event."""
    _expire(order, now or timezone.now())
    order.refresh_from_db()
    return order


def expire_due_orders(*, now: datetime | None = None, limit: int = EXPIRY_BATCH) -> int:
    """Expire every unpaid order past its deadline (one transaction each); returns how many."""
    now = now or timezone.now()
    due = (
        Order.objects.filter(status=Order.Status.ACTIVE)
        .filter(_expirable(now))
        .order_by("payment_deadline")[:limit]
    )
    expired = 0
    for order in due:
        expired += _expire(order, now)
    return expired
