"""What the API tests share: an order's body, posting it, and the state a refusal must leave."""

import json

import pytest
from django.conf import settings

from openpo.catalog.models import Campaign, Variant
from openpo.orders.models import Order, OrderLine


@pytest.fixture
def en(client):
    """A client that reads English messages (the language switch's cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def order_body(sku_quantities, **buyer):
    return {
        "name": "Budi Santoso",
        "phone": "0812-9999-8888",
        "address": "Jl. Mawar No. 1",
        "city": "Bandung",
        "province": "Jawa Barat",
        "postal_code": "40111",
        "items": [{"sku": sku, "quantity": q} for sku, q in sku_quantities],
        **buyer,
    }


def orders_url(campaign):
    return f"/api/v1/public/{campaign.shop.slug}/{campaign.slug}/orders"


def post_order(client, campaign, body, key=""):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        orders_url(campaign), json.dumps(body), content_type="application/json", headers=headers
    )


def reserved(campaign):
    """Units reserved per variant (in display order) and on the campaign."""
    per_variant = list(
        Variant.objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("reserved_units", flat=True)
    )
    return per_variant, Campaign.objects.get(pk=campaign.pk).reserved_units


def assert_nothing_ordered(campaign):
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert reserved(campaign) == ([0] * len(reserved(campaign)[0]), 0)
