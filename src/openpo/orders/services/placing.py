"""`place_order`: the one door every order comes through (form, chat import, CSV, API, seller).

It is the hot path of a war PO, where every buyer queues on the same variant rows. So all the
checking and preparing happens before the transaction, the transaction holds only the writes
that must be atomic, and the contended rows (variants, then the campaign counter) are updated
last, in a fixed order, so their locks are held for as short a time as possible and two orders
can never deadlock. Buyers of a variant that is visibly sold out are answered from a read,
without joining the queue.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign, Variant
from openpo.catalog.services import close_if_sold_out
from openpo.catalog.terms import po_terms
from openpo.core.audit import build_audit_event
from openpo.core.errors import DomainError
from openpo.core.money import amount_problem, percent_of
from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from openpo.core.text import text_problem
from openpo.hooks import events as hook_events
from openpo.messaging import events as message_events
from openpo.orders.codes import clean_idempotency_key, new_order_code, new_order_secret
from openpo.orders.errors import (
    CampaignClosed,
    CampaignNotOpen,
    IdempotencyMismatch,
    InvalidOrder,
    SoldOut,
    TooManyAwaitingPayment,
)
from openpo.orders.models import Customer, Order, OrderLine
from openpo.payments.models import ExpectedPayment
from openpo.payments.unique_codes import NoFreeUniqueCode, draw_unique_code

MAX_CODE_ATTEMPTS = 8
# Doors where the buyer ticks "I accept the PO terms" themselves. An API client (a chat bot,
# a partner's shop) shows the terms itself; the order keeps the text either way.
SELF_SERVICE_CHANNELS = {Order.Channel.WEB}
MAX_UNITS_PER_LINE = 10_000
# The buyer's text, checked for characters a database or a seller cannot use.
TEXT_FIELDS = ("name", "phone", "email", "address", "city", "province", "postal_code", "notes")
MULTILINE_FIELDS = {"address", "notes"}
ORDER_TOO_LARGE = _("This order comes to more than Rp 1.000.000.000; order fewer units.")


@dataclass(frozen=True)
class BuyerDetails:
    name: str
    phone: str
    email: str = ""
    address: str = ""
    city: str = ""
    province: str = ""
    postal_code: str = ""
    notes: str = ""
    wants_updates: bool = False  # "tell me about this shop's next POs"


@dataclass(frozen=True)
class OrderItem:
    variant_id: int
    quantity: int


@dataclass
class _Prepared:
    buyer: BuyerDetails
    phone: str
    quantities: dict[int, int]  # variant id → units, sorted by id (the lock order)
    variants: dict[int, Variant]
    units: int
    subtotal: int
    terms: str
    prices: dict[int, int]  # variant id → unit price for this order
    early_bird: bool  # priced at early-bird prices (checked again when reserving)


class _EarlyBirdGone(Exception):
    """The early-bird units ran out between reading and reserving: price the order again."""


def _local(campaign: Campaign, moment: datetime) -> str:
    """`25 November 2026 19:00 WIB`: a moment as the shop's buyers read it."""
    shop = campaign.shop
    local = formats.date_format(timezone.localtime(moment, shop.tzinfo), "j F Y H:i")
    return f"{local} {shop.tz_abbreviation}"


def _check_open(campaign: Campaign, now: datetime) -> None:
    phase = campaign.phase(now)
    if phase == Campaign.Status.OPEN:
        return
    if phase in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
        raise CampaignNotOpen(opens_at=_local(campaign, campaign.opens_at))
    if phase == Campaign.Status.CLOSED and campaign.close_reason == Campaign.CloseReason.SOLD_OUT:
        raise SoldOut(SoldOut.campaign_sold_out)
    if phase == Campaign.Status.CLOSED and now >= campaign.closes_at:
        raise CampaignClosed(CampaignClosed.closed, closes_at=_local(campaign, campaign.closes_at))
    raise CampaignClosed()


