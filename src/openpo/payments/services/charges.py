"""Extra charges after a PO closed (the second invoice, "tagihan ongkir"): cargo, shipping by
weight or import tax, added to one order or to many of a PO at once.

Each charge raises the order's `extra_charges` and `total` under the order's row lock and opens
an expected payment of kind "extra" with its own label, unique amount (kode unik) and deadline,
so a transfer of it is matched by bank statements, claimed with a proof and confirmed in the
verification queue like any payment; when it is paid the order is paid again
(`recording.settle_order`). An order that no longer goes ahead takes no charge. Cancelling an
unpaid charge, with a reason, lowers the total back.

Many charges come as rows (`charges_file.ChargeLine`: an order code and an amount, or a weight
in grams priced per kilogram by the order's shipping zone). `plan_extra_charges` checks every
row and names each bad one; `add_extra_charges` checks them again and applies all of them in
one transaction, or none.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.catalog.permissions import require_owner
from openpo.core.audit import audit_event
from openpo.core.money import MAX_AMOUNT, format_rupiah
from openpo.messaging import events as message_events
from openpo.orders.models import Order
from openpo.payments.balances import goes_ahead
from openpo.payments.charges_file import ChargeLine
from openpo.payments.errors import ChargeNotCancellable, InvalidCharge
from openpo.payments.models import ExpectedPayment, Payment
from openpo.payments.services.recording import MAX_CODE_ATTEMPTS, _locked, settle_order
from openpo.payments.unique_codes import NoFreeUniqueCode, draw_unique_code
from openpo.payments.zones import ZONES, billable_kilograms, zone_label, zone_of

# A PO takes extra charges once it has closed: before that the buyer's total is still moving.
CHARGEABLE = (
    Campaign.Status.CLOSED,
    Campaign.Status.PRODUCING,
    Campaign.Status.SHIPPING,
    Campaign.Status.COMPLETED,
)
MAX_LABEL = 100
MAX_REASON = 500
MAX_GRAMS = 1_000_000  # one tonne per order is surely a typo


@dataclass(frozen=True)
class PlannedCharge:
    """One row of a plan: the order it charges and how much (and, by weight, how it was
    priced)."""

    row: int
    order: Order
    amount: int
    grams: int | None = None
    kilograms: int | None = None
    zone: str | None = None
    rate: int | None = None

    @property
    def zone_label(self) -> str:
        return zone_label(self.zone) if self.zone else ""


def due_at_end_of(day: date, order_or_shop) -> datetime:
    """A deadline given as a day: 23:59 of it in the shop's time zone."""
    shop = getattr(order_or_shop, "shop", order_or_shop)
    return timezone.make_aware(datetime.combine(day, time(23, 59)), shop.tzinfo)


def _clean_label(label: str, field: str = "label") -> str:
    label = " ".join((label or "").split())
    if not label:
        raise InvalidCharge(
            _("Say what the charge is for."),
            field_errors={field: [_("Say what the charge is for, e.g. Ongkir or Pajak impor.")]},
        )
    if len(label) > MAX_LABEL:
        message = _("At most %(limit)s characters.") % {"limit": MAX_LABEL}
        raise InvalidCharge(message, field_errors={field: [message]})
    return label


def _check_due(due_at: datetime, now: datetime) -> None:
    if due_at <= now:
        message = _("The deadline must be in the future.")
        raise InvalidCharge(message, field_errors={"due_on": [message]})


def _amount_problem(amount: int) -> str | None:
    if amount < 1:
        return str(_("the amount must be at least Rp 1"))
    if amount > MAX_AMOUNT:
        return str(_("the amount is more than %(max)s; check the number of digits")) % {
            "max": format_rupiah(MAX_AMOUNT)
        }
    return None


def _order_problem(order: Order, campaign: Campaign, now: datetime, amount: int = 0) -> str | None:
    if order.campaign_id != campaign.pk:
        return str(_("order %(code)s belongs to another PO")) % {"code": order.code}
    if not goes_ahead(order):
        return str(_("order %(code)s no longer goes ahead (%(why)s)")) % {
            "code": order.code,
            "why": order.get_status_display()
            if order.status != Order.Status.ACTIVE
            else campaign.get_status_display(),
        }
    if campaign.phase(now) not in CHARGEABLE:
        return str(_("the PO has not closed yet"))
    if order.total + amount > MAX_AMOUNT:
        return str(_("order %(code)s's total would pass %(max)s")) % {
            "code": order.code,
            "max": format_rupiah(MAX_AMOUNT),
        }
    return None


def _refuse(problems: list[str], field: str) -> None:
    if problems:
        raise InvalidCharge(problems[0], field_errors={field: problems})


