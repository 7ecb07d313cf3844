"""The small shop every insights test counts by hand (the table is in test_figures.py)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from openpo.catalog.services.lifecycle import advance_campaign
from openpo.orders.models import Order
from openpo.orders.services import cancel_order
from tests import factories
from tests.conftest import make_campaign

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
WEEK = timedelta(days=7)


@pytest.fixture
def world(shop):
    kaos = make_campaign(shop, now=T0, slug="kaos", quotas=(3, None))
    small, medium = kaos.variants.order_by("position")

    def buyer(n, province):
        return factories.buyer(n, province=province, city="Kota", postal_code="40111")

    first = factories.order(kaos, items={small.pk: 2}, buyer=buyer(1, "Jawa Barat"), now=T0)
    factories.order(
        kaos,
        items={medium.pk: 1},
        buyer=buyer(2, "DKI Jakarta"),
        channel=Order.Channel.WHATSAPP,
        now=T0 + timedelta(hours=1),
    )
    factories.order(
        kaos,
        items={small.pk: 1, medium.pk: 2},
        buyer=buyer(3, "Jawa Barat"),
        now=T0 + timedelta(hours=26),
    )
    fourth = factories.order(
        kaos, items={medium.pk: 1}, buyer=buyer(4, "Bali"), now=T0 + timedelta(hours=27)
    )
    cancel_order(order=fourth, reason="batal", now=T0 + timedelta(hours=28))
    advance_campaign(campaign=kaos, now=kaos.closes_at + timedelta(minutes=1))  # closed

    hoodie = make_campaign(shop, now=T0 + WEEK, slug="hoodie", quotas=(None, None), moq_units=3)
    h_small, h_medium = hoodie.variants.order_by("position")
    factories.order(
        hoodie,
        items={h_small.pk: 1},
        buyer=buyer(1, "Jawa Barat"),
        channel=Order.Channel.MANUAL,
        now=T0 + WEEK,
    )
    factories.order(
        hoodie,
        items={h_medium.pk: 3},
        buyer=replace(buyer(5, ""), city=""),
        channel=Order.Channel.IMPORT,
        now=T0 + WEEK + timedelta(hours=3),
    )
    return {"kaos": kaos, "hoodie": hoodie, "first": first}


NOW = T0 + WEEK + timedelta(days=1)
