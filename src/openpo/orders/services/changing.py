"""Changing a placed order from the dashboard: the buyer's details, the items (within the
quota, never overselling), and internal notes for the shop's team.

Changing items follows `placing`'s rules for the contended rows: the order row is locked first
(so two edits of one order queue), every write of the order is done before the quota rows, and
the variants (in id order) and then the campaign counter are updated last with one conditional
UPDATE each, so a change can never push a variant past its quota or the PO past its cap.
"""

from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign, Variant
from openpo.catalog.services import close_if_sold_out
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.core.money import percent_of
from openpo.orders.errors import InvalidOrder, SoldOut
from openpo.orders.models import Customer, Order, OrderLine, OrderNote
from openpo.orders.services.placing import MAX_UNITS_PER_LINE, BuyerDetails, _clean_buyer
from openpo.payments.services.recording import settle_order

# Phases in which a PO's orders may still change their items: production has not started.
CHANGEABLE_PHASES = {
    Campaign.Status.DRAFT,
    Campaign.Status.SCHEDULED,
    Campaign.Status.OPEN,
    Campaign.Status.CLOSED,
}
MAX_NOTE_LENGTH = 2000
MAX_CODE_ATTEMPTS = 8


class OrderNotChangeable(DomainError):
    code = "not_changeable"
    http_status = 409
    default_message = _("Only an active order can be changed.")
    in_production = _("The items can no longer change: this PO is already in production.")


