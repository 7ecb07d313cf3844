"""The public JSON API: the shapes other tools rely on, and each refusal with its code."""

import json
from datetime import timedelta

import pytest

from openpo.catalog.models import Shop
from openpo.catalog.services import close_campaign
from openpo.orders.models import Order
from openpo.payments.qris import DEMO_STATIC_QRIS, validate_static
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _order_body(sku_quantities):
    return {
        "name": "Budi Santoso",
        "phone": "0812-9999-8888",
        "address": "Jl. Mawar No. 1",
        "city": "Bandung",
        "province": "Jawa Barat",
        "postal_code": "40111",
        "items": [{"sku": sku, "quantity": q} for sku, q in sku_quantities],
    }


def _post(client, campaign, body, key=""):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/public/{campaign.shop.slug}/{campaign.slug}/orders",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_it_describes_a_po(client, campaign, variants):
    response = client.get(f"/api/v1/public/{campaign.shop.slug}/{campaign.slug}")
    data = response.json()

    assert response.status_code == 200
    assert data["status"] == "open"
    assert data["opens_at"].endswith("+07:00") and data["closes_at"].endswith("+07:00")
    assert (data["moq_units"], data["ordered_units"]) == (0, 0)
    assert data["variants"] == [
        {
            "sku": variants[0].sku,
            "product": "Kaos Polos",
            "name": "S",
            "price": 120_000,
            "current_price": 120_000,
            "early_bird_price": None,
            "available": 20,
        },
        {
            "sku": variants[1].sku,
            "product": "Kaos Polos",
            "name": "M",
            "price": 120_000,
            "current_price": 120_000,
            "early_bird_price": None,
            "available": None,
        },
    ]


def test_a_draft_is_not_found(client, shop, now):
    draft = make_campaign(shop, now=now, publish=False, slug="draf")
    assert client.get(f"/api/v1/public/{shop.slug}/{draft.slug}").status_code == 404


def test_it_places_an_order_with_payment_instructions(client, campaign, variants, shop):
    Shop.objects.filter(pk=shop.pk).update(static_qris=DEMO_STATIC_QRIS)
    response = _post(client, campaign, _order_body([(variants[0].sku, 2)]), key="k-1")
    data = response.json()

    order = Order.objects.get()
    expected = order.expected_payments.get()
    assert response.status_code == 201
    assert data["code"] == order.code and data["status"] == "unpaid"
    assert data["order_url"] == f"http://testserver/o/{order.secret}/"
    assert data["total"] == 255_000
    assert data["transfer_amount"] == expected.amount
    assert data["payment_deadline"].endswith("+07:00")
    qris = validate_static(data["qris"])
    assert qris.is_dynamic and qris.amount == expected.amount
    assert order.channel == "api"


def test_a_repeated_idempotency_key_returns_the_same_order(client, campaign, variants):
    first = _post(client, campaign, _order_body([(variants[0].sku, 1)]), key="same")
    second = _post(client, campaign, _order_body([(variants[0].sku, 1)]), key="same")
    assert first.json()["code"] == second.json()["code"]
    assert Order.objects.count() == 1


def test_sold_out_answers_409_with_a_reason_code(client, campaign, variants):
    response = _post(client, campaign, _order_body([(variants[0].sku, 21)]))
    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert "hanya tersisa 20" in response.json()["message"]


def test_a_closed_and_an_upcoming_po_answer_409(client, shop, campaign, variants, now):
    close_campaign(campaign=campaign, now=now)
    closed = _post(client, campaign, _order_body([(variants[0].sku, 1)]))
    assert (closed.status_code, closed.json()["code"]) == (409, "closed")
    later = make_campaign(
        shop,
        now=now,
        slug="nanti",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    upcoming = _post(client, later, _order_body([(later.variants.first().sku, 1)]))
    assert (upcoming.status_code, upcoming.json()["code"]) == (409, "not_open")


def test_invalid_input_answers_422_with_field_errors(client, campaign, variants):
    body = _order_body([(variants[0].sku, 1)])
    body["phone"] = "123"
    del body["city"]
    response = _post(client, campaign, body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == {"city": ["Isian ini wajib diisi."]}

    body["city"] = "Bandung"
    response = _post(client, campaign, body)
    assert response.status_code == 422
    assert "phone" in response.json()["errors"]
    assert Order.objects.count() == 0


def test_an_unknown_sku_is_named(client, campaign):
    response = _post(client, campaign, _order_body([("NOPE-1", 1)]))
    assert response.status_code == 422
    assert "NOPE-1" in response.json()["errors"]["items.0.sku"][0]


def test_too_many_orders_from_one_client_answer_429(client, campaign, variants, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "order": (2, 60)}
    for _ in range(2):
        _post(client, campaign, _order_body([(variants[1].sku, 1)]))
    response = _post(client, campaign, _order_body([(variants[1].sku, 1)]))
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert Order.objects.count() == 2


def test_the_openapi_document_lists_the_public_endpoints(client):
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/public/{shop}/{campaign}" in document["paths"]
    assert "post" in document["paths"]["/api/v1/public/{shop}/{campaign}/orders"]


def test_a_po_that_sold_out_answers_sold_out_not_closed(
    client, shop, now, django_capture_on_commit_callbacks
):
    campaign = make_campaign(shop, now=now, quotas=(1,), slug="habis")
    variant = campaign.variants.get()
    body = _order_body([(variant.sku, 1)])
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, campaign, body).status_code == 201
    campaign.refresh_from_db()
    assert campaign.close_reason == "sold_out"
    response = _post(client, campaign, body)
    assert (response.status_code, response.json()["code"]) == (409, "sold_out")
    assert response.json()["message"] == "Maaf, PO ini sudah habis terjual."
