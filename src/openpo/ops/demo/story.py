"""The demo shop's history, played forward in time order through the services.

This module owns the loader proper: `Story` schedules every step of every campaign in
`shop_data.CAMPAIGNS` (announce, open, orders, close, production, shipping, completion) and what
each buyer then does (pay, pay a deposit and settle, cancel or let the order expire), with
`fulfilment` adding production, parcels and testimonials, and runs them in time order with
`now=` set to the moment each happened. `_Stock` keeps count of what is left so no order asks
for more than there is; `order_times` says when buyers come.
"""

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractUser
from django.db.models import F
from django.utils import timezone

from openpo.catalog.models import Campaign, Shop, Variant
from openpo.catalog.services import (
    add_material,
    add_product,
    add_product_photo,
    add_variant,
    advance_campaign,
    close_if_sold_out,
    complete_campaign,
    create_campaign,
    publish_campaign,
    start_production,
    start_shipping,
)
from openpo.messaging.models import OutboxMessage
from openpo.ops.demo.fulfilment import Fulfilment
from openpo.ops.demo.people import CANCEL_REASONS, NOTES, Crowd, weighted
from openpo.ops.demo.photos import product_photo, transfer_receipt
from openpo.ops.demo.shop_data import (
    CAMPAIGNS,
    SIZE_PREFERENCE,
    SIZE_SCALE,
    CampaignSpec,
    ProductSpec,
)
from openpo.ops.demo.timing import WIB, order_times, wib_moment
from openpo.orders.models import Order
from openpo.orders.services import cancel_order, expire_order, place_order
from openpo.payments import services as payments
from openpo.payments.models import Payment

# Messages this recent still wait in the outbox and the WhatsApp queue.
MESSAGES_WAITING_FOR = timedelta(hours=6)
# Transfers this recent are proofs waiting in the seller's verification queue.
PROOFS_WAITING_FOR = timedelta(hours=20)
REFUND_ACCOUNTS = [("BCA", "52100"), ("BRI", "00210"), ("Mandiri", "13700"), ("DANA", "08123")]
CHANNELS = ((Order.Channel.WEB, 55), (Order.Channel.WHATSAPP, 35), (Order.Channel.MANUAL, 10))
CANCEL_RATE = 0.05
EXPIRE_RATE = 0.08
SETTLE_RATE = 0.8


@dataclass
class _Stock:
    """What the loader knows is left, so it never asks for more than there is."""

    variants: list[tuple[Variant, float]]  # with how much buyers like each
    left: dict[int, int | None]
    cap_left: int | None
    ceiling: int | None  # the most units it may hold (a PO that is to miss its minimum)
    units: int = 0

    def take(self, items: dict[int, int]) -> None:
        self._add(items, -1)

    def give_back(self, items: dict[int, int]) -> None:
        self._add(items, 1)

    def _add(self, items: dict[int, int], sign: int) -> None:
        for variant_id, quantity in items.items():
            if self.left[variant_id] is not None:
                self.left[variant_id] += sign * quantity
        units = sum(items.values())
        self.units -= sign * units
        if self.cap_left is not None:
            self.cap_left += sign * units

    def room(self, limit: int | None) -> int:
        """The most units one more order may have."""
        bounds = [limit, self.cap_left]
        if self.ceiling is not None:
            bounds.append(self.ceiling - self.units)
        return min([b for b in bounds if b is not None], default=10_000)

    def sold_out(self) -> bool:
        if self.cap_left is not None and self.cap_left <= 0:
            return True
        return all(left is not None and left <= 0 for left in self.left.values())