def _clean_buyer(buyer: BuyerDetails, errors: dict[str, list]) -> tuple[BuyerDetails, str]:
    name = " ".join(buyer.name.split())
    if not name:
        errors["name"] = [_("Enter your name.")]
    elif len(name) > 100:
        errors["name"] = [_("The name is too long (100 characters at most).")]
    phone = ""
    try:
        phone = normalize_phone(buyer.phone)
    except InvalidPhoneNumber as exc:
        errors["phone"] = [str(exc)]
    email = buyer.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address, or leave it empty.")]
    postal_code = buyer.postal_code.strip()
    if postal_code and not (postal_code.isdigit() and len(postal_code) == 5):
        errors["postal_code"] = [_("A postal code has 5 digits.")]
    for name_, limit in (("city", 100), ("province", 100), ("address", 1000), ("notes", 2000)):
        if len(getattr(buyer, name_)) > limit:
            errors[name_] = [_("This is too long.")]
    # Every PO ships: an order without an address to send it to cannot be fulfilled.
    if not buyer.address.strip():
        errors.setdefault("address", [_("Enter the address to send the order to.")])
    for field_name in TEXT_FIELDS:
        problem = text_problem(getattr(buyer, field_name), multiline=field_name in MULTILINE_FIELDS)
        if problem:
            errors[field_name] = [problem]
    cleaned = BuyerDetails(
        name=name,
        phone=phone,
        email=email,
        address=buyer.address.strip(),
        city=" ".join(buyer.city.split()),
        province=" ".join(buyer.province.split()),
        postal_code=postal_code,
        notes=buyer.notes.strip(),
        wants_updates=buyer.wants_updates,
    )
    return cleaned, phone


def _merge_items(
    items: Iterable[OrderItem] | Mapping[int, int], errors: dict[str, list]
) -> dict[int, int]:
    pairs = (
        items.items() if isinstance(items, Mapping) else ((i.variant_id, i.quantity) for i in items)
    )
    quantities: dict[int, int] = {}
    for variant_id, quantity in pairs:
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            errors["items"] = [_("Quantities must be whole numbers.")]
            return {}
        if quantity:
            quantities[int(variant_id)] = quantities.get(int(variant_id), 0) + quantity
    if not quantities:
        errors["items"] = [_("Choose at least one item.")]
    elif any(q > MAX_UNITS_PER_LINE for q in quantities.values()):
        errors["items"] = [_("That quantity is too large.")]
    return dict(sorted(quantities.items()))


def _prepare(
    campaign: Campaign,
    buyer: BuyerDetails,
    items: Iterable[OrderItem] | Mapping[int, int],
    *,
    needs_terms: bool,
    now: datetime,
) -> _Prepared:
    """Validate everything that does not need a lock; raise InvalidOrder or SoldOut."""
    errors: dict[str, list] = {}
    if needs_terms:
        errors["terms"] = [_("Please read and accept the PO terms.")]
    buyer, phone = _clean_buyer(buyer, errors)
    quantities = _merge_items(items, errors)
    variants: dict[int, Variant] = {}
    if quantities:
        variants = {
            v.pk: v
            for v in Variant.objects.filter(
                campaign=campaign, is_active=True, pk__in=list(quantities)
            )
            .select_related("product")
            .order_by()  # no sorting needed; the default ordering would cost a join
        }
        if len(variants) != len(quantities):
            errors["items"] = [_("One of the chosen items is not part of this PO.")]
    units = sum(quantities.values())
    limit = campaign.max_units_per_order
    if limit and units > limit:
        errors.setdefault("items", []).append(
            _("At most %(limit)s units per order.") % {"limit": limit}
        )
    if errors:
        raise InvalidOrder(field_errors=errors)
    # A variant that is visibly sold out is answered here, without queueing for its row.
    for variant_id, quantity in quantities.items():
        _raise_if_short(variants[variant_id], quantity)
    if campaign.unit_cap is not None and campaign.reserved_units + units > campaign.unit_cap:
        _raise_campaign_full(campaign.unit_cap - campaign.reserved_units)
    prepared = _Prepared(
        buyer, phone, quantities, variants, units, 0, po_terms(campaign), {}, early_bird=False
    )
    early = campaign.early_bird_on(now) and any(
        v.early_bird_price is not None for v in variants.values()
    )
    left = campaign.early_bird_units_left
    prepared = _priced(prepared, early=early and (left is None or units <= left))
    if amount_problem(prepared.subtotal + campaign.shipping_fee):
        raise InvalidOrder(field_errors={"items": [ORDER_TOO_LARGE]})
    return prepared


