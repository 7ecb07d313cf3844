"""The seller API's customers: the list (search, cursor pages) with order counts and money, and
one customer with their order history, seen only by the token's shop."""

from datetime import timedelta

import pytest

from openpo.catalog.services.api_tokens import create_token
from openpo.orders.models import Customer
from openpo.orders.services import cancel_order
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(shop, alice):
    return create_token(shop=shop, user=alice, name="sync")[1]


def get(client, path, token, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1/shop/{path}", params, headers=headers)


def names(response):
    assert response.status_code == 200, response.content
    return [c["name"] for c in response.json()["items"]]


@pytest.fixture
def world(shop, other_shop, campaign, now):
    """Sari orders twice (one paid, in two POs), Budi once (cancelled); charlie's shop has
    a customer of its own."""
    hoodie = make_campaign(shop, now=now, slug="hoodie", title="PO Hoodie")
    sari = factories.buyer(1, name="Sari Wulandari", phone="0813-2222-3333")
    first = factories.paid_order(campaign, buyer=sari, units=2, now=now - timedelta(minutes=20))
    second = factories.order(hoodie, buyer=sari, now=now - timedelta(minutes=10))
    budi = factories.order(campaign, buyer=factories.buyer(2, name="Budi Santoso"), now=now)
    cancel_order(order=budi, reason="batal")
    factories.order(make_campaign(other_shop, now=now, slug="lain"), buyer=factories.buyer(3))
    return {"first": first, "second": second, "budi": budi}


def test_it_lists_the_shops_customers_with_what_they_ordered_and_paid(client, token, world):
    response = get(client, "customers", token)

    assert names(response) == ["Budi Santoso", "Sari Wulandari"]
    sari = response.json()["items"][1]
    assert sari["phone"] == "+6281322223333"
    assert sari["order_count"] == 2
    assert sari["total_spent"] == world["first"].total
    assert sari["last_order_at"].endswith("+07:00")
    assert response.json()["next_cursor"] is None


def test_q_finds_a_name_or_a_number(client, token, world):
    assert names(get(client, "customers", token, q="wulan")) == ["Sari Wulandari"]
    assert names(get(client, "customers", token, q="0813 2222")) == ["Sari Wulandari"]
    assert names(get(client, "customers", token, q="+6281322223333")) == ["Sari Wulandari"]
    assert names(get(client, "customers", token, q="Pembeli 3")) == []


def test_the_pages_walk_every_customer_once(client, shop, campaign, token, now):
    for n in range(5):
        factories.order(campaign, buyer=factories.buyer(n + 10), now=now)
    seen, cursor = [], ""
    while True:
        response = get(client, "customers", token, limit=2, cursor=cursor)
        seen += names(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert sorted(seen) == sorted(Customer.objects.filter(shop=shop).values_list("name", flat=True))
    assert len(seen) == len(set(seen)) == 5


def test_a_broken_cursor_is_422_naming_it(client, token):
    response = get(client, "customers", token, cursor="!!")

    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]


def test_one_customer_comes_with_their_order_history(client, token, world):
    sari = world["first"].customer

    response = get(client, f"customers/{sari.pk}", token)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Sari Wulandari" and body["order_count"] == 2
    assert [(o["code"], o["campaign"], o["payment_status"]) for o in body["orders"]] == [
        (world["second"].code, "hoodie", "unpaid"),
        (world["first"].code, "po-kaos-agustus", "paid"),
    ]
    assert body["orders"][1]["total"] == world["first"].total


def test_another_shops_customer_is_404(client, token, world, other_shop):
    stranger = Customer.objects.get(shop=other_shop)

    for path in (f"customers/{stranger.pk}", "customers/999999", "customers/0"):
        response = get(client, path, token)
        assert response.status_code in (404, 422), path
    assert get(client, f"customers/{stranger.pk}", token).json()["code"] == "not_found"
    assert "Pembeli 3" not in names(get(client, "customers", token))


def test_without_a_token_customers_are_401(client, world):
    sari = world["first"].customer

    for path in ("customers", f"customers/{sari.pk}"):
        response = get(client, path, None)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"


def test_refunds_come_off_what_a_buyer_spent_and_an_opt_out_shows(client, token, world, now):
    from openpo.orders.models import Order

    Order.objects.filter(pk=world["first"].pk).update(amount_refunded=10_000)
    Customer.objects.filter(phone="+6281322223333").update(opted_out_at=now)

    sari = get(client, "customers", token, q="wulan").json()["items"][0]

    assert sari["total_spent"] == world["first"].total - 10_000
    assert sari["opted_out_at"] is not None and sari["whatsapp_last_message_at"] is None
