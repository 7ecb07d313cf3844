"""A PO's settings after it was created, and publishing it: edits never break live orders (no
cap below the units already ordered, no new payment policy once orders exist, no moving the
opening of a PO that opened), and counters kept by the order path (`reserved_units`,
`early_bird_units_sold`) are never written here: every update names the fields it changes.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Campaign
from openpo.catalog.services.lifecycle import publish_campaign
from openpo.catalog.services.setup import (
    SETTING_FIELDS,
    campaign_settings_errors,
    normalized_settings,
    require_editable,
)
from openpo.core.audit import audit_event

S = Campaign.Status


def _has_orders(campaign: Campaign) -> bool:
    return campaign.orders.exists()


@transaction.atomic
def update_campaign(
    *,
    campaign: Campaign,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
    slug: str | None = None,
    **changes: object,
) -> Campaign:
    """Change a PO's settings while it is a draft, scheduled or open, without breaking the
    orders it already holds."""
    now = now or timezone.now()
    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"update_campaign() got unknown settings {sorted(unknown)}")
    # Lock the row: the order path reserves units on it, and we compare against them.
    locked = Campaign.objects.select_for_update().select_related("shop").get(pk=campaign.pk)
    require_editable(locked)
    current = {field: getattr(locked, field) for field in SETTING_FIELDS}
    for field in ("opens_at", "closes_at", "early_bird_until"):
        # Forms show times to the minute: the same minute is no change (e.g. opened at 19:03:27).
        old, new = current[field], changes.get(field)
        if old is not None and new is not None and new == old.replace(second=0, microsecond=0):
            changes[field] = old
    settings = normalized_settings({**current, **changes})
    errors = campaign_settings_errors(shop=locked.shop, settings=settings)
    changed = {f: v for f, v in settings.items() if v != current[f]}

    if slug is not None and slugify(slug)[:80] != locked.slug:
        if locked.status != S.DRAFT:
            errors["slug"] = [_("The link of a published PO cannot change: buyers have it.")]
        elif not slugify(slug):
            errors["slug"] = [_("Enter a short name for the PO's link.")]
        elif Campaign.objects.filter(shop=locked.shop, slug=slugify(slug)[:80]).exists():
            errors["slug"] = [_("Another PO of this shop already uses this link.")]
        else:
            changed["slug"] = slugify(slug)[:80]

    errors.update(_live_order_errors(locked, changed, now))
    if errors:
        raise InvalidCampaign(field_errors=errors)
    if not changed:
        return locked
    changed["updated_at"] = now
    try:
        with transaction.atomic():
            Campaign.objects.filter(pk=locked.pk).update(**changed)
    except IntegrityError as exc:  # a database invariant the checks above did not foresee
        raise InvalidCampaign() from exc
    audit_event(
        action="campaign.updated",
        subject=locked,
        shop_id=locked.shop_id,
        actor=actor,
        at=now,
        data={"fields": sorted(f for f in changed if f != "updated_at")},
    )
    locked.refresh_from_db()
    return locked


def _live_order_errors(campaign: Campaign, changed: dict, now: datetime) -> dict[str, list]:
    """What `changed` would break in a PO that is published or already holds orders."""
    errors: dict[str, list] = {}
    if campaign.status == S.DRAFT:
        return errors
    has_opened = campaign.status == S.OPEN or campaign.opens_at <= now
    if "opens_at" in changed and has_opened:
        errors["opens_at"] = [_("This PO has already opened; its opening time cannot change.")]
    elif "opens_at" in changed and changed["opens_at"] < now:
        errors["opens_at"] = [_("Choose an opening time that is still ahead, or publish now.")]
    if "closes_at" in changed and changed["closes_at"] <= now:
        errors["closes_at"] = [
            _("Choose a closing time that is still ahead; to stop orders now, close the PO.")
        ]
    cap = changed.get("unit_cap", campaign.unit_cap)
    if "unit_cap" in changed and cap is not None and cap < campaign.reserved_units:
        errors["unit_cap"] = [
            _("%(units)s units are already ordered; the cap cannot be lower.")
            % {"units": campaign.reserved_units}
        ]
    early = changed.get("early_bird_units", campaign.early_bird_units)
    if (
        "early_bird_units" in changed
        and early is not None
        and early < campaign.early_bird_units_sold
    ):
        errors["early_bird_units"] = [
            _("%(units)s units were already sold at the early-bird price.")
            % {"units": campaign.early_bird_units_sold}
        ]
    if {"payment_policy", "deposit_percent"} & set(changed) and _has_orders(campaign):
        errors["payment_policy"] = [
            _("This PO already has orders; its payment policy can no longer change.")
        ]
    return errors


@transaction.atomic
def publish_now(
    *,
    campaign: Campaign,
    open_now: bool = False,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Publish a draft: it opens at its opening time (scheduled), or right now with `open_now`
    (the opening time becomes now). Refused without an active variant to sell."""
    now = now or timezone.now()
    if open_now and campaign.status == S.DRAFT and campaign.opens_at > now:
        Campaign.objects.filter(pk=campaign.pk).update(opens_at=now, updated_at=now)
        campaign.opens_at = now
        audit_event(
            action="campaign.opened_now",
            subject=campaign,
            shop_id=campaign.shop_id,
            actor=actor,
            at=now,
        )
    return publish_campaign(campaign=campaign, actor=actor, now=now)


def default_timeline(now: datetime, tz) -> dict[str, object]:
    """Prefilled dates for a new PO: opens today at 19:00 (tomorrow when that is less than an
    hour away), closes five days later at 21:00, production the next day, shipping two weeks
    after closing."""
    local = timezone.localtime(now, tz)
    opens_day = local.date() if local.hour < 18 else local.date() + timedelta(days=1)
    opens_at = datetime.combine(opens_day, time(19, 0), tzinfo=tz)
    closes_day = opens_day + timedelta(days=5)
    return {
        "opens_at": opens_at,
        "closes_at": datetime.combine(closes_day, time(21, 0), tzinfo=tz),
        "production_starts_on": closes_day + timedelta(days=1),
        "ships_on": closes_day + timedelta(days=14),
    }