def _priced(prepared: _Prepared, *, early: bool) -> _Prepared:
    """Unit prices and subtotal: early-bird prices where a variant has one, if `early`."""
    prepared.early_bird = early
    prepared.prices = {
        pk: (v.early_bird_price if early and v.early_bird_price is not None else v.price)
        for pk, v in prepared.variants.items()
    }
    prepared.subtotal = sum(prepared.prices[v] * q for v, q in prepared.quantities.items())
    return prepared


def _raise_if_short(variant: Variant, quantity: int) -> None:
    left = variant.units_left
    if left is None or quantity <= left:
        return
    item = str(variant)
    if left == 0:
        raise SoldOut(item=item)
    raise SoldOut(SoldOut.not_enough, item=item, left=left)


def _raise_campaign_full(left: int) -> None:
    raise SoldOut(SoldOut.campaign_full, left=max(left, 0))


def _reserve(campaign: Campaign, prepared: _Prepared) -> None:
    """One conditional UPDATE per variant (in id order), then the campaign counter."""
    for variant_id, quantity in prepared.quantities.items():
        variant = prepared.variants[variant_id]
        rows = Variant.objects.filter(pk=variant_id)
        if variant.quota is not None:
            rows = rows.filter(quota__gte=F("reserved_units") + quantity)
        if not rows.update(reserved_units=F("reserved_units") + quantity):
            variant.refresh_from_db(fields=["reserved_units", "quota"])
            _raise_if_short(variant, quantity)
            raise SoldOut(item=str(variant))
    campaign_rows = Campaign.objects.filter(pk=campaign.pk)
    changes = {"reserved_units": F("reserved_units") + prepared.units}
    if campaign.unit_cap is not None:
        campaign_rows = campaign_rows.filter(unit_cap__gte=F("reserved_units") + prepared.units)
    counts_early_units = prepared.early_bird and campaign.early_bird_units is not None
    if counts_early_units:
        campaign_rows = campaign_rows.filter(
            early_bird_units__gte=F("early_bird_units_sold") + prepared.units
        )
        changes["early_bird_units_sold"] = F("early_bird_units_sold") + prepared.units
    if not campaign_rows.update(**changes):
        campaign.refresh_from_db(fields=["reserved_units", "unit_cap", "early_bird_units_sold"])
        if (
            campaign.unit_cap is None
            or campaign.reserved_units + prepared.units <= campaign.unit_cap
        ):
            raise _EarlyBirdGone()
        _raise_campaign_full((campaign.unit_cap or 0) - campaign.reserved_units)


