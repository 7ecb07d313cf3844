"""Every refusal of the API in one shape, {"code", "message", "errors"?}, and nothing ordered.

Before, ninja answered broken JSON and form bodies `{"detail": "Cannot parse request body"}`,
an unknown PO `{"detail": "Not Found"}`, a wrong method a text 405, a large body Django's HTML
400, and quantities were judged by pydantic's lax int (1.0 and "2" passed, -3 was "not a
whole number" under `items`).
"""

import json
from datetime import timedelta

import pytest
from django.urls import resolve

from openpo.orders.models import Order
from tests.api.conftest import assert_nothing_ordered, order_body, orders_url, post_order
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "errors"}


def _refusal(response, status, code):
    """The answer is `status` in our shape with `code`; returns its `errors` (or None)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) == SHAPE
    assert data["code"] == code
    assert isinstance(data["message"], str) and data["message"]
    return data.get("errors")


def test_malformed_json_answers_400_malformed_json(en, campaign, variants):
    response = en.post(orders_url(campaign), '{"name": "Budi", ', content_type="application/json")

    assert _refusal(response, 400, "malformed_json") is None
    assert response.json()["message"] == "The body is not valid JSON."
    assert_nothing_ordered(campaign)


def test_json_nested_too_deep_is_malformed_too(client, campaign, variants):
    response = client.post(orders_url(campaign), "[" * 100_000, content_type="application/json")
    _refusal(response, 400, "malformed_json")
    assert_nothing_ordered(campaign)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "name=Budi&phone=0812"),
        ("text/plain", json.dumps(order_body([("X", 1)]))),
        ("multipart/form-data; boundary=B", '--B\r\nContent-Disposition: form-data; name="a"'),
    ],
)
def test_a_body_not_sent_as_json_answers_415(en, campaign, variants, content_type, body):
    response = en.post(orders_url(campaign), body, content_type=content_type)

    assert _refusal(response, 415, "unsupported_media_type") is None
    assert "application/json" in response.json()["message"]
    assert_nothing_ordered(campaign)


def test_a_form_posted_by_the_test_client_answers_415(client, campaign, variants):
    """The test client's default: a real multipart form, as a browser would send it."""
    body = order_body([(variants[0].sku, 1)])
    del body["items"]
    _refusal(client.post(orders_url(campaign), body), 415, "unsupported_media_type")
    assert_nothing_ordered(campaign)


@pytest.mark.parametrize("body", ["[]", '[{"sku": "A", "quantity": 1}]', '"hello"', "null", "3"])
def test_json_that_is_not_an_object_answers_422(en, campaign, variants, body):
    response = en.post(orders_url(campaign), body, content_type="application/json")

    assert _refusal(response, 422, "invalid") == {"body": ["Send a JSON object, {...}."]}
    assert_nothing_ordered(campaign)


def test_an_unknown_shop_or_po_answers_404_not_found(client, campaign, shop, now):
    draft = make_campaign(shop, now=now, publish=False, slug="draf")
    body = order_body([("X", 1)])
    answers = [
        client.get(f"/api/v1/public/no-such-shop/{campaign.slug}"),
        client.get(f"/api/v1/public/{shop.slug}/no-such-po"),
        client.get(f"/api/v1/public/{shop.slug}/{draft.slug}"),
        post_order(client, draft, body),
        client.post(
            f"/api/v1/public/{shop.slug}/no-such-po/orders",
            json.dumps(body),
            content_type="application/json",
        ),
    ]
    for response in answers:
        assert _refusal(response, 404, "not_found") is None
    assert not Order.objects.exists()


def test_an_unknown_address_of_the_api_answers_404_in_the_shape(client, campaign):
    for path in ("/api/v1/", "/api/v1/public/", "/api/v1/public/a/b/c/d", "/api/v1/public/a/b/"):
        _refusal(client.get(path), 404, "not_found")
    # A POST needs no CSRF token to be told so.
    response = client.post("/api/v1/public/a", "{}", content_type="application/json")
    _refusal(response, 404, "not_found")


def test_other_apps_addresses_under_api_v1_are_not_taken():
    """The Midtrans notification (a plain view listed after ninja's routers) still reaches its
    view: the API answers unknown addresses under its own prefixes only."""
    match = resolve("/api/v1/payments/midtrans/toko-alice/notification")
    assert match.url_name == "midtrans_notification"


