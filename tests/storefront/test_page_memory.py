"""The campaign page is drawn once a second per process; each buyer gets their own tokens in it.

During a war PO the page is asked for far more often than the PO changes: a kept copy answers
without a query, yet every buyer's form carries its own CSRF token and idempotency key (so two
buyers' orders never collide), every page its own CSP nonce, and the slots left are never more
than `HOLD_SECONDS` old.
"""

import re
import time
from datetime import timedelta

import pytest
from django.test import Client

from openpo.storefront import page_memory
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _url(campaign):
    return f"/{campaign.shop.slug}/{campaign.slug}/"


def _own_values(response):
    html = response.content.decode()
    csrf = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in html  # the scripts carry the header's nonce
    assert len(set(csrf)) == 1  # one token on the whole page
    return csrf[0], key, nonce


def test_a_kept_page_costs_no_query_and_gives_each_buyer_their_own_tokens(
    client, campaign, variants, django_assert_max_num_queries
):
    first = client.get(_url(campaign))
    with django_assert_max_num_queries(0):
        second = Client().get(_url(campaign))

    assert first.status_code == second.status_code == 200
    mine, theirs = _own_values(first), _own_values(second)
    assert all(a != b for a, b in zip(mine, theirs, strict=True))
    assert page_memory.CSRF_HOLE not in second.content.decode()
    strip = re.compile(r'(value="[^"]+"|nonce="[^"]+")')
    assert strip.sub("", first.content.decode()) == strip.sub("", second.content.decode())


def test_an_order_from_a_kept_page_passes_the_csrf_check(campaign, variants):
    Client().get(_url(campaign))  # drawn and kept
    buyer = Client(enforce_csrf_checks=True)
    page = buyer.get(_url(campaign))
    csrf, key, _nonce = _own_values(page)
    data = {
        "csrfmiddlewaretoken": csrf,
        "idempotency_key": key,
        f"qty_{variants[0].pk}": "1",
        "name": "Sari",
        "phone": "0812 3333 4444",
        "province": "Jawa Barat",
        "city": "Bandung",
        "address": "Jl. Mawar 1",
        "postal_code": "40111",
        "terms": "on",
    }

    response = buyer.post(f"{_url(campaign)}order/", data)

    assert response.status_code == 302
    assert response["Location"].startswith("/o/")


def test_the_slots_left_are_never_older_than_the_hold(client, shop, now, buyer):
    campaign = make_campaign(shop, now=now, quotas=(5,), slug="lima")
    assert "Sisa 5 slot" in client.get(_url(campaign)).content.decode()
    drawn = time.monotonic()
    factories.order(campaign, variant=campaign.variants.get(), buyer=buyer, now=now)

    while "Sisa 5 slot" in (html := client.get(_url(campaign)).content.decode()):
        assert time.monotonic() - drawn < page_memory.HOLD_SECONDS + 0.5
        time.sleep(0.05)
    assert "Sisa 4 slot" in html


def test_a_seller_saving_the_po_is_shown_at_once(client, campaign, variants):
    assert "PO Kaos Agustus" in client.get(_url(campaign)).content.decode()
    campaign.title = "PO Kaos September"
    campaign.save()

    assert "PO Kaos September" in client.get(_url(campaign)).content.decode()


def test_a_page_with_a_flash_message_is_drawn_for_its_visitor(client, shop, now):
    campaign = make_campaign(shop, now=now, slug="besok", opens_at=now + timedelta(days=1))
    client.get(_url(campaign))  # kept
    client.post(f"{_url(campaign)}remind/", {"contact": "0812 5555 6666"})

    html = client.get(_url(campaign)).content.decode()
    assert "Kami akan mengingatkan" in html
    assert "Kami akan mengingatkan" not in Client().get(_url(campaign)).content.decode()
