"""The orders that need the buyer again ("perlu dikonfirmasi ulang"): each with its reason, a
WhatsApp message ready to send and a way to mark it sorted.

Two reasons are found at read time, so they are never stale: an address that is incomplete or
doubtful (`address_problems`, heuristics for Indonesian addresses) and a settlement still open
past its due time (`payments.ExpectedPayment`). Two are stored as open `Reconfirmation` rows: a
returned parcel (written by shipping) and the seller's own note (`add_note`). Resolving a stored
row closes it; resolving a computed reason stores a resolved row that dismisses it: for an
address, that very address (its text is kept in the row's `note`, so a buyer who then changes
it to another doubtful one comes back); for a settlement, the settlement asked before it.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from openpo.catalog.models import Campaign
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.core.text import text_problem
from openpo.fulfillment.models import Reconfirmation
from openpo.messaging.events import order_link
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment

Reason = Reconfirmation.Reason
MAX_NOTE_LENGTH = 1000
MIN_ADDRESS_LENGTH = 10
# Campaigns whose orders still go ahead: a failed or cancelled PO needs no one reconfirmed.
LIVE_PHASES = (
    Campaign.Status.OPEN,
    Campaign.Status.CLOSED,
    Campaign.Status.PRODUCING,
    Campaign.Status.SHIPPING,
    Campaign.Status.COMPLETED,
)
# An address matters until the parcel leaves (a returned one comes back as its own reason).
ADDRESS_MATTERS = (Order.FulfillmentStatus.PENDING, Order.FulfillmentStatus.PACKED)
# Words that show an address names a street, a lane, a block or a village (Indonesian and the
# abbreviations couriers see every day); a digit (house number, RT 02) counts as well.
STREET_WORDS = re.compile(
    r"(?<![a-z])("
    r"jl|jln|jalan|gg|gang|lorong|lr|no|nomor|nmr|rt|rw|blok|blk|kav|kavling|perum|perumahan|"
    r"komplek|kompleks|komp|cluster|griya|residence|villa|apartemen|apartment|apt|tower|ruko|"
    r"desa|ds|dusun|dsn|dukuh|kampung|kp|kel|kelurahan|kec|kecamatan|asrama|pondok|ponpes|"
    r"street|st|road|rd"
    r")(?![a-z])",
    re.IGNORECASE,
)


class ReconfirmationError(DomainError):
    code = "reconfirmation"
    http_status = 409
    default_message = _("This was already resolved.")
    nothing_open = _("There is nothing to resolve for this order and reason.")
    empty_note = _("Write what you need to ask the buyer.")
    long_note = _("The note is too long (1000 characters at most).")


def address_problems(order: Order) -> list[str]:
    """Why an order's address looks incomplete or doubtful ([] when it looks fine)."""
    problems = []
    postal_code = order.postal_code.strip()
    if not postal_code:
        problems.append(_t("no postal code"))
    elif not (postal_code.isdigit() and len(postal_code) == 5):
        problems.append(_t("the postal code is not 5 digits"))
    address = " ".join(order.address.split())
    if not address:
        problems.append(_t("no address"))
        return problems
    if not STREET_WORDS.search(address) and not any(ch.isdigit() for ch in address):
        problems.append(_t("no street, house number or RT/RW"))
    if len(address) < MIN_ADDRESS_LENGTH:
        problems.append(_t("the address is very short"))
    return problems


def _address_snapshot(order: Order) -> str:
    return (
        " | ".join(" ".join(part.split()) for part in (order.address, order.city, order.province))
        + f" | {order.postal_code.strip()}"
    )


@dataclass
class QueueEntry:
    """One order and one reason it needs the buyer again."""

    order: Order
    reason: str
    details: list[str] = field(default_factory=list)
    row: Reconfirmation | None = None  # the open stored row, for returned parcels and notes
    since: datetime | None = None
    whatsapp_url: str = ""

    @property
    def reason_label(self) -> str:
        return str(Reason(self.reason).label)


def _overdue_settlements(orders: Iterable[Order], now: datetime) -> dict[int, ExpectedPayment]:
    """The open settlement past its due time of each order that has one (a claimed one is
    being checked by the seller, so not the buyer's to answer)."""
    found = ExpectedPayment.objects.filter(
        order__in=[o.pk for o in orders],
        kind=ExpectedPayment.Kind.SETTLEMENT,
        status=ExpectedPayment.Status.OPEN,
        claimed_at__isnull=True,
        due_at__lt=now,
    ).order_by("due_at")
    return {expected.order_id: expected for expected in found}


