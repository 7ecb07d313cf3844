"""A PO's settings: creating a draft whose timeline and payment policy make sense, changing
them afterwards without breaking live orders (no cap below the units already ordered, no new
payment policy once orders exist, no moving the opening of a PO that opened), and publishing
it. Counters kept by the order path (`reserved_units`, `early_bird_units_sold`) are never
written here: every update names the fields it changes.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Campaign, Shop
from openpo.catalog.services.lifecycle import publish_campaign
from openpo.core.audit import audit_event
from openpo.core.money import amount_problem, count_problem

S = Campaign.Status
# A campaign's details can change until it closes; after that they are history.
EDITABLE_STATUSES = {S.DRAFT, S.SCHEDULED, S.OPEN}


def _timeline_errors(
    *,
    opens_at: datetime,
    closes_at: datetime,
    production_starts_on: date | None,
    ships_on: date | None,
    tz,
) -> dict[str, list]:
    errors: dict[str, list] = {}
    if closes_at <= opens_at:
        errors["closes_at"] = [_("The PO must close after it opens.")]
    close_day = timezone.localtime(closes_at, tz).date()
    if production_starts_on and production_starts_on < close_day:
        errors["production_starts_on"] = [_("Production cannot start before the PO closes.")]
    if ships_on and ships_on < (production_starts_on or close_day):
        errors["ships_on"] = [_("Shipping cannot start before production.")]
    return errors


def _early_bird_errors(
    until: datetime | None, units: int | None, opens_at: datetime, closes_at: datetime
) -> dict[str, list]:
    errors: dict[str, list] = {}
    if until is not None and not opens_at < until <= closes_at:
        errors["early_bird_until"] = [
            _("The early-bird price must end after the PO opens and no later than it closes.")
        ]
    if units is not None and units < 1:
        errors["early_bird_units"] = [_("Enter at least 1 unit, or leave it empty.")]
    return errors


# The settings of a campaign that `create_campaign` takes and `update_campaign` changes.
SETTING_FIELDS = (
    "title",
    "description",
    "opens_at",
    "closes_at",
    "production_starts_on",
    "ships_on",
    "moq_units",
    "unit_cap",
    "max_units_per_order",
    "payment_policy",
    "deposit_percent",
    "settlement_due_on",
    "payment_window_hours",
    "shipping_fee",
    "terms",
    "early_bird_until",
    "early_bird_units",
)


def normalized_settings(settings: dict) -> dict:
    """`settings` tidied: text stripped; no DP percentage or settlement date under full payment."""
    settings = dict(settings)
    for field in ("title", "terms"):
        if field in settings:
            settings[field] = (settings[field] or "").strip()
    if settings.get("payment_policy") == Campaign.PaymentPolicy.FULL:
        settings["deposit_percent"] = None
        settings["settlement_due_on"] = None
    return settings


def campaign_settings_errors(*, shop: Shop, settings: dict) -> dict[str, list]:
    """Per-field problems of a campaign's settings (every key of SETTING_FIELDS present)."""
    errors = _timeline_errors(
        opens_at=settings["opens_at"],
        closes_at=settings["closes_at"],
        production_starts_on=settings["production_starts_on"],
        ships_on=settings["ships_on"],
        tz=shop.tzinfo,
    )
    if not settings["title"]:
        errors["title"] = [_("Enter a title for the PO.")]
    policy = settings["payment_policy"]
    if policy == Campaign.PaymentPolicy.DEPOSIT:
        percent = settings["deposit_percent"]
        if percent is None or not 1 <= percent <= 99:
            errors["deposit_percent"] = [_("A down payment is between 1 and 99 percent.")]
        settle = settings["settlement_due_on"]
        close_day = timezone.localtime(settings["closes_at"], shop.tzinfo).date()
        if settle is not None and settle < close_day:
            errors["settlement_due_on"] = [_("The settlement cannot be due before the PO closes.")]
    elif policy != Campaign.PaymentPolicy.FULL:
        errors["payment_policy"] = [_("Choose full payment or a down payment.")]
    for field in ("moq_units", "shipping_fee"):
        if settings[field] < 0:
            errors[field] = [_("This cannot be negative.")]
    for field in ("unit_cap", "max_units_per_order", "payment_window_hours"):
        value = settings[field]
        if value is not None and value < 1:
            errors[field] = [_("Enter at least 1, or leave it empty.")]
    for field in ("moq_units", "unit_cap", "max_units_per_order", "payment_window_hours"):
        if problem := count_problem(settings[field]):
            errors[field] = [problem]
    if problem := count_problem(settings["early_bird_units"]):
        errors["early_bird_units"] = [problem]
    if problem := amount_problem(settings["shipping_fee"]):
        errors["shipping_fee"] = [problem]
    errors.update(
        _early_bird_errors(
            settings["early_bird_until"],
            settings["early_bird_units"],
            settings["opens_at"],
            settings["closes_at"],
        )
    )
    return errors


@transaction.atomic
def create_campaign(
    *,
    shop: Shop,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    slug: str = "",
    description: str = "",
    production_starts_on: date | None = None,
    ships_on: date | None = None,
    moq_units: int = 0,
    unit_cap: int | None = None,
    max_units_per_order: int | None = None,
    payment_policy: str = Campaign.PaymentPolicy.FULL,
    deposit_percent: int | None = None,
    settlement_due_on: date | None = None,
    payment_window_hours: int | None = None,
    shipping_fee: int = 0,
    terms: str = "",
    early_bird_until: datetime | None = None,
    early_bird_units: int | None = None,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Create a draft campaign whose timeline and payment policy make sense."""
    now = now or timezone.now()
    settings = normalized_settings(
        {
            "title": title,
            "description": description,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "production_starts_on": production_starts_on,
            "ships_on": ships_on,
            "moq_units": moq_units,
            "unit_cap": unit_cap,
            "max_units_per_order": max_units_per_order,
            "payment_policy": payment_policy,
            "deposit_percent": deposit_percent,
            "settlement_due_on": settlement_due_on,
            "payment_window_hours": payment_window_hours,
            "shipping_fee": shipping_fee,
            "terms": terms,
            "early_bird_until": early_bird_until,
            "early_bird_units": early_bird_units,
        }
    )
    errors = campaign_settings_errors(shop=shop, settings=settings)
    if slug:
        slug = slugify(slug)[:80]
        if not slug:
            errors["slug"] = [_("Enter a short name for the PO's link.")]
        elif Campaign.objects.filter(shop=shop, slug=slug).exists():
            errors["slug"] = [_("Another PO of this shop already uses this link.")]
    elif settings["title"]:
        slug = free_campaign_slug(shop, slugify(settings["title"])[:72] or "po")
    if errors:
        raise InvalidCampaign(field_errors=errors)
    settings["payment_window_hours"] = (
        settings["payment_window_hours"] or shop.default_payment_window_hours
    )
    campaign = Campaign.objects.create(
        created_at=now, updated_at=now, shop=shop, slug=slug, **settings
    )
    audit_event(
        action="campaign.created",
        subject=campaign,
        shop_id=shop.pk,
        actor=actor,
        at=now,
        data={"title": campaign.title},
    )
    return campaign


def free_campaign_slug(shop: Shop, base: str) -> str:
    """`base`, or `base-2`, `base-3`, … whichever this shop does not use yet."""
    taken = set(
        Campaign.objects.filter(shop=shop, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def require_editable(campaign: Campaign) -> None:
    """Refuse changes to a PO that has closed: its details are history."""
    if campaign.status not in EDITABLE_STATUSES:
        raise InvalidCampaign(_("A PO that has closed can no longer be changed."))


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
