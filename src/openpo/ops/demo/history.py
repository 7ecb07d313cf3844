"""Two years of the demo shop's past POs, so the insights pages have a history to read.

Before the POs the story plays through the services, the shop ran one PO about every month
for two years: batik before Lebaran (the busiest, with Ramadan), knitwear in the rainy months
and around Harbolnas 12.12, bags and beanies in between, growing slowly. Buyers come back
(some are the story's own buyers, who bought before), live in the story's cities, and order
on the web form, by WhatsApp, or are typed in by the seller. Some variants had a quota and
sold out. Every PO is completed: its standing orders paid and delivered.

Loaded by bulk inserts (not the services) in the demo's transaction: a few thousand orders in
about a second. Products and SKUs are the story's (a duplicated PO keeps its SKUs), so the
next-PO plan and its back-test can follow them from PO to PO.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import product as combinations
from types import SimpleNamespace

import holidays
from django.utils import timezone
from django.utils.text import slugify

from openpo.catalog.models import Campaign, Product, Shop, Variant
from openpo.core.audit import audit_event
from openpo.ops.demo.people import make_person
from openpo.ops.demo.shop_data import CAMPAIGNS, ProductSpec
from openpo.ops.demo.timing import WIB, order_times, wib_moment
from openpo.orders.codes import new_order_code, new_order_secret
from openpo.orders.models import Customer, Order, OrderLine
from openpo.payments.models import Payment

SLUG_PREFIX = "arsip-"  # the past POs' slugs start with it
FIRST_DAY = -730  # the first past PO opens two years ago (days from today, WIB)
LAST_DAY = -100  # the last one opens before the story's first
EVERY_DAYS = 30
BASE_ORDERS = 95
PEOPLE = 1600  # new buyers over the two years, beside the story's
MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
CHANNELS = ((Order.Channel.WEB, 70), (Order.Channel.WHATSAPP, 22), (Order.Channel.MANUAL, 8))
STATUSES = (("active", 92), ("cancelled", 5), ("expired", 3))
SIZE_ORDER = ("XS", "S", "S-M", "M", "L", "L-XL", "XL", "XXL", "All size")


def _products() -> dict[str, ProductSpec]:
    return {p.name: p for c in CAMPAIGNS for p in c.products}


def lebaran_days(years: range) -> list[date]:
    """Idul Fitri's first day in each year (from the `holidays` package's calendar)."""
    calendar = holidays.Indonesia(years=years, language="en_US")
    return sorted(d for d, name in calendar.items() if name == "Eid al-Fitr")


@dataclass
class PastPO:
    opens_at: datetime
    closes_at: datetime
    title: str
    slug: str
    products: tuple[ProductSpec, ...]
    orders: int


def plan(now: datetime, rng: random.Random) -> list[PastPO]:
    """The past POs: what each sold and how many buyers came, by season."""
    products = _products()
    batik = [p for name, p in products.items() if "Batik" in name]
    knit = [p for name, p in products.items() if any(w in name for w in ("Sweater", "Cardigan"))]
    other = [p for p in products.values() if p not in batik and p not in knit]
    today = timezone.localtime(now, WIB).date()
    lebarans = lebaran_days(range(today.year - 3, today.year + 1))
    found = []
    for k, day in enumerate(range(FIRST_DAY, LAST_DAY + 1, EVERY_DAYS)):
        opens_at = wib_moment(now, day + rng.randint(-3, 3), rng.choice((12, 19, 19, 20)))
        local = timezone.localtime(opens_at, WIB).date()
        to_lebaran = min(((d - local).days for d in lebarans if d >= local), default=999)
        weight = 1.0 + 0.6 * k / 24  # the shop grows
        if 0 <= to_lebaran <= 45:  # Ramadan: batik for Lebaran
            chosen, weight, season = (rng.choice(batik),), weight * 2.3, "Lebaran"
        elif local.month in (11, 12, 1):  # the rainy months, Harbolnas 12.12
            chosen = (rng.choice(knit),)
            weight *= 1.8 if local.month == 12 or (local.month == 11 and local.day > 25) else 1.2
            season = "12.12" if local.month == 12 else ""
        else:
            chosen = tuple(rng.sample(other, 2)) if rng.random() < 0.3 else (rng.choice(other),)
            season = ""
        closes_at = opens_at + timedelta(days=rng.choice((4, 5, 6)), hours=2)
        month = f"{MONTHS_ID[local.month - 1]} {local.year}"
        title = f"PO {chosen[0].name}" + (f" {season}" if season else "") + f" ({month})"
        found.append(
            PastPO(
                opens_at=opens_at,
                closes_at=closes_at,
                title=title,
                slug=f"{SLUG_PREFIX}{k + 1:02d}-{slugify(chosen[0].name)}"[:80],
                products=chosen,
                orders=max(20, round(BASE_ORDERS * weight * rng.lognormvariate(0, 0.2))),
            )
        )
    return found


def _size_weight(options: dict[str, str]) -> float:
    size = options.get("Ukuran", "")
    if size in ("M", "L", "S-M", "L-XL", "All size"):
        return 3.0
    return 1.5 if size in ("S", "XL") else 1.0


def _preference(specs: tuple[ProductSpec, ...], variant: Variant) -> float:
    values = variant.options.values()
    return max((s.preference.get(v, 1.0) for s in specs for v in values), default=1.0)


class History:
    """Loads the past POs into `shop` (its owner as `owner`), drawing from `rng`."""

    def __init__(self, shop: Shop, owner, now: datetime, rng: random.Random) -> None:
        self.shop, self.owner, self.now, self.rng = shop, owner, now, rng
        self.orders = 0
        known = list(Customer.objects.filter(shop=shop))
        taken = {c.phone for c in known}
        self.people = [make_person(rng, taken) for _ in range(PEOPLE)]
        self.regulars = known  # the story's buyers, some of whom bought before
        self.customers: dict[str, Customer] = {c.phone: c for c in known}
        self.codes = set(Order.objects.filter(shop=shop).values_list("code", flat=True))

    def load(self) -> int:
        for past in plan(self.now, self.rng):
            self._po(past)
        return self.orders

    def _code(self) -> str:
        """A code no order of the shop has (31⁵ codes: a few thousand random ones collide)."""
        code = new_order_code()
        while code in self.codes:
            code = new_order_code()
        self.codes.add(code)
        return code

    def _buyer(self, at: datetime) -> Customer:
        rng = self.rng
        if self.regulars and rng.random() < 0.08:
            customer = rng.choice(self.regulars)
        else:  # a power law: a few buyers come back again and again
            person = self.people[min(int(PEOPLE * rng.random() ** 1.25), PEOPLE - 1)]
            customer = self.customers.get(person.phone)
            if customer is None:
                customer = Customer.objects.create(
                    shop=self.shop,
                    phone=person.phone,
                    name=person.name,
                    email=person.email,
                    created_at=at,
                    updated_at=at,
                )
                customer.person = person
                self.customers[person.phone] = customer
        if customer.created_at > at:  # a story buyer who, it turns out, bought before
            Customer.objects.filter(pk=customer.pk).update(created_at=at)
            customer.created_at = at
        return customer

    def _variants(self, campaign: Campaign, specs: tuple[ProductSpec, ...]) -> list[Variant]:
        variants = []
        for spec in specs:
            product = Product.objects.create(
                campaign=campaign, name=spec.name, description=spec.description
            )
            keys = list(spec.options)
            for position, values in enumerate(combinations(*spec.options.values())):
                options = dict(zip(keys, values, strict=True))
                sku = "-".join([slugify(spec.name), *map(slugify, values)]).upper()[:64]
                quota = spec.size_quota.get(options.get("Ukuran", ""), spec.quota)
                variants.append(
                    Variant(
                        campaign=campaign,
                        product=product,
                        options=options,
                        sku=sku,
                        price=spec.price + sum(spec.surcharge.get(v, 0) for v in values),
                        quota=quota,
                        position=position,
                    )
                )
        return Variant.objects.bulk_create(variants)

    def _po(self, past: PastPO) -> None:
        rng, shop = self.rng, self.shop
        created_at = past.opens_at - timedelta(days=rng.randint(3, 7))
        production = past.closes_at + timedelta(days=2)
        campaign = Campaign.objects.create(
            shop=shop,
            title=past.title,
            slug=past.slug,
            description="PO yang sudah selesai.",
            status=Campaign.Status.COMPLETED,
            opens_at=past.opens_at,
            closes_at=past.closes_at,
            payment_window_hours=24,
            shipping_fee=15_000,
            published_at=created_at,
            closed_at=past.closes_at,
            close_reason=Campaign.CloseReason.TIME,
            production_started_at=production,
            created_at=created_at,
            updated_at=production + timedelta(days=14),
        )
        audit_event(
            action="campaign.created",
            subject=campaign,
            shop_id=shop.pk,
            actor=self.owner,
            at=created_at,
            data={"title": campaign.title, "history": True},
        )
        variants = self._variants(campaign, past.products)
        liked = [_size_weight(v.options) * _preference(past.products, v) for v in variants]
        reserved = {v.pk: 0 for v in variants}
        orders, lines, payments = [], [], []
        crowd = SimpleNamespace(orders=past.orders, rush=0.3, rush_minutes=150)
        times = sorted(order_times(crowd, past.opens_at, past.closes_at, rng))
        for at in times:
            open_ = [
                i for i, v in enumerate(variants) if v.quota is None or reserved[v.pk] < v.quota
            ]
            if not open_:
                break  # everything sold out
            items: dict[int, int] = {}
            for _ in range(rng.choices((1, 2), weights=(85, 15))[0]):
                i = rng.choices(open_, weights=[liked[j] for j in open_])[0]
                v = variants[i]
                room = v.quota - reserved[v.pk] if v.quota is not None else 3
                items[i] = min(items.get(i, 0) + rng.choices((1, 2, 3), (82, 14, 4))[0], room)
            status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
            customer = self._buyer(at)
            person = getattr(customer, "person", None)
            units = sum(items.values())
            subtotal = sum(variants[i].price * q for i, q in items.items())
            total = subtotal + campaign.shipping_fee
            active = status == "active"
            order = Order(
                shop=shop,
                campaign=campaign,
                customer=customer,
                code=self._code(),
                secret=new_order_secret(),
                buyer_name=customer.name,
                buyer_phone=customer.phone,
                buyer_email=customer.email,
                address=person.address if person else "Jl. Melati No. 5",
                city=person.city if person else "Bandung",
                province=person.province if person else "Jawa Barat",
                postal_code=person.postal_code if person else "40115",
                channel=rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0],
                status=status,
                payment_status="paid" if active else "unpaid",
                fulfillment_status="delivered" if active else "pending",
                units=units,
                subtotal=subtotal,
                shipping_fee=campaign.shipping_fee,
                total=total,
                deposit_due=total,
                amount_paid=total if active else 0,
                payment_deadline=at + timedelta(hours=24),
                created_at=at,
                updated_at=at + timedelta(days=20) if active else at + timedelta(hours=24),
                cancelled_at=at + timedelta(hours=5) if status == "cancelled" else None,
                expired_at=at + timedelta(hours=24) if status == "expired" else None,
            )
            orders.append((order, items, active))
            if active:
                for i, q in items.items():
                    reserved[variants[i].pk] += q
        Order.objects.bulk_create([o for o, _, _ in orders])
        for order, items, active in orders:
            for i, quantity in items.items():
                v = variants[i]
                lines.append(
                    OrderLine(
                        order=order,
                        variant=v,
                        product_name=v.product.name,
                        variant_label=" / ".join(v.options.values()),
                        sku=v.sku,
                        quantity=quantity,
                        unit_price=v.price,
                    )
                )
            if active:
                received = order.created_at + timedelta(minutes=3 + rng.expovariate(1 / 240))
                payments.append(
                    Payment(
                        shop=shop,
                        order=order,
                        amount=order.total,
                        status="confirmed",
                        source=Payment.Source.MANUAL,
                        received_at=received,
                        created_at=received,
                        decided_at=received,
                    )
                )
        OrderLine.objects.bulk_create(lines)
        Payment.objects.bulk_create(payments)
        for v in variants:
            v.reserved_units = reserved[v.pk]
        Variant.objects.bulk_update(variants, ["reserved_units"])
        campaign.reserved_units = sum(reserved.values())
        campaign.save(update_fields=["reserved_units"])
        self.orders += len(orders)


def load_history(shop: Shop, owner, *, now: datetime, rng: random.Random) -> int:
    """Load the past POs; returns the number of orders written."""
    return History(shop, owner, now, rng).load()
