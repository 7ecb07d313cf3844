"""Moved dates and what buyers may do about them.

Moving a PO's production start or ship date needs a reason; the change is kept
(`ScheduleChange`) and every buyer of a live order is told the old and the new date through the
outbox, in the same transaction. The delay is how far the ship date now is past the first date
promised (the old date of the PO's first ship-date change). Once it is more than the shop's
`delay_cancel_after_days`, each buyer who has paid something may cancel with one tap on their
order page: the order is cancelled (its units released once, by `orders.services.releasing`)
and, holding money, it is on the refund list (`payments.balances.refunds_due`).

Moving dates tells every buyer in the shop's name and can open cancellations with refunds, so
it is the owners' (`catalog.permissions`).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidShop
from openpo.catalog.models import Campaign, Shop
from openpo.catalog.permissions import require_owner
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.fulfillment.models import ScheduleChange
from openpo.messaging import events
from openpo.orders.models import Order
from openpo.orders.services.releasing import cancel_order

# Dates of a PO that ended, or whose goods went out, no longer move.
FIXED = (
    Campaign.Status.COMPLETED,
    Campaign.Status.FAILED,
    Campaign.Status.CANCELLED,
)
# A buyer whose parcel is on its way (or arrived) has nothing left to wait for.
WAITING_FOR_GOODS = (Order.FulfillmentStatus.PENDING, Order.FulfillmentStatus.PACKED)
MAX_DELAY_LIMIT_DAYS = 365
MAX_REASON_CHARS = 1000


class InvalidScheduleChange(DomainError):
    code = "invalid_schedule_change"
    http_status = 422
    default_message = _("Please correct the new date.")


class CancelNotOffered(DomainError):
    code = "cancel_not_offered"
    http_status = 409
    default_message = _("This order cannot be cancelled for the delay.")


@transaction.atomic
def move_date(
    *,
    campaign: Campaign,
    field: str,
    new_date: date,
    reason: str,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ScheduleChange:
    """Move the PO's production start or ship date, with a reason (owners only): kept as a
    `ScheduleChange` and told to every buyer of a live order (old date, new date, reason)."""
    now = now or timezone.now()
    require_owner(campaign.shop_id, actor)
    reason = (reason or "").strip()
    errors: dict[str, list] = {}
    if field not in ScheduleChange.Field.values:
        errors["field"] = [_("Choose the production start or the ship date.")]
    if not reason:
        errors["reason"] = [_("Tell buyers why the date moves.")]
    elif len(reason) > MAX_REASON_CHARS:
        errors["reason"] = [_("At most %(most)s characters.") % {"most": MAX_REASON_CHARS}]
    if new_date is None:
        errors["new_date"] = [_("Choose the new date.")]
    if errors:
        raise InvalidScheduleChange(field_errors=errors)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status in FIXED:
        raise InvalidScheduleChange(_("The dates of a PO that has ended no longer move."))
    old_date = getattr(campaign, field)
    if old_date == new_date:
        raise InvalidScheduleChange(
            field_errors={"new_date": [_("This is already the date: choose another.")]}
        )
    starts = new_date if field == "production_starts_on" else campaign.production_starts_on
    ships = new_date if field == "ships_on" else campaign.ships_on
    if starts and ships and starts > ships:
        raise InvalidScheduleChange(
            field_errors={"new_date": [_("Production cannot start after the ship date.")]}
        )
    setattr(campaign, field, new_date)
    campaign.save(update_fields=[field])
    change = ScheduleChange.objects.create(
        campaign=campaign,
        field=field,
        old_date=old_date,
        new_date=new_date,
        reason=reason,
        created_at=now,
        created_by=actor,
    )
    written = events.schedule_changed(change, now)
    audit_event(
        action="campaign.date_moved",
        subject=campaign,
        shop_id=campaign.shop_id,
        actor=actor,
        at=now,
        data={
            "field": field,
            "old_date": old_date.isoformat() if old_date else None,
            "new_date": new_date.isoformat(),
            "reason": reason,
            "messages": written,
        },
    )
    return change


@dataclass(frozen=True)
class Delay:
    """How late a PO's ship date is against the first promise, and the shop's limit."""

    first_promised: date | None
    ships_on: date | None
    days: int
    limit_days: int

    @property
    def past_limit(self) -> bool:
        return self.days > self.limit_days


def delay_of(campaign: Campaign) -> Delay:
    """The ship date's delay: days from the first promised date (the old date of the first
    ship-date change; the current date when it never moved) to the current one."""
    first = (
        ScheduleChange.objects.filter(campaign_id=campaign.pk, field=ScheduleChange.Field.SHIPS_ON)
        .order_by("created_at", "id")
        .first()
    )
    promised = first.old_date if first else campaign.ships_on
    days = 0
    if promised and campaign.ships_on and campaign.ships_on > promised:
        days = (campaign.ships_on - promised).days
    return Delay(
        first_promised=promised,
        ships_on=campaign.ships_on,
        days=days,
        limit_days=campaign.shop.delay_cancel_after_days,
    )


def cancel_offered(order: Order, delay: Delay | None = None) -> bool:
    """Whether the order's buyer may cancel for the delay: the order is live, paid (in full or
    in part), not shipped, of a PO still going whose ship date moved past the shop's limit."""
    campaign = order.campaign
    if (
        order.status != Order.Status.ACTIVE
        or order.amount_paid <= 0
        or order.fulfillment_status not in WAITING_FOR_GOODS
        or campaign.status in FIXED
    ):
        return False
    return (delay or delay_of(campaign)).past_limit


def cancel_for_delay(*, order: Order, now: datetime | None = None) -> Order:
    """The buyer's one tap: cancel a paid order whose PO is late past the shop's limit; its
    units are released once and, holding money, it joins the refund list. A second tap finds
    the order cancelled and changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("campaign__shop").get(pk=order.pk)
        if locked.status == Order.Status.CANCELLED and locked.cancelled_at:
            return locked
        delay = delay_of(locked.campaign)
        if not cancel_offered(locked, delay):
            raise CancelNotOffered()
        reason = _("Cancelled by the buyer: the PO is %(days)s days late.") % {"days": delay.days}
        cancelled = cancel_order(order=locked, reason=str(reason), now=now)
        audit_event(
            action="order.cancelled_for_delay",
            subject=cancelled,
            shop_id=cancelled.shop_id,
            actor_label="buyer",
            at=now,
            data={
                "delay_days": delay.days,
                "limit_days": delay.limit_days,
                "amount_paid": cancelled.amount_paid,
            },
        )
    return cancelled


@transaction.atomic
def set_delay_limit(
    *,
    shop: Shop,
    days: int,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Shop:
    """How many days of delay a shop's buyers wait before they may cancel (owners only)."""
    require_owner(shop, actor)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DELAY_LIMIT_DAYS:
        raise InvalidShop(
            field_errors={
                "delay_cancel_after_days": [
                    _("Enter between 1 and %(most)s days.") % {"most": MAX_DELAY_LIMIT_DAYS}
                ]
            }
        )
    if shop.delay_cancel_after_days == days:
        return shop
    shop.delay_cancel_after_days = days
    shop.save(update_fields=["delay_cancel_after_days"])
    audit_event(
        action="shop.settings_changed",
        subject=shop,
        shop_id=shop.pk,
        actor=actor,
        at=now or timezone.now(),
        data={"fields": ["delay_cancel_after_days"], "delay_cancel_after_days": days},
    )
    return shop