@transaction.atomic
def update_buyer_details(
    *,
    order: Order,
    buyer: BuyerDetails,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Order:
    """Correct the buyer's name, number and address on an order, cleaned like a new order's;
    the order moves to the customer with the (new) number."""
    now = now or timezone.now()
    errors: dict[str, list] = {}
    cleaned, phone = _clean_buyer(buyer, errors)
    if errors:
        raise InvalidOrder(field_errors=errors)
    fields = {
        "buyer_name": cleaned.name,
        "buyer_phone": phone,
        "buyer_email": cleaned.email,
        "address": cleaned.address,
        "city": cleaned.city,
        "province": cleaned.province,
        "postal_code": cleaned.postal_code,
        "notes": cleaned.notes,
    }
    changed = [name for name, value in fields.items() if getattr(order, name) != value]
    if not changed:
        return order
    customer, created = Customer.objects.get_or_create(
        shop_id=order.shop_id,
        phone=phone,
        defaults={
            "name": cleaned.name,
            "email": cleaned.email,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        customer.name = cleaned.name
        customer.email = cleaned.email or customer.email
        customer.updated_at = now
        customer.save(update_fields=["name", "email", "updated_at"])
    for name, value in fields.items():
        setattr(order, name, value)
    if order.customer_id != customer.pk:  # the buyer who lost the order changed too (insights)
        Customer.objects.filter(pk=order.customer_id).update(updated_at=now)
    order.customer = customer
    order.updated_at = now
    order.save(update_fields=[*fields, "customer", "updated_at"])
    audit_event(
        action="order.buyer_updated",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        at=now,
        data={"changed": changed},
    )
    return order


def _clean_quantities(items: Mapping[int, int]) -> dict[int, int]:
    quantities: dict[int, int] = {}
    for variant_id, quantity in items.items():
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise InvalidOrder(field_errors={"items": [_("Quantities must be whole numbers.")]})
        if quantity > MAX_UNITS_PER_LINE:
            raise InvalidOrder(field_errors={"items": [_("That quantity is too large.")]})
        quantities[int(variant_id)] = quantities.get(int(variant_id), 0) + quantity
    return quantities


def _new_line_price(variant: Variant, campaign: Campaign, now: datetime) -> int:
    # An early bird counted in units is never handed out by an edit (those units are counted
    # at checkout); a date-only early bird applies while it is on.
    if campaign.early_bird_units is not None:
        return variant.price
    return variant.price_at(campaign, now)


def _raise_short(variant: Variant, quantity: int) -> None:
    variant.refresh_from_db(fields=["reserved_units", "quota"])
    left = variant.units_left or 0
    if left:
        raise SoldOut(SoldOut.not_enough, item=str(variant), left=left)
    raise SoldOut(item=str(variant))


def _move_quota(campaign: Campaign, deltas: dict[int, int], variants: dict[int, Variant]) -> None:
    """Reserve increases and release decreases: variants in id order, then the campaign."""
    for variant_id in sorted(deltas):
        delta = deltas[variant_id]
        rows = Variant.objects.filter(pk=variant_id)
        if delta > 0 and variants[variant_id].quota is not None:
            rows = rows.filter(quota__gte=F("reserved_units") + delta)
        if not rows.update(reserved_units=F("reserved_units") + delta) and delta > 0:
            _raise_short(variants[variant_id], delta)
    net = sum(deltas.values())
    if not net:
        return
    rows = Campaign.objects.filter(pk=campaign.pk)
    if net > 0 and campaign.unit_cap is not None:
        rows = rows.filter(unit_cap__gte=F("reserved_units") + net)
    if not rows.update(reserved_units=F("reserved_units") + net):
        campaign.refresh_from_db(fields=["reserved_units", "unit_cap"])
        left = max((campaign.unit_cap or 0) - campaign.reserved_units, 0)
        raise SoldOut(SoldOut.campaign_full, left=left)


def _write_lines(
    order: Order,
    lines: dict[int, OrderLine],
    quantities: dict[int, int],
    variants: dict[int, Variant],
    campaign: Campaign,
    now: datetime,
) -> None:
    """Delete, update or add the order's lines to match `quantities`."""
    for pk, qty in quantities.items():
        line = lines.get(pk)
        if line and not qty:
            line.delete()
        elif line and qty != line.quantity:
            OrderLine.objects.filter(pk=line.pk).update(quantity=qty)
        elif not line and qty:
            variant = variants[pk]
            OrderLine.objects.create(
                order=order,
                variant=variant,
                product_name=variant.product.name,
                variant_label=variant.label,
                sku=variant.sku,
                quantity=qty,
                unit_price=_new_line_price(variant, campaign, now),
            )


def change_order_items(
    *,
    order: Order,
    items: Mapping[int, int],
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Order:
    """Set the order's quantities per variant (0 removes a line, a variant not named keeps its
    quantity) while the order is active and its PO is not in production; increases are
    reserved within quota and cap, decreases released.

    Existing lines keep the price the buyer ordered at; new lines take today's price. If nothing
    was paid yet the transfer amount is drawn again for the new amount; otherwise payments stay
    as they are and the outstanding amount shows the difference. Raises `OrderNotChangeable`,
    `InvalidOrder` or `SoldOut` and then changes nothing.
    """
    now = now or timezone.now()
    quantities = _clean_quantities(items)
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("campaign").get(pk=order.pk)
        campaign = order.campaign
        if order.status != Order.Status.ACTIVE:
            raise OrderNotChangeable()
        if campaign.phase(now) not in CHANGEABLE_PHASES:
            raise OrderNotChangeable(OrderNotChangeable.in_production)
        lines = {line.variant_id: line for line in order.lines.all()}

        def _had(variant_id: int) -> int:
            return lines[variant_id].quantity if variant_id in lines else 0

        for variant_id, line in lines.items():
            quantities.setdefault(variant_id, line.quantity)  # not named: unchanged
        variants = {
            v.pk: v
            for v in Variant.objects.filter(campaign=campaign, pk__in=list(quantities))
            .select_related("product")
            .order_by()
        }
        # More of a variant no longer on sale is refused like one of another PO.
        growing = [pk for pk, qty in quantities.items() if pk in variants and qty > _had(pk)]
        if len(variants) != len(quantities) or any(not variants[pk].is_active for pk in growing):
            raise InvalidOrder(
                field_errors={"items": [_("One of the chosen items is not part of this PO.")]}
            )
        units = sum(quantities.values())
        if not units:
            raise InvalidOrder(
                field_errors={"items": [_("An order needs at least one item; cancel it instead.")]}
            )
        if campaign.max_units_per_order and units > campaign.max_units_per_order:
            limit = campaign.max_units_per_order
            raise InvalidOrder(
                field_errors={"items": [_("At most %(limit)s units per order.") % {"limit": limit}]}
            )
        deltas = {pk: qty - _had(pk) for pk, qty in quantities.items()}
        deltas = {pk: delta for pk, delta in deltas.items() if delta}
        if not deltas:
            return order
        before = {str(pk): line.quantity for pk, line in lines.items()}
        _write_lines(order, lines, quantities, variants, campaign, now)
        old_total = order.total
        order.units = units
        order.subtotal = sum(line.line_total for line in order.lines.all())
        order.total = order.subtotal + order.shipping_fee + order.extra_charges
        order.deposit_due = (
            percent_of(order.total, campaign.deposit_percent)
            if campaign.takes_deposit
            else order.total
        )
        order.updated_at = now
        order.save(update_fields=["units", "subtotal", "total", "deposit_due", "updated_at"])
        # The payment status and the amount still to transfer follow the new total: a new
        # unique amount when nothing was paid, the rest when something was.
        settle_order(order=order, now=now)
        audit_event(
            action="order.items_changed",
            subject=order,
            shop_id=order.shop_id,
            actor=actor,
            at=now,
            data={
                "before": before,
                "after": {str(pk): qty for pk, qty in quantities.items() if qty},
                "units": units,
                "total_before": old_total,
                "total": order.total,
            },
        )
        _move_quota(campaign, deltas, variants)
        if any(delta > 0 for delta in deltas.values()):
            transaction.on_commit(lambda: close_if_sold_out(campaign=campaign, now=now))
    order.__dict__.pop("open_expected_payment", None)
    return order


@transaction.atomic
def add_order_note(
    *, order: Order, text: str, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> OrderNote:
    """Add an internal note to an order: for the shop's team, never shown to the buyer."""
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise InvalidOrder(
            _("Write a note first."), field_errors={"text": [_("Write a note first.")]}
        )
    if len(text) > MAX_NOTE_LENGTH:
        message = _("A note has %(limit)s characters at most.") % {"limit": MAX_NOTE_LENGTH}
        raise InvalidOrder(message, field_errors={"text": [message]})
    note = OrderNote.objects.create(
        order=order,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        text=text,
        created_at=now,
    )
    audit_event(
        action="order.note_added",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        at=now,
        data={"note": note.pk},
    )
    return note