def plan_extra_charges(
    *,
    campaign: Campaign,
    lines: Iterable[ChargeLine],
    rates: Mapping[str, int] | None = None,
    field: str = "file",
    now: datetime | None = None,
) -> list[PlannedCharge]:
    """Check rows of (order code, amount), or with `rates` (rupiah per kg per zone) rows of
    (order code, weight in grams), against the PO's orders; the charges they make. Raises
    InvalidCharge listing every bad row (under `field`)."""
    now = now or timezone.now()
    if campaign.phase(now) not in CHARGEABLE:
        message = _("Extra charges are added once the PO has closed.")
        raise InvalidCharge(message, field_errors={field: [message]})
    # Order codes as buyers and spreadsheets type them: any case, stray spaces.
    lines = [replace(line, code=line.code.strip().upper()) for line in lines]
    orders = {
        order.code.upper(): order
        for order in Order.objects.filter(
            shop_id=campaign.shop_id, code__in={line.code for line in lines}
        ).select_related("campaign", "shop")
    }
    problems: list[str] = []
    seen: dict[str, int] = {}
    planned: list[PlannedCharge] = []
    for line in lines:

        def bad(text: str, line: ChargeLine = line) -> None:
            problems.append(
                str(_("Row %(row)s: %(problem)s.")) % {"row": line.row, "problem": text}
            )

        if line.code in seen:
            bad(
                str(_("order %(code)s is already on row %(first)s"))
                % {"code": line.code, "first": seen[line.code]}
            )
            continue
        seen[line.code] = line.row
        order = orders.get(line.code)
        if order is None:
            bad(str(_("no order with the code %(code)s in this shop")) % {"code": line.code})
            continue
        if problem := _order_problem(order, campaign, now):
            bad(problem)
            continue
        if rates is None:
            if problem := _amount_problem(line.value):
                bad(problem)
                continue
            if problem := _order_problem(order, campaign, now, line.value):
                bad(problem)
                continue
            planned.append(PlannedCharge(row=line.row, order=order, amount=line.value))
            continue
        if line.value < 1 or line.value > MAX_GRAMS:
            bad(str(_("the weight must be between 1 and %(max)s grams")) % {"max": MAX_GRAMS})
            continue
        zone = zone_of(order.province)
        if zone is None:
            bad(
                str(_("order %(code)s's province “%(province)s” is in no shipping zone"))
                % {"code": order.code, "province": order.province or "-"}
            )
            continue
        rate = rates.get(zone)
        if not rate:
            bad(
                str(_("no rate per kg for %(zone)s, where order %(code)s goes"))
                % {"zone": zone_label(zone), "code": order.code}
            )
            continue
        kilograms = billable_kilograms(line.value)
        amount = kilograms * rate
        if problem := _amount_problem(amount) or _order_problem(order, campaign, now, amount):
            bad(problem)
            continue
        planned.append(
            PlannedCharge(
                row=line.row,
                order=order,
                amount=amount,
                grams=line.value,
                kilograms=kilograms,
                zone=zone,
                rate=rate,
            )
        )
    _refuse(problems, field)
    return planned


def _check_rates(rates: Mapping[str, int] | None) -> None:
    if rates is None:
        return
    problems = {}
    for zone, rate in rates.items():
        if zone not in ZONES:
            raise InvalidCharge(_("Unknown shipping zone %(zone)s."), zone=zone)
        if rate is not None and (rate < 0 or rate > MAX_AMOUNT):
            problems[f"rate_{zone}"] = [_("Enter a rate between Rp 0 and Rp 1.000.000.000.")]
    if problems:
        raise InvalidCharge(field_errors=problems)


def _open_charge(
    *, order: Order, amount: int, label: str, due_at: datetime, now: datetime
) -> ExpectedPayment:
    """Under the order's lock: raise its total and open the charge's expected payment."""
    for _attempt in range(MAX_CODE_ATTEMPTS):
        try:
            code = draw_unique_code(shop_id=order.shop_id, base_amount=amount)
        except NoFreeUniqueCode:
            break
        try:
            with transaction.atomic():
                expected = ExpectedPayment.objects.create(
                    shop_id=order.shop_id,
                    order=order,
                    kind=ExpectedPayment.Kind.EXTRA,
                    label=label,
                    base_amount=amount,
                    unique_code=code,
                    amount=amount + code,
                    due_at=due_at,
                    created_at=now,
                )
        except IntegrityError:
            continue  # a concurrent payment took this amount: draw again
        break
    else:
        expected = None
    if expected is None:
        raise InvalidCharge(
            _(
                "No unique amount is free for %(amount)s on order %(code)s; try a slightly "
                "different amount."
            ),
            amount=format_rupiah(amount),
            code=order.code,
        )
    Order.objects.filter(pk=order.pk).update(
        extra_charges=F("extra_charges") + amount, total=F("total") + amount, updated_at=now
    )
    order.refresh_from_db(fields=["extra_charges", "total", "updated_at"])
    settle_order(order=order, now=now)
    return expected


