"""Buyers see the early-bird price while it is on, next to the struck-through normal price."""

from datetime import timedelta

import pytest

from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _with_early_bird(shop, now, **options):
    campaign = make_campaign(shop, now=now, **options)
    variant = campaign.variants.first()
    variant.early_bird_price = 99_000
    variant.save(update_fields=["early_bird_price"])
    return campaign


def test_the_campaign_page_shows_the_early_bird_price(client, shop, now):
    campaign = _with_early_bird(shop, now, early_bird_units=10)
    html = client.get(f"/{shop.slug}/{campaign.slug}/").content.decode()
    assert "<s" in html and "Rp 99.000" in html and "Rp 120.000" in html
    assert 'class="early-bird"' in html


def test_after_the_early_bird_date_only_the_normal_price_shows(client, shop, now):
    campaign = _with_early_bird(shop, now, early_bird_until=now - timedelta(minutes=30))
    html = client.get(f"/{shop.slug}/{campaign.slug}/").content.decode()
    assert "Rp 99.000" not in html and 'class="early-bird"' not in html


def test_the_api_tells_the_current_and_the_normal_price(client, shop, now):
    campaign = _with_early_bird(shop, now, early_bird_units=10)
    body = client.get(f"/api/v1/public/{shop.slug}/{campaign.slug}").json()
    first = body["variants"][0]
    assert (first["price"], first["current_price"], first["early_bird_price"]) == (
        120_000,
        99_000,
        99_000,
    )
    assert body["early_bird_units_left"] == 10
