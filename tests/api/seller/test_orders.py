"""The seller API's orders: the list across POs (filters, cursor pages), one order by code, an
order recorded from a chat, changes, cancelling, payments and the shipment, seen only by the
token's shop."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openpo.catalog.models import Campaign, Variant
from openpo.catalog.services.api_tokens import create_token
from openpo.fulfillment.models import Shipment
from openpo.orders.models import Order, OrderLine
from openpo.payments.models import Payment
from tests import factories
from tests.api.conftest import order_body
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

S, M = "KAOS-POLOS-S", "KAOS-POLOS-M"


@pytest.fixture
def token(shop, alice):
    return create_token(shop=shop, user=alice, name="sync")[1]


@pytest.fixture
def outsider_token(other_shop, charlie):
    return create_token(shop=other_shop, user=charlie, name="rahasia")[1]


def call(client, method, path, token, body=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api/v1/shop/{path}", **kwargs)


def codes(response):
    assert response.status_code == 200, response.content
    return [o["code"] for o in response.json()["items"]]


def reserved(variant):
    return Variant.objects.get(pk=variant.pk).reserved_units


# --- reading --------------------------------------------------------------------------------


def test_it_lists_the_shops_orders_across_pos_newest_first_with_their_lines(
    client, shop, other_shop, campaign, token, now
):
    second = make_campaign(shop, now=now, slug="hoodie", title="PO Hoodie")
    first = factories.order(campaign, units=2, now=now - timedelta(minutes=30))
    last = factories.order(second, buyer=factories.buyer(2), now=now - timedelta(minutes=5))
    factories.order(make_campaign(other_shop, now=now, slug="lain"), now=now)

    response = call(client, "get", "orders", token)

    assert codes(response) == [last.code, first.code]
    body = response.json()
    assert body["next_cursor"] is None
    row = body["items"][1]
    assert row["campaign"] == "po-kaos-agustus" and row["status"] == "active"
    assert row["lines"] == [
        {
            "sku": S,
            "product": "Kaos Polos",
            "variant": "S",
            "quantity": 2,
            "unit_price": 120_000,
            "line_total": 240_000,
        }
    ]
    assert row["total"] == 255_000 and row["outstanding"] == 255_000
    assert row["created_at"].endswith("+07:00")  # the shop's time (WIB)


def test_each_filter_narrows_the_list(client, shop, campaign, token, now, variants):
    second = make_campaign(shop, now=now, slug="hoodie", title="PO Hoodie")
    budi = factories.order(campaign, buyer=factories.buyer(1, name="Budi Santoso"), now=now)
    paid = factories.paid_order(campaign, buyer=factories.buyer(2, phone="0813-5555-1234"))
    other_po = factories.order(second, buyer=factories.buyer(3))
    cancelled = factories.order(campaign, buyer=factories.buyer(4))
    call(client, "post", f"orders/{cancelled.code}/cancel", token, {"reason": "batal"})

    assert codes(call(client, "get", "orders?campaign=hoodie", token)) == [other_po.code]
    assert codes(call(client, "get", "orders?status=cancelled", token)) == [cancelled.code]
    assert codes(call(client, "get", "orders?payment=paid", token)) == [paid.code]
    assert set(codes(call(client, "get", "orders?fulfillment=pending", token))) == {
        budi.code,
        paid.code,
        other_po.code,
        cancelled.code,
    }
    assert codes(call(client, "get", "orders?q=budi", token)) == [budi.code]
    assert codes(call(client, "get", "orders?q=0813 5555", token)) == [paid.code]
    assert codes(call(client, "get", f"orders?q={budi.code.lower()}", token)) == [budi.code]
    auth = {"Authorization": f"Bearer {token}"}
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    after = client.get("/api/v1/shop/orders", {"created_since": later}, headers=auth)
    assert codes(after) == []
    earlier = (timezone.now() - timedelta(hours=1)).isoformat()
    since = client.get("/api/v1/shop/orders", {"updated_since": earlier}, headers=auth)
    assert len(codes(since)) == 4


def test_a_status_that_does_not_exist_is_422(client, token, campaign):
    response = call(client, "get", "orders?status=lunas", token)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_the_pages_walk_every_order_once_while_new_orders_arrive(client, campaign, token, now):
    placed = [
        factories.order(campaign, buyer=factories.buyer(n), now=now - timedelta(minutes=10 - n))
        for n in range(7)
    ]
    # Two orders at the very same moment: the id breaks the tie.
    placed += [factories.order(campaign, buyer=factories.buyer(n), now=now) for n in (8, 9)]
    seen, cursor, pages = [], "", 0
    while True:
        response = call(client, "get", f"orders?limit=3&cursor={cursor}", token)
        seen += codes(response)
        pages += 1
        if pages == 1:  # a buyer orders between two pages
            factories.order(campaign, buyer=factories.buyer(20), now=timezone.now())
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert seen == [o.code for o in sorted(placed, key=lambda o: (o.created_at, o.pk))][::-1]


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyJ4IiwxXQ", "%00", "x" * 201])
def test_a_cursor_this_list_did_not_give_is_422_naming_it(client, campaign, token, cursor):
    response = call(client, "get", f"orders?cursor={cursor}", token)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert any("cursor" in field for field in body["errors"])


@pytest.mark.parametrize("limit", [0, 201, "x"])
def test_a_limit_out_of_range_is_422(client, token, limit):
    assert call(client, "get", f"orders?limit={limit}", token).status_code == 422


def test_it_reads_one_order_by_its_code_in_any_case(client, campaign, token, now):
    order = factories.order(campaign, units=2, now=now)

    response = call(client, "get", f"orders/{order.code.lower()}", token)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == order.code
    assert body["buyer"]["name"] == "Pembeli 1" and body["buyer"]["phone"] == "+6281200000001"
    assert body["buyer"]["address"] == "Jl. Melati 2"
    assert body["total"] == 255_000 and body["amount_paid"] == 0 and body["outstanding"] == 255_000
    assert body["transfer_amount"] == order.open_expected_payment.amount
    assert [e["status"] for e in body["expected_payments"]] == ["open"]
    assert body["payments"] == [] and body["shipment"] is None
    assert body["order_url"].endswith(f"/o/{order.secret}/")
    assert body["payment_deadline"].endswith("+07:00")


def test_a_code_that_is_no_order_of_the_shop_is_404(client, token, campaign):
    for code in ("PO-XXXXX", "PO%00X", "a" * 30):
        response = call(client, "get", f"orders/{code}", token)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- manual orders --------------------------------------------------------------------------


def test_a_manual_order_is_recorded_by_sku(client, campaign, token, alice, variants):
    body = order_body([(S.lower(), 2), (M, 1), (S, 1)])

    response = call(client, "post", f"campaigns/{campaign.slug}/orders", token, body)

    assert response.status_code == 201, response.content
    created = response.json()
    order = Order.objects.get(code=created["code"])
    assert order.channel == Order.Channel.MANUAL
    assert dict(order.lines.values_list("sku", "quantity")) == {S: 3, M: 1}
    assert created["units"] == 4 and created["total"] == 4 * 120_000 + 15_000
    assert reserved(variants[0]) == 3


def test_a_retried_manual_order_with_its_key_makes_one_order(client, campaign, token):
    body = order_body([(S, 1)])
    path = f"campaigns/{campaign.slug}/orders"

    first = call(client, "post", path, token, body, **{"Idempotency-Key": "chat-17"})
    again = call(client, "post", path, token, body, **{"Idempotency-Key": "chat-17"})
    other = call(
        client, "post", path, token, order_body([(S, 2)]), **{"Idempotency-Key": "chat-17"}
    )

    assert first.status_code == again.status_code == 201
    assert first.json()["code"] == again.json()["code"]
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    assert Order.objects.count() == 1


def test_a_manual_order_never_oversells_the_quota(client, campaign, token, variants):
    factories.order(campaign, units=19)

    response = call(
        client, "post", f"campaigns/{campaign.slug}/orders", token, order_body([(S, 2)])
    )

    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert Order.objects.count() == 1 and reserved(variants[0]) == 19


def test_an_unknown_sku_and_a_bad_quantity_are_named_by_line(client, campaign, token):
    body = order_body([("NOPE", 1)])
    body["items"].append({"sku": S, "quantity": "2"})

    response = call(client, "post", f"campaigns/{campaign.slug}/orders", token, body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"items.1.quantity"}
    response = call(
        client, "post", f"campaigns/{campaign.slug}/orders", token, order_body([("NOPE", 1)])
    )
    assert response.json()["errors"] == {
        "items.0.sku": [response.json()["errors"]["items.0.sku"][0]]
    }
    assert not Order.objects.exists()


# --- changes --------------------------------------------------------------------------------


def test_patch_corrects_the_buyers_details_only_as_sent(client, campaign, token):
    order = factories.order(campaign)

    response = call(
        client,
        "patch",
        f"orders/{order.code}",
        token,
        {"address": "Jl. Kenanga 9", "city": "Depok"},
    )

    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert (order.address, order.city, order.buyer_name) == ("Jl. Kenanga 9", "Depok", "Pembeli 1")
    assert response.json()["buyer"]["address"] == "Jl. Kenanga 9"


def test_patch_refuses_a_buyer_without_a_name_by_field(client, campaign, token):
    order = factories.order(campaign)

    response = call(client, "patch", f"orders/{order.code}", token, {"name": None})

    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    order.refresh_from_db()
    assert order.buyer_name == "Pembeli 1"


def test_patch_changes_the_items_within_the_quota(client, campaign, token, variants):
    order = factories.order(campaign, units=2)

    response = call(
        client, "patch", f"orders/{order.code}", token, {"items": [{"sku": M, "quantity": 3}]}
    )

    assert response.status_code == 200, response.content
    assert [(line["sku"], line["quantity"]) for line in response.json()["lines"]] == [(M, 3)]
    assert reserved(variants[0]) == 0 and reserved(variants[1]) == 3
    assert Order.objects.get(pk=order.pk).total == 3 * 120_000 + 15_000


def test_patch_over_the_quota_is_refused_and_changes_nothing(client, campaign, token, variants):
    order = factories.order(campaign, units=2)
    factories.order(campaign, units=17, buyer=factories.buyer(2))

    response = call(
        client,
        "patch",
        f"orders/{order.code}",
        token,
        {"city": "Depok", "items": [{"sku": S, "quantity": 4}]},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    order.refresh_from_db()
    assert order.units == 2 and order.city == ""
    assert list(OrderLine.objects.filter(order=order).values_list("quantity", flat=True)) == [2]
    assert reserved(variants[0]) == 19


def test_cancelling_frees_the_quota_and_keeps_the_reason(client, campaign, token, variants):
    order = factories.order(campaign, units=5)

    response = call(
        client, "post", f"orders/{order.code}/cancel", token, {"reason": "Salah ukuran"}
    )
    again = call(client, "post", f"orders/{order.code}/cancel", token, {"reason": "lagi"})

    assert response.status_code == again.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Salah ukuran"
    assert reserved(variants[0]) == 0
    assert Campaign.objects.get(pk=campaign.pk).reserved_units == 0
    assert again.json()["cancel_reason"] == "Salah ukuran"


def test_cancelling_needs_a_reason(client, campaign, token):
    order = factories.order(campaign)

    response = call(client, "post", f"orders/{order.code}/cancel", token, {})

    assert response.status_code == 422
    assert "reason" in response.json()["errors"]
    assert Order.objects.get(pk=order.pk).status == "active"


# --- money and shipping -----------------------------------------------------------------------


def test_recording_the_whole_amount_makes_the_order_paid(client, campaign, token, alice):
    order = factories.order(campaign)
    amount = order.open_expected_payment.amount

    response = call(
        client, "post", f"orders/{order.code}/payments", token, {"amount": amount, "note": "Tunai"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["payment_status"] == "paid" and body["outstanding"] == 0
    assert body["amount_paid"] == order.total
    assert body["payments"][0]["note"] == "Tunai" and body["payments"][0]["source"] == "manual"
    payment = Payment.objects.get(order=order)
    assert payment.decided_by == alice and payment.status == Payment.Status.CONFIRMED


def test_more_than_owed_needs_the_sellers_word(client, campaign, token):
    order = factories.order(campaign)

    refused = call(client, "post", f"orders/{order.code}/payments", token, {"amount": 999_999})
    taken = call(
        client,
        "post",
        f"orders/{order.code}/payments",
        token,
        {"amount": 999_999, "more_than_owed": True},
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "overpayment_not_confirmed"
    assert taken.status_code == 201
    credited = taken.json()["payments"][0]["credited"]  # the kode unik is not the buyer's
    assert taken.json()["to_refund"] == credited - order.total > 0


@pytest.mark.parametrize("amount", [0, -5, 1.5, "100", 10**12])
def test_an_amount_that_is_no_rupiah_is_422(client, campaign, token, amount):
    order = factories.order(campaign)

    response = call(client, "post", f"orders/{order.code}/payments", token, {"amount": amount})

    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_a_paid_order_ships_with_its_resi(client, campaign, token):
    order = factories.paid_order(campaign)

    response = call(
        client,
        "post",
        f"orders/{order.code}/shipment",
        token,
        {"courier": "jne", "tracking_number": "CGK1234567890", "ship": True},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["fulfillment_status"] == "shipped"
    assert body["shipment"]["tracking_number"] == "CGK1234567890"
    assert body["shipment"]["courier_label"] == "JNE"
    assert body["shipment"]["shipped_at"] is not None
    assert Shipment.objects.get().orders.get() == order


def test_a_packed_parcel_gets_its_resi_then_ships(client, campaign, token):
    order = factories.paid_order(campaign)
    path = f"orders/{order.code}/shipment"

    packed = call(client, "post", path, token, {"courier": "jne"})
    shipped = call(
        client, "post", path, token, {"courier": "jne", "tracking_number": "CGK1", "ship": True}
    )
    again = call(client, "post", path, token, {"courier": "jne", "tracking_number": "CGK1"})
    changed = call(client, "post", path, token, {"courier": "jne", "tracking_number": "CGK2"})

    assert packed.status_code == 201 and packed.json()["fulfillment_status"] == "packed"
    assert shipped.status_code == 200 and shipped.json()["fulfillment_status"] == "shipped"
    assert again.status_code == 200
    assert changed.status_code == 409 and changed.json()["code"] == "wrong_status"
    assert Shipment.objects.get().tracking_number == "CGK1"


def test_an_unpaid_order_ships_only_with_a_reason(client, campaign, token):
    order = factories.order(campaign)
    path = f"orders/{order.code}/shipment"

    refused = call(client, "post", path, token, {"courier": "jne", "ship": True})

    assert refused.status_code == 409
    assert refused.json()["code"] == "unpaid"
    assert not Shipment.objects.exists()
    allowed = call(
        client,
        "post",
        path,
        token,
        {"courier": "pickup", "ship": True, "override_reason": "Bayar di tempat"},
    )
    assert allowed.status_code == 201, allowed.content
    assert allowed.json()["fulfillment_status"] == "shipped"


def test_a_courier_not_on_the_list_is_422(client, campaign, token):
    order = factories.paid_order(campaign)

    response = call(client, "post", f"orders/{order.code}/shipment", token, {"courier": "kurir"})

    assert response.status_code == 422
    assert "courier" in response.json()["errors"]


# --- access and shape -----------------------------------------------------------------------


def order_addresses(order):
    return [
        ("get", f"orders/{order.code}", None),
        ("patch", f"orders/{order.code}", {"city": "Depok"}),
        ("post", f"orders/{order.code}/cancel", {"reason": "x"}),
        ("post", f"orders/{order.code}/payments", {"amount": 1000}),
        ("post", f"orders/{order.code}/shipment", {"courier": "jne"}),
        ("post", f"campaigns/{order.campaign.slug}/orders", order_body([(S, 1)])),
    ]


def test_another_shops_order_and_po_are_404_everywhere(client, campaign, outsider_token):
    order = factories.order(campaign)

    for method, path, body in order_addresses(order):
        response = call(client, method, path, outsider_token, body)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["code"] == "not_found"
    assert codes(call(client, "get", "orders", outsider_token)) == []
    assert Order.objects.get(pk=order.pk).city == ""


def test_no_token_is_401_everywhere(client, campaign):
    order = factories.order(campaign)

    for method, path, body in [("get", "orders", None), *order_addresses(order)]:
        response = call(client, method, path, None, body)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "unauthorized"


def test_a_body_that_is_not_json_is_refused_in_the_shape(client, campaign, token):
    order = factories.order(campaign)
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/shop/orders/{order.code}/cancel"

    broken = client.post(path, "{nope", content_type="application/json", headers=headers)
    as_form = client.post(path, {"reason": "x"}, headers=headers)
    a_list = client.post(path, "[1]", content_type="application/json", headers=headers)

    assert broken.status_code == 400 and broken.json()["code"] == "malformed_json"
    assert as_form.status_code == 415 and as_form.json()["code"] == "unsupported_media_type"
    assert a_list.status_code == 422 and a_list.json()["code"] == "invalid"
    assert Order.objects.get(pk=order.pk).status == "active"


def test_a_staff_members_token_may_do_the_order_steps(client, shop, bob, campaign):
    staff = create_token(shop=shop, user=bob, name="admin")[1]
    order = factories.order(campaign)

    response = call(client, "post", f"orders/{order.code}/cancel", staff, {"reason": "batal"})

    assert response.status_code == 200


def test_times_in_the_query_are_the_shops_without_an_offset_and_checked(client, campaign, token):
    order = factories.order(campaign)
    auth = {"Authorization": f"Bearer {token}"}
    local = timezone.localtime(order.created_at, campaign.shop.tzinfo)
    naive = (local - timedelta(minutes=1)).replace(tzinfo=None).isoformat()

    found = client.get("/api/v1/shop/orders", {"created_since": naive}, headers=auth)
    too_far = client.get("/api/v1/shop/orders", {"created_since": "9999-12-31T23:59"}, headers=auth)

    assert codes(found) == [order.code]
    assert too_far.status_code == 422 and too_far.json()["code"] == "invalid"


def test_a_wrong_number_in_a_patch_leaves_the_items_as_they_were(client, campaign, token, variants):
    order = factories.order(campaign, units=2)

    response = call(
        client,
        "patch",
        f"orders/{order.code}",
        token,
        {"phone": "12", "items": [{"sku": M, "quantity": 1}]},
    )

    assert response.status_code == 422
    assert "phone" in response.json()["errors"]
    assert list(OrderLine.objects.filter(order=order).values_list("sku", "quantity")) == [(S, 2)]
    assert (reserved(variants[0]), reserved(variants[1])) == (2, 0)


def test_the_list_reads_the_same_few_times_however_many_orders(client, campaign, token):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert call(client, "get", "orders", token).status_code == 200
        return len(captured)

    factories.order(campaign, buyer=factories.buyer(1))
    queries()  # the token's first use is written down once
    few = queries()
    for n in range(2, 8):
        factories.order(
            campaign, buyer=factories.buyer(n), items={v.pk: 1 for v in campaign.variants.all()}
        )

    assert queries() == few