def _entries(orders: list[Order], now: datetime) -> list[QueueEntry]:
    order_ids = [o.pk for o in orders]
    rows = Reconfirmation.objects.filter(order_id__in=order_ids)
    open_rows: dict[tuple[int, str], Reconfirmation] = {}
    address_checked: set[tuple[int, str]] = set()
    settlement_resolved: dict[int, list[datetime]] = defaultdict(list)
    for row in rows:
        if row.resolved_at is None:
            open_rows[(row.order_id, row.reason)] = row
        elif row.reason == Reason.ADDRESS:
            address_checked.add((row.order_id, row.note))
        elif row.reason == Reason.SETTLEMENT:
            settlement_resolved[row.order_id].append(row.created_at)
    overdue = _overdue_settlements(orders, now)
    entries = []
    for order in orders:
        problems = address_problems(order) if order.fulfillment_status in ADDRESS_MATTERS else []
        if problems and (order.pk, _address_snapshot(order)) not in address_checked:
            row = open_rows.pop((order.pk, Reason.ADDRESS), None)
            entries.append(QueueEntry(order, Reason.ADDRESS, problems, row=row))
        expected = overdue.get(order.pk)
        if expected and not any(at >= expected.created_at for at in settlement_resolved[order.pk]):
            row = open_rows.pop((order.pk, Reason.SETTLEMENT), None)
            entries.append(
                QueueEntry(order, Reason.SETTLEMENT, row=row, since=expected.due_at, details=[])
            )
    orders_by_id = {o.pk: o for o in orders}
    for (order_id, reason), row in open_rows.items():
        if reason in (Reason.ADDRESS, Reason.SETTLEMENT):
            continue  # stored, but no longer true: nothing to ask
        details = [row.note] if row.note else []
        entries.append(
            QueueEntry(orders_by_id[order_id], reason, details, row=row, since=row.created_at)
        )
    return entries


def _live_orders(campaign_ids: Iterable[int]):
    return Order.objects.filter(
        campaign_id__in=list(campaign_ids),
        campaign__status__in=LIVE_PHASES,
        status=Order.Status.ACTIVE,
    )


def reconfirmation_queue(*, campaign: Campaign, now: datetime | None = None) -> list[QueueEntry]:
    """Every order of the PO that needs the buyer again, with its reasons and a WhatsApp link
    (to the buyer, in the shop's message language), oldest order first."""
    now = now or timezone.now()
    orders = list(_live_orders([campaign.pk]).select_related("shop", "campaign").order_by("pk"))
    entries = _entries(orders, now)
    for entry in entries:
        entry.whatsapp_url = whatsapp_url(entry)
    return sorted(entries, key=lambda e: (e.order.pk, list(Reason.values).index(e.reason)))


def open_counts(campaign_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, int]:
    """How many reconfirmations each PO has open (campaign id → count; POs with none left
    out), for the PO list."""
    now = now or timezone.now()
    orders = list(
        _live_orders(campaign_ids).only(
            "pk",
            "campaign_id",
            "address",
            "city",
            "province",
            "postal_code",
            "fulfillment_status",
        )
    )
    counts: dict[int, int] = defaultdict(int)
    for entry in _entries(orders, now):
        counts[entry.order.campaign_id] += 1
    return dict(counts)


def order_reconfirmations(order: Order, *, now: datetime | None = None) -> list[QueueEntry]:
    """The open reasons of one order (for its dashboard page)."""
    if order.status != Order.Status.ACTIVE or order.campaign.status not in LIVE_PHASES:
        return []
    entries = _entries([order], now or timezone.now())
    for entry in entries:
        entry.whatsapp_url = whatsapp_url(entry)
    return entries


def whatsapp_message(entry: QueueEntry) -> str:
    """What the seller sends the buyer for this reason, in the shop's message language."""
    order = entry.order
    shop = order.shop
    with override(shop.message_language or "id"):
        params = {
            "name": order.buyer_name,
            "shop": shop.name,
            "code": order.code,
            "po": order.campaign.title,
            "link": order_link(order),
        }
        greeting = _t("Hello %(name)s, this is %(shop)s about your order %(code)s (%(po)s).")
        if entry.reason == Reason.ADDRESS:
            params["problems"] = "; ".join(address_problems(order))
            body = _t(
                "Your shipping address looks incomplete (%(problems)s). Could you send the "
                "full address: street and house number, RT/RW, district, city and postal "
                "code? You can also correct it yourself on your order page: %(link)s"
            )
        elif entry.reason == Reason.SETTLEMENT:
            body = _t(
                "The settlement of your order is past its due date. The amount and how to "
                "pay are on your order page: %(link)s. If you have paid, please send the "
                "proof there. Thank you!"
            )
        elif entry.reason == Reason.RETURNED:
            body = _t(
                "Your parcel came back to us. Could you confirm your address and phone "
                "number so we can send it again? Your order: %(link)s"
            )
        else:
            params["note"] = entry.row.note if entry.row else ""
            body = _t("%(note)s\n\nYour order: %(link)s")
        return (greeting % params) + "\n\n" + (body % params)