def _upsert_customer(campaign: Campaign, prepared: _Prepared, now: datetime) -> Customer:
    buyer = prepared.buyer
    update_fields = ["name", "updated_at"] + (["email"] if buyer.email else [])
    if buyer.wants_updates:
        # A tick opts in, also after a STOP on WhatsApp: it is the buyer's fresh, explicit
        # choice. No tick on a later order does not opt out.
        update_fields += ["reminders_opt_in", "opted_out_at"]
    (customer,) = Customer.objects.bulk_create(
        [
            Customer(
                shop_id=campaign.shop_id,
                phone=prepared.phone,
                name=buyer.name,
                email=buyer.email,
                reminders_opt_in=buyer.wants_updates,
                created_at=now,
                updated_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["shop", "phone"],
        update_fields=update_fields,
    )
    return customer


def _build_order(
    campaign: Campaign,
    prepared: _Prepared,
    *,
    channel: str,
    idempotency_key: str,
    fingerprint: str,
    now: datetime,
) -> Order:
    buyer = prepared.buyer
    shipping_fee = campaign.shipping_fee
    total = prepared.subtotal + shipping_fee
    deposit_due = percent_of(total, campaign.deposit_percent) if campaign.takes_deposit else total
    return Order(
        shop_id=campaign.shop_id,
        campaign=campaign,
        code=new_order_code(),
        secret=new_order_secret(),
        buyer_name=buyer.name,
        buyer_phone=prepared.phone,
        buyer_email=buyer.email,
        address=buyer.address,
        city=buyer.city,
        province=buyer.province,
        postal_code=buyer.postal_code,
        notes=buyer.notes,
        channel=channel,
        units=prepared.units,
        subtotal=prepared.subtotal,
        shipping_fee=shipping_fee,
        total=total,
        deposit_due=deposit_due,
        payment_deadline=now + timedelta(hours=campaign.payment_window_hours),
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        early_bird=prepared.early_bird,
        terms_accepted=prepared.terms,
        created_at=now,
        updated_at=now,
    )


def _taken(campaign: Campaign, order: Order, expected: ExpectedPayment | None) -> bool:
    """Did another order take this order code or this transfer amount meanwhile?"""
    if Order.objects.filter(shop_id=campaign.shop_id, code=order.code).exists():
        return True
    return (
        bool(expected)
        and ExpectedPayment.objects.filter(
            shop_id=campaign.shop_id, amount=expected.amount, status=ExpectedPayment.Status.OPEN
        ).exists()
    )


def _build_expected_payment(
    campaign: Campaign, order: Order, now: datetime
) -> ExpectedPayment | None:
    """What the buyer transfers first: the total, or the DP, plus a unique code."""
    if not order.deposit_due:
        return None
    try:
        code = draw_unique_code(shop_id=campaign.shop_id, base_amount=order.deposit_due)
    except NoFreeUniqueCode as exc:
        raise TooManyAwaitingPayment() from exc
    return ExpectedPayment(
        shop_id=campaign.shop_id,
        kind=(
            ExpectedPayment.Kind.DEPOSIT if campaign.takes_deposit else ExpectedPayment.Kind.FULL
        ),
        base_amount=order.deposit_due,
        unique_code=code,
        amount=order.deposit_due + code,
        due_at=order.payment_deadline,
        created_at=now,
    )


def fingerprint_request(
    *, buyer: BuyerDetails, items: Iterable[OrderItem] | Mapping[int, int], channel: str
) -> str:
    """sha256 (hex) of what defines an order request: the buyer's details as given (stripped),
    the items as (variant id, units) pairs sorted by id with repeated variants merged and empty
    lines dropped, and the door it came through. The same order asked twice gives the same
    fingerprint, whatever the order of its lines. The "tell me about next POs" tick is left
    out: it is the customer's preference, not part of the order."""
    pairs = (
        items.items() if isinstance(items, Mapping) else ((i.variant_id, i.quantity) for i in items)
    )
    units: dict[int, int] = {}
    unusable: list[str] = []  # quantities that are not whole numbers: kept, so they differ
    for variant_id, quantity in pairs:
        if isinstance(quantity, int) and not isinstance(quantity, bool):
            if quantity:
                units[int(variant_id)] = units.get(int(variant_id), 0) + quantity
        else:
            unusable.append(f"{variant_id}={quantity!r}")
    fields = ("name", "phone", "email", "address", "city", "province", "postal_code", "notes")
    request = {
        "buyer": {name: str(getattr(buyer, name)).strip() for name in fields},
        "items": sorted(units.items()),
        "unusable": sorted(unusable),
        "channel": str(channel),
    }
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _existing_order(campaign: Campaign, idempotency_key: str) -> Order | None:
    if not idempotency_key:
        return None
    # The repeated "not empty" lets SQLite use the partial unique index instead of a scan.
    return (
        Order.objects.filter(campaign=campaign, idempotency_key=idempotency_key)
        .exclude(idempotency_key="")
        .first()
    )


def _replayed_order(campaign: Campaign, idempotency_key: str, fingerprint: str) -> Order | None:
    """The order an earlier request with this key made, or None if the key is new. A key that
    came with another order raises IdempotencyMismatch and shows nothing of that order, so a
    key cannot be used to read someone else's order. Orders from before fingerprints were
    kept (empty fingerprint) match any request."""
    existing = _existing_order(campaign, idempotency_key)
    if existing and existing.request_fingerprint and existing.request_fingerprint != fingerprint:
        raise IdempotencyMismatch()
    return existing


def place_order(
    *,
    campaign: Campaign,
    buyer: BuyerDetails,
    items: Iterable[OrderItem] | Mapping[int, int],
    channel: str = Order.Channel.WEB,
    idempotency_key: str | None = None,
    terms_accepted: bool = False,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> Order:
    """Place an order on an open PO; every unit is reserved atomically and never sold twice.

    A repeated `idempotency_key` with the same request (buyer details, items, channel: see
    `fingerprint_request`) returns the order the first request made, whatever happened to the
    campaign since; with another request it raises `IdempotencyMismatch`. Buyers ordering
    themselves (form, API) must accept the PO terms, which are copied onto the order. Raises
    `CampaignClosed`, `SoldOut`, `InvalidOrder` or `IdempotencyMismatch`.
    """
    now = now or timezone.now()
    idempotency_key = clean_idempotency_key(idempotency_key)
    if problem := text_problem(idempotency_key):
        raise InvalidOrder(field_errors={"idempotency_key": [problem]})
    fingerprint = ""
    if idempotency_key:
        if not isinstance(items, Mapping):
            items = list(items)  # read twice: for the fingerprint and for the order
        fingerprint = fingerprint_request(buyer=buyer, items=items, channel=channel)
    try:
        # A repeated key is not looked up first: it is rare, and a new order does without the
        # query. Its order is found when this one cannot be placed (the PO sold out or closed
        # since, say) or when the key's unique index refuses the new row (`_write_order`).
        _check_open(campaign, now)
        prepared = _prepare(
            campaign,
            buyer,
            items,
            needs_terms=channel in SELF_SERVICE_CHANNELS and not terms_accepted,
            now=now,
        )
        order = _write_order(
            campaign,
            prepared,
            channel=channel,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            actor=actor,
            now=now,
        )
    except DomainError as error:
        if existing := _replayed_order(campaign, idempotency_key, fingerprint):
            return existing
        if isinstance(error, SoldOut):
            close_if_sold_out(campaign=campaign, now=now)
        raise
    if _may_have_sold_out(campaign, prepared):
        transaction.on_commit(lambda: close_if_sold_out(campaign=campaign, now=now))
    return order


def _may_have_sold_out(campaign: Campaign, prepared: _Prepared) -> bool:
    """Did this order (judging by what was read before it) take the last units of something?"""
    if campaign.unit_cap is not None and (
        campaign.reserved_units + prepared.units >= campaign.unit_cap
    ):
        return True
    return any(
        v.quota is not None and v.reserved_units + prepared.quantities[v.pk] >= v.quota
        for v in prepared.variants.values()
    )


def _write_order(
    campaign: Campaign,
    prepared: _Prepared,
    *,
    channel: str,
    idempotency_key: str,
    fingerprint: str,
    actor: AbstractBaseUser | None,
    now: datetime,
) -> Order:
    """The transaction: customer, order, lines, what to pay, audit, and last the contended
    quota rows. An order code or transfer amount taken by a concurrent order is drawn again."""
    for _attempt in range(MAX_CODE_ATTEMPTS):
        order = _build_order(
            campaign,
            prepared,
            channel=channel,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            now=now,
        )
        expected = _build_expected_payment(campaign, order, now)
        # Read and drawn before the transaction: the write lock is held for the writes only.
        write_message = message_events.order_received(order, expected, now)
        write_hooks = hook_events.order_created(order, now)
        try:
            with transaction.atomic():
                order.customer = _upsert_customer(campaign, prepared, now)
                order.save(force_insert=True)
                lines = OrderLine.objects.bulk_create(
                    OrderLine(
                        order=order,
                        variant_id=variant_id,
                        product_name=prepared.variants[variant_id].product.name,
                        variant_label=prepared.variants[variant_id].label,
                        sku=prepared.variants[variant_id].sku,
                        quantity=quantity,
                        unit_price=prepared.prices[variant_id],
                    )
                    for variant_id, quantity in prepared.quantities.items()
                )
                if expected:
                    expected.order = order
                    expected.save(force_insert=True)
                order.open_expected_payment = expected  # spares the caller a query
                build_audit_event(
                    action="order.placed",
                    subject=order,
                    shop_id=campaign.shop_id,
                    actor=actor,
                    actor_label="" if actor else channel,
                    at=now,
                    data={"units": prepared.units, "total": order.total},
                ).save(force_insert=True)
                write_message()
                write_hooks(lines)
                _reserve(campaign, prepared)
        except _EarlyBirdGone:
            _priced(prepared, early=False)  # the last early-bird units went meanwhile
            continue
        except IntegrityError:
            # The same key committed by a concurrent request (a double tap): that order wins,
            # if it asked for the same order.
            if existing := _replayed_order(campaign, idempotency_key, fingerprint):
                return existing
            if _taken(campaign, order, expected):
                continue  # a concurrent order took this code or transfer amount: draw again
            raise
        return order
    raise RuntimeError("could not draw a free order code and transfer amount")