def test_a_wrong_method_answers_405_with_allow(en, campaign):
    response = en.get(orders_url(campaign))
    assert _refusal(response, 405, "method_not_allowed") is None
    assert response["Allow"] == "POST"
    assert "GET" in response.json()["message"] and "POST" in response.json()["message"]

    response = en.delete(f"/api/v1/public/{campaign.shop.slug}/{campaign.slug}")
    _refusal(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_a_body_larger_than_the_server_takes_answers_413(en, campaign, variants, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = order_body([(variants[0].sku, 1)], notes="x" * 1_500)

    response = post_order(en, campaign, body)

    assert _refusal(response, 413, "content_too_large") is None
    assert response.json()["message"] == "The request is too large: 1000 bytes at most."
    assert_nothing_ordered(campaign)


def test_too_many_requests_answer_429_with_a_code_and_retry_after(
    client, campaign, variants, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "order": (1, 60)}
    post_order(client, campaign, order_body([(variants[1].sku, 1)]))

    response = post_order(client, campaign, order_body([(variants[1].sku, 1)]))

    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    data = response.json()
    assert data["code"] == "rate_limited" and data["message"] and "detail" not in data
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Order at least 1."),
        (-3, "A quantity cannot be negative; order at least 1."),
        (1.5, "Enter a whole number of units, without a decimal point."),
        (1.0, "Enter a whole number of units, without a decimal point."),
        ("dua", "Enter the quantity in digits, e.g. 2."),
        ("2", 'Send the quantity as a number without quotes: 2, not "2".'),
        (True, "Enter a number of units, not true or false."),
        (None, "Enter a whole number."),
        ([2], "Enter a whole number."),
        (10_001, "At most 10000 units per line."),
        (10**30, "At most 10000 units per line."),
    ],
)
def test_each_quantity_mistake_is_named_under_its_line(en, campaign, variants, quantity, message):
    body = order_body([(variants[1].sku, 1), (variants[0].sku, 1)])
    body["items"][1]["quantity"] = quantity

    response = post_order(en, campaign, body)

    assert _refusal(response, 422, "invalid") == {"items.1.quantity": [message]}
    assert_nothing_ordered(campaign)


def test_a_line_above_the_pos_units_per_order_is_named(en, shop, now):
    campaign = make_campaign(shop, now=now, slug="batas", max_units_per_order=5)
    variant = campaign.variants.first()

    response = post_order(en, campaign, order_body([(variant.sku, 1), (variant.sku, 6)]))

    assert _refusal(response, 422, "invalid") == {
        "items.1.quantity": ["At most 5 units per order."]
    }
    assert_nothing_ordered(campaign)


def test_lines_that_together_pass_the_limit_are_told_under_items(en, shop, now):
    campaign = make_campaign(shop, now=now, slug="batas", max_units_per_order=5)
    variant = campaign.variants.first()

    response = post_order(en, campaign, order_body([(variant.sku, 3), (variant.sku, 3)]))

    assert _refusal(response, 422, "invalid") == {"items": ["At most 5 units per order."]}
    assert_nothing_ordered(campaign)


def test_each_unknown_sku_is_named_under_its_line(en, campaign, variants):
    body = order_body([(variants[0].sku, 1), ("NOPE-1", 1), (variants[1].sku, 0), ("NOPE-2", 2)])

    response = post_order(en, campaign, body)

    # The line with 0 is the schema's: it is told first, the SKUs once the body is well formed.
    assert _refusal(response, 422, "invalid") == {"items.2.quantity": ["Order at least 1."]}
    body["items"][2]["quantity"] = 1
    response = post_order(en, campaign, body)
    assert _refusal(response, 422, "invalid") == {
        "items.1.sku": ["This PO has no item with SKU NOPE-1."],
        "items.3.sku": ["This PO has no item with SKU NOPE-2."],
    }
    assert_nothing_ordered(campaign)


def test_an_empty_list_of_items_is_told_under_items(en, campaign, variants):
    response = post_order(en, campaign, order_body([]))

    assert _refusal(response, 422, "invalid") == {"items": ["Choose at least one item."]}
    assert_nothing_ordered(campaign)


def test_items_that_are_not_a_list_of_objects_are_named(en, campaign, variants):
    body = order_body([])
    body["items"] = "2 kaos"
    errors = _refusal(post_order(en, campaign, body), 422, "invalid")
    assert errors == {"items": ["Send a list, [...]."]}
    body["items"] = ["KAOS-S"]
    assert _refusal(post_order(en, campaign, body), 422, "invalid") == {
        "items.0": ["Send an object, {...}."]
    }
    assert_nothing_ordered(campaign)


def test_a_whole_number_still_orders(client, campaign, variants):
    body = order_body([(variants[0].sku, 2), (variants[0].sku, 1)])
    response = post_order(client, campaign, body)
    assert response.status_code == 201
    assert Order.objects.get().units == 3


def test_a_refusal_by_the_po_keeps_the_shape(client, campaign, variants, now):
    campaign.closes_at = now - timedelta(minutes=1)
    campaign.save(update_fields=["closes_at"])
    _refusal(post_order(client, campaign, order_body([(variants[0].sku, 1)])), 409, "closed")
    assert_nothing_ordered(campaign)


def test_the_openapi_document_lists_every_refusal(client):
    document = client.get("/api/v1/openapi.json").json()
    place = document["paths"]["/api/v1/public/{shop}/{campaign}/orders"]["post"]
    read = document["paths"]["/api/v1/public/{shop}/{campaign}"]["get"]

    statuses = {"201", "400", "404", "409", "413", "415", "422", "429", "503"}
    assert set(place["responses"]) == statuses
    assert set(read["responses"]) == {"200", "404"}
    error = place["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ErrorOut")
    assert "unsupported_media_type" in document["info"]["description"]
    quantity = document["components"]["schemas"]["ItemIn"]["properties"]["quantity"]
    assert (quantity["type"], quantity["minimum"], quantity["maximum"]) == ("integer", 1, 10_000)
