"""The campaign lifecycle as explicit transitions:

draft → scheduled (publish) → open (at opens_at) → closed (at closes_at, early, or sold out)
→ producing → shipping → completed; closed → failed (minimum not reached); cancel before
production; a PO closed early or sold out may reopen until its closing time.

Each transition is one conditional UPDATE on the status it leaves, so two callers racing for
the same step cannot both take it, plus an audit event in the same transaction.

The rule of which step a PO may take when lives here too: `phase_allows` (by its phase alone)
and `allowed_steps` (adding the minimum order and the closing time), which the pages ask
before they offer a step.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import (
    InvalidCampaign,
    InvalidTransition,
    MinimumNotReached,
    MinimumReached,
    TransitionNotDue,
)
from openpo.catalog.models import Campaign, Variant
from openpo.core.audit import audit_event
from openpo.hooks import events as hook_events
from openpo.messaging import events as message_events

S = Campaign.Status

# action → (statuses it may leave, status it reaches), the likeliest next step first
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({S.DRAFT}), S.SCHEDULED),
    "open": (frozenset({S.SCHEDULED}), S.OPEN),
    "close": (frozenset({S.SCHEDULED, S.OPEN}), S.CLOSED),
    "start_production": (frozenset({S.CLOSED}), S.PRODUCING),
    "reopen": (frozenset({S.CLOSED}), S.OPEN),
    "fail": (frozenset({S.CLOSED}), S.FAILED),
    "start_shipping": (frozenset({S.PRODUCING}), S.SHIPPING),
    "complete": (frozenset({S.SHIPPING}), S.COMPLETED),
    "cancel": (frozenset({S.DRAFT, S.SCHEDULED, S.OPEN, S.CLOSED}), S.CANCELLED),
}

# The steps a seller takes by hand, each with the phases that allow it: the statuses its
# transition leaves, except that closing by hand needs a PO taking orders (a scheduled one is
# closed by the clock only). Publishing belongs to the editor (it checks the PO's content);
# opening, and closing at the closing time, to the clock (`advance_campaign`).
SELLER_STEPS: dict[str, frozenset[str]] = {
    step: frozenset({S.OPEN}) if step == "close" else sources
    for step, (sources, _target) in TRANSITIONS.items()
    if step not in ("publish", "open")
}


def _transition(
    campaign: Campaign,
    action: str,
    *,
    now: datetime,
    actor: AbstractBaseUser | None,
    data: dict | None = None,
    **fields: object,
) -> Campaign:
    sources, target = TRANSITIONS[action]
    if campaign.status not in sources:
        raise InvalidTransition(
            current=Campaign.Status(campaign.status).label, target=Campaign.Status(target).label
        )
    with transaction.atomic():
        moved = Campaign.objects.filter(pk=campaign.pk, status=campaign.status).update(
            status=target, updated_at=now, **fields
        )
        if not moved:
            # Someone else moved it first; report what it is now.
            campaign.refresh_from_db(fields=["status"])
            raise InvalidTransition(
                current=Campaign.Status(campaign.status).label,
                target=Campaign.Status(target).label,
            )
        previous = campaign.status
        campaign.status = target
        for name, value in fields.items():
            setattr(campaign, name, value)
        if target in (S.FAILED, S.CANCELLED):
            _stop_asking_for_money(campaign)
        audit_event(
            action=f"campaign.{action}",
            subject=campaign,
            shop_id=campaign.shop_id,
            actor=actor,
            actor_label="" if actor else "system",
            at=now,
            data={"from": previous, "to": target, **(data or {})},
        )
        message_events.campaign_transition(campaign, action, now)
        hook_events.campaign_transition(campaign, action, now)
    return campaign


def _stop_asking_for_money(campaign: Campaign) -> None:
    """A PO that will not go ahead asks its buyers for no more money: the open payment requests
    of its orders (a DP's settlement, an unpaid order's transfer) are void, so no reminder,
    statement match or payment page asks for them; what was paid is refunded instead."""
    from openpo.payments.models import ExpectedPayment  # payments builds on the catalog

    ExpectedPayment.objects.filter(
        order__campaign=campaign, status=ExpectedPayment.Status.OPEN
    ).update(status=ExpectedPayment.Status.VOID)


def units_ordered(campaign: Campaign) -> int:
    """Units held by live orders right now (fresh from the database)."""
    return Campaign.objects.values_list("reserved_units", flat=True).get(pk=campaign.pk)


def minimum_reached(campaign: Campaign, units: int) -> bool:
    """With `units` ordered, the PO may go into production (a PO without a minimum always may);
    below it, it may only fail."""
    return units >= campaign.moq_units


def can_reopen(campaign: Campaign, now: datetime) -> bool:
    """A PO closed early or sold out may take orders again until its closing time; one closed
    by the clock may not."""
    return (
        campaign.status == S.CLOSED
        and campaign.close_reason != Campaign.CloseReason.TIME
        and now < campaign.closes_at
    )


def phase_allows(campaign: Campaign, step: str, now: datetime) -> bool:
    """Whether a seller may try `step` on `campaign` in the phase it is in at `now` (the
    service may still refuse it: below the minimum order, past the closing time)."""
    return campaign.phase(now) in SELLER_STEPS.get(step, ())


def allowed_steps(campaign: Campaign, now: datetime, *, units: int | None = None) -> list[str]:
    """The steps a seller may take on `campaign` at `now`, in the order to offer them: those its
    phase allows, less those the service would refuse (`units` ordered, read if not given)."""
    steps = [step for step in SELLER_STEPS if phase_allows(campaign, step, now)]
    if {"start_production", "fail"} & set(steps):
        reached = minimum_reached(campaign, units_ordered(campaign) if units is None else units)
    else:
        reached = True
    refused = {
        "start_production": not reached,
        "reopen": not can_reopen(campaign, now),
        "fail": reached,
    }
    return [step for step in steps if not refused.get(step, False)]


def publish_campaign(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Publish a draft: it needs something to sell and a closing time still ahead."""
    now = now or timezone.now()
    if campaign.status == S.DRAFT:
        errors: dict[str, list] = {}
        if not Variant.objects.filter(campaign=campaign, is_active=True).exists():
            errors["products"] = [_("Add at least one product with a price before publishing.")]
        if campaign.closes_at <= now:
            errors["closes_at"] = [_("The closing time has already passed.")]
        if errors:
            raise InvalidCampaign(field_errors=errors)
    campaign = _transition(campaign, "publish", now=now, actor=actor, published_at=now)
    return advance_campaign(campaign=campaign, now=now)


