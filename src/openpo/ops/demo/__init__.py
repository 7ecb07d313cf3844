"""The demo shop behind `openpo demo`: load it once, and say what is there and where to look.

The demo data lives in this package: `shop_data` (the shop, its campaigns and products),
`people` (the buyers and what they write), `story` (the loader that plays the shop's recent
history forward, always through the services, with `now=` set to the moment each step happened)
and `history` (two years of completed POs before that, bulk-loaded, for the insights pages). Dates
are relative to the moment of loading, so the demo always looks current: one PO is announced,
one takes orders now, and the older ones are closed, in production, shipping, completed or
failed their minimum order.

This module is the package's front door for the `demo` command and the tests. Loading is
idempotent: once the shop `demo` has its campaigns, `load_demo` changes nothing. Buyers are
drawn from `random.Random(SEED)`, so two loads at the same moment tell the same story (order
codes and secrets stay random: they come from the order service).
"""

import random
from dataclasses import dataclass
from datetime import datetime
from time import perf_counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from openpo.catalog.models import Campaign, Membership, Shop
from openpo.catalog.services import add_bank_account, add_member, create_shop
from openpo.insights import tallies
from openpo.ops.demo.history import SLUG_PREFIX, load_history
from openpo.ops.demo.shop_data import (
    BANK_ACCOUNTS,
    OPENED,
    OWNER,
    PASSWORD,
    SHOP,
    SHOP_SLUG,
    USERNAME,
)
from openpo.ops.demo.story import Story
from openpo.ops.demo.timing import wib_moment
from openpo.orders.models import Customer, Order

__all__ = [
    "PASSWORD",
    "SEED",
    "SHOP_SLUG",
    "USERNAME",
    "CampaignLink",
    "LoadResult",
    "campaign_links",
    "counts",
    "ensure_shop",
    "ensure_user",
    "is_loaded",
    "load_demo",
    "site_url",
]

SEED = 20240817


@dataclass(frozen=True)
class LoadResult:
    shop: Shop
    loaded: bool  # False when the demo was already there and nothing changed
    seconds: float


@dataclass(frozen=True)
class CampaignLink:
    title: str
    phase: str
    orders: int
    units: int
    url: str


def is_loaded() -> bool:
    return Campaign.objects.filter(shop__slug=SHOP_SLUG).exists()


def load_demo(*, now: datetime | None = None, seed: int = SEED) -> LoadResult:
    """Create the demo user, shop and campaigns with their history, once; in one transaction."""
    started = perf_counter()
    with transaction.atomic():
        if is_loaded():
            shop = Shop.objects.get(slug=SHOP_SLUG)
            return LoadResult(shop, False, perf_counter() - started)
        now = now or timezone.now()
        owner = ensure_user()
        shop = ensure_shop(owner, now=wib_moment(now, *OPENED))
        Story(shop=shop, owner=owner, now=now, rng=random.Random(seed)).tell()
        load_history(shop, owner, now=now, rng=random.Random(seed + 1))
        tallies.forget(shop)  # bulk-loaded orders: the insights count them from scratch
    return LoadResult(shop, True, perf_counter() - started)


def ensure_user() -> AbstractUser:
    """The `demo` superuser; the password is set directly (the validators would refuse it)."""
    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    for name, value in OWNER.items():
        setattr(user, name, value)
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(PASSWORD)
    user.save()
    return user


def ensure_shop(owner: AbstractUser, *, now: datetime | None = None) -> Shop:
    """The shop `demo` with its owner and bank accounts (an empty existing one is reused).

    A new shop says it was created at `now` (the moment the story has it set up).
    """
    shop = Shop.objects.filter(slug=SHOP_SLUG).first()
    if shop is None:
        shop = create_shop(slug=SHOP_SLUG, owner=owner, now=now, **SHOP)
    else:
        add_member(shop=shop, user=owner, role=Membership.Role.OWNER)
    if not shop.bank_accounts.exists():
        for bank, number, holder in BANK_ACCOUNTS:
            add_bank_account(
                shop=shop,
                bank_name=bank,
                account_number=number,
                account_holder=holder,
                actor=owner,
                now=now,
            )
    return shop


def campaign_links(shop: Shop, *, now: datetime | None = None) -> list[CampaignLink]:
    """Each campaign the story plays (not the past ones) with its phase and its public page."""
    now = now or timezone.now()
    campaigns = (
        shop.campaigns.exclude(slug__startswith=SLUG_PREFIX)
        .annotate(live_orders=Count("orders", filter=Q(orders__status=Order.Status.ACTIVE)))
        .order_by("opens_at")
    )
    return [
        CampaignLink(
            title=campaign.title,
            phase=campaign.phase(now),
            orders=campaign.live_orders,
            units=campaign.reserved_units,
            url=site_url(reverse("campaign", args=[shop.slug, campaign.slug])),
        )
        for campaign in campaigns
    ]


def site_url(path: str = "/") -> str:
    base = getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def counts() -> dict[str, int]:
    """How much demo data there is (for the command's summary and the tests)."""
    shop = Shop.objects.filter(slug=SHOP_SLUG)
    campaigns = Campaign.objects.filter(shop__in=shop)
    return {
        "campaigns": campaigns.count(),
        "past_campaigns": campaigns.filter(slug__startswith=SLUG_PREFIX).count(),
        "orders": Order.objects.filter(shop__in=shop).count(),
        "customers": Customer.objects.filter(shop__in=shop).count(),
    }