def whatsapp_url(entry: QueueEntry) -> str:
    """A wa.me link to the buyer's number with the message filled in."""
    digits = "".join(ch for ch in entry.order.buyer_phone if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(whatsapp_message(entry))}"


def _clean_note(note: str) -> str:
    note = note.strip()
    if not note:
        raise ReconfirmationError(ReconfirmationError.empty_note, field_errors={"note": []})
    if len(note) > MAX_NOTE_LENGTH:
        raise ReconfirmationError(ReconfirmationError.long_note)
    if problem := text_problem(note, multiline=True):
        raise ReconfirmationError(problem)
    return note


@transaction.atomic
def add_note(
    *,
    order: Order,
    note: str,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Reconfirmation:
    """Put the order in the queue with what the seller needs to ask; a second note while one
    is open is added to it (one open note per order)."""
    now = now or timezone.now()
    note = _clean_note(note)
    row = (
        Reconfirmation.objects.select_for_update()
        .filter(order=order, reason=Reason.NOTE, resolved_at__isnull=True)
        .first()
    )
    if row:
        row.note = f"{row.note}\n{note}"
        row.save(update_fields=["note"])
    else:
        row = Reconfirmation.objects.create(
            shop_id=order.shop_id,
            order=order,
            reason=Reason.NOTE,
            note=note,
            created_at=now,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    audit_event(
        action="reconfirmation.noted",
        subject=order,
        shop_id=order.shop_id,
        actor=actor,
        at=now,
        data={"note": note},
    )
    return row


def _close(row: Reconfirmation, resolution: str, actor, now: datetime) -> Reconfirmation:
    row.resolved_at = now
    row.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
    row.resolution = resolution
    row.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    audit_event(
        action="reconfirmation.resolved",
        subject=row.order,
        shop_id=row.shop_id,
        actor=actor,
        at=now,
        data={"reason": row.reason, "resolution": resolution},
    )
    return row


def _clean_resolution(resolution: str) -> str:
    resolution = resolution.strip()[:MAX_NOTE_LENGTH]
    if problem := text_problem(resolution, multiline=True):
        raise ReconfirmationError(problem)
    return resolution


@transaction.atomic
def resolve(
    *,
    reconfirmation: Reconfirmation,
    resolution: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Reconfirmation:
    """Close a stored open reconfirmation (a returned parcel, a note) as sorted."""
    resolution = _clean_resolution(resolution)
    row = (
        Reconfirmation.objects.select_for_update().select_related("order").get(pk=reconfirmation.pk)
    )
    if row.resolved_at is not None:
        raise ReconfirmationError()
    return _close(row, resolution, actor, now or timezone.now())


@transaction.atomic
def resolve_reason(
    *,
    order: Order,
    reason: str,
    resolution: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Reconfirmation:
    """Take an order off the queue for one reason: its open row is closed, or, for a reason
    found at read time (address, settlement), a resolved row is stored that dismisses it (the
    address as it is now; the settlement asked so far)."""
    now = now or timezone.now()
    resolution = _clean_resolution(resolution)
    row = (
        Reconfirmation.objects.select_for_update()
        .select_related("order")
        .filter(order=order, reason=reason, resolved_at__isnull=True)
        .first()
    )
    if row:
        return _close(row, resolution, actor, now)
    open_reasons = {entry.reason for entry in order_reconfirmations(order, now=now)}
    if reason not in (Reason.ADDRESS, Reason.SETTLEMENT) or reason not in open_reasons:
        raise ReconfirmationError(ReconfirmationError.nothing_open)
    row = Reconfirmation(
        shop_id=order.shop_id,
        order=order,
        reason=reason,
        note=_address_snapshot(order) if reason == Reason.ADDRESS else "",
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        resolved_at=now,  # never open, so never in the way of the one-open-row rule
    )
    row.save(force_insert=True)
    return _close(row, resolution, actor, now)
