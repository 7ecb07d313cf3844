"""An Idempotency-Key makes a retry safe, and cannot be used to read another buyer's order.

Before, a repeated key answered the first order, whatever the body: anyone who learnt or
guessed a key got that order's code and its secret `order_url` (the buyer's address, phone
and payment) by posting any order with it.
"""

import pytest

from openpo.catalog.services import close_campaign
from openpo.orders.models import Order, OrderLine
from tests.api.conftest import order_body, post_order, reserved
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(client, campaign, variants):
    """Budi's order of 2 × S and 1 × M, sent with the key `k-1`."""
    body = order_body([(variants[0].sku, 2), (variants[1].sku, 1)])
    response = post_order(client, campaign, body, key="k-1")
    assert response.status_code == 201
    return response.json()


def _assert_refused_without_the_order(response, order):
    assert response.status_code == 422
    assert response.json() == {
        "code": "idempotency_mismatch",
        "message": "This Idempotency-Key was already used for a different order.",
        "errors": None,
    }
    text = response.content.decode()
    assert order.code not in text and order.secret not in text and "/o/" not in text


@pytest.mark.parametrize(
    "change",
    [
        {"items": [("S", 3), ("M", 1)]},  # another quantity
        {"items": [("S", 2)]},  # a line less
        {"items": [("S", 2), ("M", 1), ("L", 1)]},  # a line more
        {"name": "Charlie Mencoba"},
        {"phone": "0813-0000-1111"},
        {"address": "Jl. Lain No. 9"},
        {"notes": "kirim ke alamat saya saja"},
        {"email": "charlie@example.com"},
    ],
)
def test_the_same_key_with_another_order_is_refused_and_shows_nothing(en, shop, now, change):
    campaign = make_campaign(shop, now=now, quotas=(20, None, None), slug="tiga")
    by_size = {v.label: v.sku for v in campaign.variants.all()}
    original = order_body([(by_size["S"], 2), (by_size["M"], 1)])
    assert post_order(en, campaign, original, key="k-1").status_code == 201
    order = Order.objects.get()
    before = reserved(campaign)

    changed = dict(original)
    if "items" in change:
        items = [(by_size[size], units) for size, units in change["items"]]
        changed["items"] = order_body(items)["items"]
    else:
        changed.update(change)
    response = post_order(en, campaign, changed, key="k-1")

    _assert_refused_without_the_order(response, order)
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 2
    assert reserved(campaign) == before == ([2, 1, 0], 3)


def test_the_same_key_with_the_same_order_answers_that_order_again(
    client, campaign, variants, first
):
    body = order_body([(variants[0].sku, 2), (variants[1].sku, 1)])

    again = post_order(client, campaign, body, key="k-1")

    assert again.status_code == 201
    assert again.json() == first
    assert Order.objects.count() == 1
    assert reserved(campaign) == ([2, 1], 3)


def test_the_same_order_written_differently_is_the_same_request(client, campaign, variants, first):
    """Lines in another order, a line split in two, spaces around the fields, the SKU's case:
    what the order is does not change, so neither does the answer."""
    body = order_body(
        [(variants[1].sku.lower(), 1), (variants[0].sku, 1), (variants[0].sku, 1)],
        name="  Budi Santoso ",
        city="Bandung ",
    )

    again = post_order(client, campaign, body, key="k-1")

    assert again.status_code == 201 and again.json()["code"] == first["code"]
    assert Order.objects.count() == 1


def test_the_key_is_remembered_even_after_the_po_closed(client, campaign, variants, first, now):
    close_campaign(campaign=campaign, now=now)
    body = order_body([(variants[0].sku, 2), (variants[1].sku, 1)])
    assert post_order(client, campaign, body, key="k-1").json()["code"] == first["code"]
    changed = order_body([(variants[0].sku, 1)])
    response = post_order(client, campaign, changed, key="k-1")
    assert (response.status_code, response.json()["code"]) == (422, "idempotency_mismatch")


def test_an_order_from_before_fingerprints_matches_any_request(client, campaign, variants, first):
    Order.objects.update(request_fingerprint="")

    again = post_order(client, campaign, order_body([(variants[0].sku, 5)]), key="k-1")

    assert again.status_code == 201 and again.json()["code"] == first["code"]
    assert Order.objects.count() == 1
    assert reserved(campaign) == ([2, 1], 3)


def test_the_fingerprint_is_kept_with_the_key_and_only_with_it(client, campaign, variants, first):
    assert len(Order.objects.get().request_fingerprint) == 64
    post_order(client, campaign, order_body([(variants[0].sku, 1)]))
    assert Order.objects.get(idempotency_key="").request_fingerprint == ""


def test_without_a_key_every_request_is_a_new_order(client, campaign, variants):
    body = order_body([(variants[0].sku, 1)])
    codes = {post_order(client, campaign, body).json()["code"] for _ in range(2)}
    assert len(codes) == 2
    assert reserved(campaign) == ([2, 0], 2)