class Story:
    """Plays the shop's history forward: each step is an event at a moment before `now`.

    Events are kept in a heap and run in time order, so every service sees the world as it was
    at that moment; an event that would happen after `now` has not happened yet and is dropped.
    """

    def __init__(self, *, shop: Shop, owner: AbstractUser, now: datetime, rng: random.Random):
        self.shop = shop
        self.owner = owner
        self.now = now
        self.today = timezone.localtime(now, WIB).date()
        self.rng = rng
        self.people = Crowd(rng)
        self.campaigns: dict[str, Campaign] = {}
        self.stock: dict[str, _Stock] = {}
        self._events: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._sequence = itertools.count()
        self.fulfilment = Fulfilment(self)

    def tell(self) -> None:
        for spec in CAMPAIGNS:
            self._plan_campaign(spec)
        while self._events:
            when, _seq, action = heapq.heappop(self._events)
            action(when)
        for campaign in self.campaigns.values():
            campaign = advance_campaign(campaign=campaign, now=self.now)
            if campaign.status == Campaign.Status.FAILED:
                self._settle_failed_po(campaign)
        self._deliver_history()

    def _deliver_history(self) -> None:
        """Messages of the story's past went out back then (emails by the worker, WhatsApp
        messages from the seller's phone); only the last hours' still wait."""
        OutboxMessage.objects.filter(
            shop=self.shop,
            status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.MANUAL],
            created_at__lt=self.now - MESSAGES_WAITING_FOR,
        ).update(status=OutboxMessage.Status.SENT, sent_at=F("created_at"), attempts=1)

    # Scheduling -------------------------------------------------------------------------

    def at(self, when: datetime, action: Callable[[datetime], None]) -> None:
        if when <= self.now:
            heapq.heappush(self._events, (when, next(self._sequence), action))

    def moment(self, day: int, hour: int, minute: int = 0) -> datetime:
        return wib_moment(self.now, day, hour, minute)

    def day(self, offset: int | None) -> date | None:
        return None if offset is None else self.today + timedelta(days=offset)

    def _plan_campaign(self, spec: CampaignSpec) -> None:
        opens_at, closes_at = self.moment(*spec.opens), self.moment(*spec.closes)
        announced = min(opens_at - timedelta(days=2), self.now - timedelta(hours=20))
        self.at(announced, lambda when: self._announce(spec, when))
        self.at(opens_at, lambda when: self._advance(spec, when))
        for ordered_at in order_times(spec, opens_at, closes_at, self.rng):
            self.at(ordered_at, lambda when: self._place(spec, when))
        self.at(closes_at, lambda when: self._advance(spec, when))
        if spec.production_day is not None and spec.phase in ("producing", "shipping", "completed"):
            self.at(self.moment(spec.production_day, 8), lambda when: self._produce(spec, when))
        if spec.shipping_started:
            self.at(self.moment(*spec.shipping_started), lambda when: self._ship(spec, when))
        if spec.completed:
            self.at(self.moment(*spec.completed), lambda when: self._complete(spec, when))
        self.fulfilment.plan(spec)  # stages, parcels, reconfirmations, testimonials

    # Campaign steps ---------------------------------------------------------------------

    def _announce(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = create_campaign(
            shop=self.shop,
            title=spec.title,
            slug=spec.slug,
            description=spec.description,
            opens_at=self.moment(*spec.opens),
            closes_at=self.moment(*spec.closes),
            production_starts_on=self.day(spec.production_day),
            ships_on=self.day(spec.ships_day),
            moq_units=spec.moq_units,
            unit_cap=spec.unit_cap,
            max_units_per_order=spec.max_units_per_order,
            payment_policy=(
                Campaign.PaymentPolicy.DEPOSIT
                if spec.deposit_percent
                else Campaign.PaymentPolicy.FULL
            ),
            deposit_percent=spec.deposit_percent,
            settlement_due_on=self.day(spec.settlement_day),
            payment_window_hours=spec.payment_window_hours,
            shipping_fee=spec.shipping_fee,
            early_bird_units=spec.early_bird_units,
            actor=self.owner,
            now=when,
        )
        variants = [
            v
            for product in spec.products
            for v in self._add_product(campaign, product, spec.early_bird_discount, when)
        ]
        self.campaigns[spec.slug] = publish_campaign(campaign=campaign, actor=self.owner, now=when)
        self.stock[spec.slug] = _Stock(
            variants=variants,
            left={v.pk: v.quota for v, _weight in variants},
            cap_left=spec.unit_cap,
            ceiling=spec.moq_units - 1 if spec.phase == "failed" else None,
        )

    def _add_product(
        self, campaign: Campaign, spec: ProductSpec, early_bird_discount: int, when: datetime
    ) -> list[tuple[Variant, float]]:
        product = add_product(
            campaign=campaign,
            name=spec.name,
            description=spec.description,
            actor=self.owner,
            now=when,
        )
        add_product_photo(
            product=product,
            image=product_photo(spec.name),
            alt_text=spec.name,
            actor=self.owner,
            now=when,
        )
        keys = list(spec.options)
        variants = []
        for values in itertools.product(*spec.options.values()):
            options = dict(zip(keys, values, strict=True))
            quota = next((spec.size_quota[v] for v in values if v in spec.size_quota), spec.quota)
            price = spec.price + sum(spec.surcharge.get(v, 0) for v in values)
            variant = add_variant(
                product=product,
                price=price,
                early_bird_price=price - early_bird_discount if early_bird_discount else None,
                options=options,
                quota=quota,
            )
            for material in spec.materials:
                scale = next((SIZE_SCALE[v] for v in values if v in SIZE_SCALE), 1.0)
                quantity = material.quantity * (scale if material.scales else 1)
                add_material(
                    variant=variant,
                    name=material.name.format(**options),
                    quantity_per_unit=f"{quantity:.3f}",
                    unit=material.unit,
                )
            weight = 1.0
            for value in values:
                weight *= spec.preference.get(value, SIZE_PREFERENCE.get(value, 1))
            variants.append((variant, weight))
        return variants

    def _campaign(self, spec: CampaignSpec) -> Campaign:
        """The PO as it is now: a sold-out PO reopens by itself when an order frees a slot."""
        campaign = self.campaigns[spec.slug]
        campaign.refresh_from_db()
        return campaign

    def _advance(self, spec: CampaignSpec, when: datetime) -> None:
        self.campaigns[spec.slug] = advance_campaign(campaign=self._campaign(spec), now=when)

    def _produce(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = self.campaigns[spec.slug]
        self.campaigns[spec.slug] = start_production(campaign=campaign, actor=self.owner, now=when)

    def _ship(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = self.campaigns[spec.slug]
        self.campaigns[spec.slug] = start_shipping(campaign=campaign, actor=self.owner, now=when)

    def _complete(self, spec: CampaignSpec, when: datetime) -> None:
        campaign = self.campaigns[spec.slug]
        self.campaigns[spec.slug] = complete_campaign(campaign=campaign, actor=self.owner, now=when)

    # Orders -----------------------------------------------------------------------------

    def _place(self, spec: CampaignSpec, when: datetime) -> None:
        campaign, stock = self._campaign(spec), self.stock[spec.slug]
        if not campaign.is_open(when):
            return  # sold out before this buyer came
        items = self._choose_items(spec, stock)
        if not items:
            return
        channel = weighted(self.rng, CHANNELS)
        person = self.people.pick()
        order = place_order(
            terms_accepted=True,
            campaign=campaign,
            buyer=self.people.details(person, notes=self._note()),
            items=items,
            channel=channel,
            actor=self.owner if channel == Order.Channel.MANUAL else None,
            now=when,
        )
        stock.take(items)
        if stock.sold_out():
            close_if_sold_out(campaign=campaign, now=when)
        self._plan_payment(spec, order, items, when)

    def _choose_items(self, spec: CampaignSpec, stock: _Stock) -> dict[int, int]:
        lines = weighted(self.rng, ((1, 78), (2, 18), (3, 4)))
        room = stock.room(spec.max_units_per_order)
        items: dict[int, int] = {}
        for _line in range(lines):
            quantity = weighted(self.rng, spec.quantities)
            if sum(items.values()) + quantity > room:
                break
            choices = [
                (variant, weight)
                for variant, weight in stock.variants
                if variant.pk not in items
                and (stock.left[variant.pk] is None or stock.left[variant.pk] >= quantity)
            ]
            if not choices:
                break
            variant = weighted(self.rng, choices)
            items[variant.pk] = quantity
        return items

    def _note(self) -> str:
        return self.rng.choice(NOTES) if self.rng.random() < 0.15 else ""

    def _plan_payment(
        self, spec: CampaignSpec, order: Order, items: dict[int, int], when: datetime
    ) -> None:
        """Decide now what this buyer will do: cancel, let the order expire, or pay."""
        window = timedelta(hours=spec.payment_window_hours)
        roll = self.rng.random()
        if roll < CANCEL_RATE:
            cancel_at = when + window * self.rng.uniform(0.02, 0.8)
            self.at(cancel_at, lambda at: self._cancel(spec, order, items, at))
        elif roll < CANCEL_RATE + EXPIRE_RATE:
            sweep = timedelta(minutes=self.rng.randint(1, 40))
            self.at(order.payment_deadline + sweep, lambda at: self._expire(spec, order, items, at))
        else:
            share = weighted(self.rng, (((0.01, 0.08), 45), ((0.08, 0.4), 40), ((0.4, 0.95), 15)))
            paid_at = when + window * self.rng.uniform(*share)
            self.at(paid_at, lambda at: self._pay(spec, order, at))

    def _send_proof(self, order: Order, at: datetime) -> None:
        order = Order.objects.get(pk=order.pk)
        expected = order.open_expected_payment
        if order.status != Order.Status.ACTIVE or expected is None:
            return
        bank = self.rng.choice(["BCA", "BRI", "Mandiri", "BNI", "DANA"])
        stamp = timezone.localtime(at, WIB).strftime("%d/%m/%Y %H:%M WIB")
        receipt = transfer_receipt(bank, expected.amount, stamp)
        payments.submit_payment_proof(order=order, upload=receipt, now=at)

    def _settle_failed_po(self, campaign: Campaign) -> None:
        """After a failed PO most buyers say where their money should go back; the seller has
        refunded some of them already."""
        for order in campaign.orders.filter(amount_paid__gt=0).order_by("pk"):
            if self.rng.random() < 0.3:
                continue  # not answered yet
            bank, number = self.rng.choice(REFUND_ACCOUNTS)
            digits = f"{number}{self.rng.randint(1000, 9999)}"
            payments.set_refund_account(
                order=order,
                bank_name=bank,
                account_number=digits,
                account_holder=order.buyer_name,
                now=self.now - timedelta(hours=self.rng.randint(6, 40)),
            )
            if self.rng.random() < 0.5:
                payments.record_refund(
                    order=order,
                    amount=order.amount_paid,
                    proof=transfer_receipt("BCA", order.amount_paid, "refund"),
                    actor=self.owner,
                    now=self.now - timedelta(hours=self.rng.randint(1, 5)),
                )

    def _cancel(
        self, spec: CampaignSpec, order: Order, items: dict[int, int], at: datetime
    ) -> None:
        reason = self.rng.choice(CANCEL_REASONS)
        cancel_order(order=order, reason=reason, actor=self.owner, now=at)
        self.stock[spec.slug].give_back(items)

    def _expire(
        self, spec: CampaignSpec, order: Order, items: dict[int, int], at: datetime
    ) -> None:
        if expire_order(order=order, now=at).status == Order.Status.EXPIRED:
            self.stock[spec.slug].give_back(items)

    def _pay(self, spec: CampaignSpec, order: Order, at: datetime) -> None:
        if spec.phase == "open" and self.now - at < PROOFS_WAITING_FOR:
            # Recent transfers: the buyer sent a proof, the seller has not checked it yet.
            self._send_proof(order, at)
            return
        record_payment(order, at)
        if not spec.deposit_percent or spec.production_day is None or spec.settlement_day is None:
            return
        if self.rng.random() < SETTLE_RATE:
            start = max(at, self.moment(spec.production_day, 9))
            end = self.moment(spec.settlement_day, 21)
            settled_at = start + (end - start) * self.rng.random()
            self.at(settled_at, lambda when: record_payment(order, when))


def record_payment(order: Order, at: datetime) -> None:
    """The buyer transfers exactly what the order page asks for; the seller's bank statement
    shows it (through the same service as a real statement import)."""
    order = Order.objects.get(pk=order.pk)
    expected = order.open_expected_payment
    if order.status != Order.Status.ACTIVE or expected is None:
        return
    payments.record_payment(
        order=order,
        amount=expected.amount,
        source=Payment.Source.STATEMENT,
        expected_payment=expected,
        received_at=at,
        now=at,
    )