def _audit_added(expected: ExpectedPayment, order: Order, actor, now: datetime, **data) -> None:
    audit_event(
        action="payment.extra_charge_added",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        actor_label="" if actor else "system",
        at=now,
        data={
            "charge": expected.pk,
            "label": expected.label,
            "amount": expected.base_amount,
            "due_at": expected.due_at.isoformat(),
            **data,
        },
    )


@transaction.atomic
def add_extra_charge(
    *,
    order: Order,
    amount: int,
    label: str,
    due_at: datetime,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ExpectedPayment:
    """Charge one order `amount` more for `label` (e.g. "Ongkir"), due by `due_at`: the order
    owes it on top of its total, with its own unique amount; the buyer is told. Owners only."""
    now = now or timezone.now()
    require_owner(order.shop_id, actor)
    label = _clean_label(label)
    _check_due(due_at, now)
    if problem := _amount_problem(amount):
        raise InvalidCharge(problem.capitalize() + ".", field_errors={"amount": [problem]})
    order = _locked(order)
    if problem := _order_problem(order, order.campaign, now, amount):
        raise InvalidCharge(problem[:1].upper() + problem[1:] + ".")
    expected = _open_charge(order=order, amount=amount, label=label, due_at=due_at, now=now)
    _audit_added(expected, order, actor, now)
    message_events.extra_charge(expected, now)
    return expected


@transaction.atomic
def add_extra_charges(
    *,
    campaign: Campaign,
    lines: Iterable[ChargeLine],
    label: str,
    due_at: datetime,
    rates: Mapping[str, int] | None = None,
    field: str = "file",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> list[ExpectedPayment]:
    """Charge many orders of one PO at once (rows of code and amount, or of code and weight
    priced by `rates` per zone): every row is checked first, and all are added or none."""
    now = now or timezone.now()
    require_owner(campaign.shop_id, actor)
    label = _clean_label(label)
    _check_due(due_at, now)
    _check_rates(rates)
    lines = list(lines)
    plan = plan_extra_charges(campaign=campaign, lines=lines, rates=rates, field=field, now=now)
    opened = []
    # Lock in a fixed order (by id) so two imports over the same orders cannot deadlock.
    for planned in sorted(plan, key=lambda p: p.order.pk):
        order = _locked(planned.order)
        if problem := _order_problem(order, campaign, now, planned.amount):
            _refuse(
                [str(_("Row %(row)s: %(problem)s.")) % {"row": planned.row, "problem": problem}],
                field,
            )
        expected = _open_charge(
            order=order, amount=planned.amount, label=label, due_at=due_at, now=now
        )
        extra = {"grams": planned.grams, "zone": planned.zone} if planned.grams else {}
        _audit_added(expected, order, actor, now, **extra)
        opened.append(expected)
    for expected in opened:
        message_events.extra_charge(expected, now)
    return opened


@transaction.atomic
def cancel_extra_charge(
    *,
    charge: ExpectedPayment,
    reason: str,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> ExpectedPayment:
    """Cancel an extra charge the buyer has not paid (nor sent a proof for): it is no longer
    due and the order's total goes back down. Owners only; the reason is kept in the audit."""
    now = now or timezone.now()
    require_owner(charge.shop_id, actor)
    reason = " ".join((reason or "").split())
    if not reason:
        message = _("Say why the charge is cancelled.")
        raise InvalidCharge(message, field_errors={"reason": [message]})
    if len(reason) > MAX_REASON:
        message = _("At most %(limit)s characters.") % {"limit": MAX_REASON}
        raise InvalidCharge(message, field_errors={"reason": [message]})
    order = _locked(charge.order)
    charge = ExpectedPayment.objects.get(pk=charge.pk)
    if charge.kind != ExpectedPayment.Kind.EXTRA or charge.status != ExpectedPayment.Status.OPEN:
        raise ChargeNotCancellable()
    if Payment.objects.filter(expected_payment=charge, status=Payment.Status.CLAIMED).exists():
        raise ChargeNotCancellable(
            _("The buyer sent a proof for this charge: confirm or reject it first.")
        )
    ExpectedPayment.objects.filter(pk=charge.pk).update(status=ExpectedPayment.Status.VOID)
    charge.status = ExpectedPayment.Status.VOID
    Order.objects.filter(pk=order.pk).update(
        extra_charges=F("extra_charges") - charge.base_amount,
        total=F("total") - charge.base_amount,
        updated_at=now,
    )
    order.refresh_from_db(fields=["extra_charges", "total", "updated_at"])
    settle_order(order=order, now=now)
    audit_event(
        action="payment.extra_charge_cancelled",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        actor_label="" if actor else "system",
        at=now,
        data={
            "charge": charge.pk,
            "label": charge.label,
            "amount": charge.base_amount,
            "reason": reason,
        },
    )
    return charge


def extra_charges_of(order: Order) -> list[ExpectedPayment]:
    """The order's extra charges, oldest first (a read for the pages)."""
    return list(order.expected_payments.filter(kind=ExpectedPayment.Kind.EXTRA))