def open_campaign(*, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Open a scheduled PO once its opening time has come."""
    now = now or timezone.now()
    if campaign.status == S.SCHEDULED and now < campaign.opens_at:
        raise TransitionNotDue()
    return _transition(campaign, "open", now=now, actor=None)


def close_campaign(
    *,
    campaign: Campaign,
    reason: str = Campaign.CloseReason.EARLY,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Close a PO: on time, early by the seller (only while it is open), or when sold out."""
    now = now or timezone.now()
    phase = campaign.phase(now)
    if reason == Campaign.CloseReason.TIME and phase != S.CLOSED:
        raise TransitionNotDue()
    if reason in (Campaign.CloseReason.EARLY, Campaign.CloseReason.SOLD_OUT) and phase != S.OPEN:
        raise InvalidTransition(current=Campaign.Status(phase).label, target=S.CLOSED.label)
    return _transition(
        campaign,
        "close",
        now=now,
        actor=actor,
        data={"reason": reason},
        close_reason=reason,
        closed_at=now,
    )


def reopen_campaign(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Reopen a PO that closed early or sold out (e.g. after unpaid orders freed slots)."""
    now = now or timezone.now()
    if campaign.status == S.CLOSED and not can_reopen(campaign, now):
        raise InvalidTransition(current=S.CLOSED.label, target=S.OPEN.label)
    return _transition(campaign, "reopen", now=now, actor=actor, close_reason="", closed_at=None)


def reopen_if_slots_freed(*, campaign_id: int, now: datetime | None = None) -> bool:
    """Reopen a PO that closed because it sold out, once a cancelled or expired order gave
    units back and its closing time is still ahead: the freed slot is for the next buyer, as
    sellers announce it ("slot dibuka lagi"). True if this call reopened it."""
    now = now or timezone.now()
    campaign = Campaign.objects.filter(
        pk=campaign_id, status=S.CLOSED, close_reason=Campaign.CloseReason.SOLD_OUT
    ).first()
    if campaign is None or not can_reopen(campaign, now) or is_sold_out(campaign):
        return False
    try:
        reopen_campaign(campaign=campaign, now=now)
    except InvalidTransition:
        return False  # another release reopened it a moment earlier
    return True


def is_sold_out(campaign: Campaign) -> bool:
    """True when the cap is reached, or every active variant is limited and full."""
    if Campaign.objects.filter(
        pk=campaign.pk, unit_cap__isnull=False, reserved_units__gte=F("unit_cap")
    ).exists():
        return True
    variants = Variant.objects.filter(campaign=campaign, is_active=True)
    available = variants.filter(Q(quota__isnull=True) | Q(reserved_units__lt=F("quota")))
    return variants.exists() and not available.exists()


def close_if_sold_out(*, campaign: Campaign, now: datetime | None = None) -> bool:
    """Close an open PO the moment nothing is left to sell; True if this call closed it."""
    now = now or timezone.now()
    if not campaign.is_open(now) or not is_sold_out(campaign):
        return False
    try:
        close_campaign(campaign=campaign, reason=Campaign.CloseReason.SOLD_OUT, now=now)
    except InvalidTransition:
        return False  # another buyer's request closed it a moment earlier
    return True


def fail_campaign(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Mark a closed PO as failed; only when its minimum order was not reached."""
    now = now or timezone.now()
    units = units_ordered(campaign)
    if campaign.status == S.CLOSED and minimum_reached(campaign, units):
        raise MinimumReached(moq=campaign.moq_units, units=units)
    return _transition(
        campaign, "fail", now=now, actor=actor, data={"units": units, "moq": campaign.moq_units}
    )


def start_production(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Start producing a closed PO whose minimum order was reached."""
    now = now or timezone.now()
    units = units_ordered(campaign)
    if campaign.status == S.CLOSED and not minimum_reached(campaign, units):
        raise MinimumNotReached(moq=campaign.moq_units, units=units)
    return _transition(
        campaign,
        "start_production",
        now=now,
        actor=actor,
        data={"units": units},
        production_started_at=now,
    )


def start_shipping(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Production is done; orders are being sent out."""
    return _transition(campaign, "start_shipping", now=now or timezone.now(), actor=actor)


def complete_campaign(
    *, campaign: Campaign, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> Campaign:
    """Everything is shipped; the PO is history."""
    return _transition(campaign, "complete", now=now or timezone.now(), actor=actor)


def cancel_campaign(
    *,
    campaign: Campaign,
    reason: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Cancel a PO before production starts."""
    return _transition(
        campaign, "cancel", now=now or timezone.now(), actor=actor, data={"reason": reason}
    )


def advance_campaign(*, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Apply the transitions that time has made due: open, close, and fail a missed minimum.

    Idempotent, and safe when several workers run it at once. Correctness never waits for it:
    `Campaign.phase(now)` already answers with the status that holds at `now`.
    """
    now = now or timezone.now()
    phase = campaign.phase(now)
    try:
        if campaign.status == S.SCHEDULED and phase == S.OPEN:
            campaign = open_campaign(campaign=campaign, now=now)
        if campaign.status in (S.SCHEDULED, S.OPEN) and phase == S.CLOSED:
            campaign = close_campaign(campaign=campaign, reason=Campaign.CloseReason.TIME, now=now)
        if (
            campaign.status == S.CLOSED
            and now >= campaign.closes_at
            and campaign.moq_units
            and not minimum_reached(campaign, units_ordered(campaign))
        ):
            campaign = fail_campaign(campaign=campaign, now=now)
    except InvalidTransition:
        campaign.refresh_from_db()
    return campaign
