"""The seller API's POs: create with products inline (all or nothing), read, change, step
through the lifecycle, production recap and export, seen only by the token's shop."""

import csv
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from openpo.catalog.models import Campaign, Material, Product, Variant
from openpo.catalog.services.api_tokens import create_token
from openpo.orders.services import place_order
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(shop, alice):
    return create_token(shop=shop, user=alice, name="sync")[1]


@pytest.fixture
def staff_token(shop, bob):
    return create_token(shop=shop, user=bob, name="admin toko")[1]


def call(client, method, path, token, body=None):
    """`body` None sends nothing at all, as `curl -X POST` does."""
    headers = {"Authorization": f"Bearer {token}"}
    data, kind = (b"", "") if body is None else (json.dumps(body), "application/json")
    return client.generic(
        method.upper(), f"/api/v1/shop/{path}", data, content_type=kind, headers=headers
    )


def new_po(now, **changes):
    return {
        "title": "PO Hoodie Desember",
        "opens_at": (now + timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=5)).isoformat(),
        "moq_units": 10,
        "shipping_fee": 12000,
        "products": [
            {
                "name": "Hoodie Polos",
                "variants": [
                    {
                        "options": {"Ukuran": "M"},
                        "price": 185000,
                        "quota": 30,
                        "materials": [
                            {"name": "Kain fleece", "quantity_per_unit": "1.2", "unit": "m"}
                        ],
                    },
                    {"options": {"Ukuran": "L"}, "price": 195000},
                ],
            }
        ],
        **changes,
    }


def test_a_po_is_created_with_its_products_variants_and_materials(client, token, now):
    response = call(client, "post", "campaigns", token, new_po(now))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "po-hoodie-desember" and body["status"] == "draft"
    assert body["allowed_steps"] == ["cancel"]
    (product,) = body["products"]
    assert [v["sku"] for v in product["variants"]] == ["HOODIE-POLOS-M", "HOODIE-POLOS-L"]
    assert product["variants"][0]["materials"] == [
        {"name": "Kain fleece", "quantity_per_unit": "1.200", "unit": "m"}
    ]
    assert product["variants"][1]["quota"] is None
    # The same PO read back answers the same.
    assert call(client, "get", "campaigns/po-hoodie-desember", token).json() == body


def test_a_wrong_variant_leaves_no_half_made_po_and_names_its_path(client, token, now):
    po = new_po(now)
    po["products"][0]["variants"][1]["early_bird_price"] = 999_999  # above the price

    response = call(client, "post", "campaigns", token, po)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["products.0.variants.1.early_bird_price"]
    assert not Campaign.objects.exists() and not Product.objects.exists()
    assert not Variant.objects.exists() and not Material.objects.exists()


def test_a_closing_time_before_the_opening_is_refused_by_field(client, token, now):
    po = new_po(now, closes_at=(now - timedelta(days=1)).isoformat())

    response = call(client, "post", "campaigns", token, po)

    assert response.status_code == 422
    assert "closes_at" in response.json()["errors"]
    assert not Campaign.objects.exists()


def test_patch_changes_only_the_fields_sent_and_refuses_emptying_a_title(client, token, now):
    call(client, "post", "campaigns", token, new_po(now))

    response = call(
        client, "patch", "campaigns/po-hoodie-desember", token, {"unit_cap": 25, "moq_units": 5}
    )
    assert response.status_code == 200
    assert (response.json()["unit_cap"], response.json()["moq_units"]) == (25, 5)
    assert response.json()["shipping_fee"] == 12000

    response = call(client, "patch", "campaigns/po-hoodie-desember", token, {"title": None})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["title"]
    assert Campaign.objects.get().title == "PO Hoodie Desember"


def test_the_lifecycle_goes_step_by_step_and_refuses_a_step_out_of_turn(
    client, shop, token, now, buyer
):
    campaign = make_campaign(shop, now=now, moq_units=1, slug="kaos")
    variant = campaign.variants.first()
    place_order(campaign=campaign, buyer=buyer, items={variant.pk: 2}, terms_accepted=True)

    out_of_turn = call(client, "post", "campaigns/kaos/steps/start_shipping", token)
    assert out_of_turn.status_code == 409
    assert out_of_turn.json()["code"] == "invalid_transition"

    closed = call(client, "post", "campaigns/kaos/steps/close", token)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert "start_production" in closed.json()["allowed_steps"]
    producing = call(client, "post", "campaigns/kaos/steps/start_production", token)
    assert producing.json()["status"] == "producing"
    # The minimum was reached: the PO cannot be marked as failed any more.
    assert call(client, "post", "campaigns/kaos/steps/fail", token).status_code == 409


def test_publishing_needs_something_to_sell(client, token, now):
    call(client, "post", "campaigns", token, new_po(now, products=[]))

    response = call(client, "post", "campaigns/po-hoodie-desember/steps/publish", token)

    assert response.status_code == 422 and "products" in response.json()["errors"]
    assert Campaign.objects.get().status == Campaign.Status.DRAFT


def test_cancelling_a_po_is_the_owners_step(client, shop, token, staff_token, now):
    make_campaign(shop, now=now, slug="kaos")

    refused = call(client, "post", "campaigns/kaos/steps/cancel", staff_token, {"reason": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "owners_only"
    assert Campaign.objects.get().status == Campaign.Status.OPEN

    done = call(client, "post", "campaigns/kaos/steps/cancel", token, {"reason": "bahan habis"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


def test_recap_and_export_count_the_pos_orders(client, shop, token, now, buyer):
    campaign = make_campaign(shop, now=now, slug="kaos")
    small, medium = campaign.variants.order_by("position")
    place_order(
        campaign=campaign,
        buyer=buyer,
        items={small.pk: 2, medium.pk: 1},
        terms_accepted=True,
    )

    recap = call(client, "get", "campaigns/kaos/production", token).json()
    assert recap["units_all"] == 3 and recap["units_paid"] == 0
    assert {v["sku"]: v["units_all"] for v in recap["variants"]} == {
        small.sku: 2,
        medium.sku: 1,
    }

    response = call(client, "get", "campaigns/kaos/export", token)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[1][2] == buyer.name

    response = call(client, "get", "campaigns/kaos/export?format=xlsx", token)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3


def test_another_shops_po_is_404_on_every_campaign_address(
    client, shop, other_shop, charlie, token, now
):
    make_campaign(other_shop, now=now, slug="rahasia")
    paths = [
        ("get", "campaigns/rahasia", None),
        ("patch", "campaigns/rahasia", {"title": "milik saya"}),
        ("post", "campaigns/rahasia/steps/close", None),
        ("get", "campaigns/rahasia/production", None),
        ("get", "campaigns/rahasia/export", None),
    ]
    for method, path, body in paths:
        response = call(client, method, path, token, body)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"
    assert Campaign.objects.get().title == "PO Kaos Agustus"
    assert Campaign.objects.get().status == Campaign.Status.OPEN


def test_the_list_filters_by_status(client, shop, token, now):
    make_campaign(shop, now=now, slug="buka")
    make_campaign(shop, now=now, slug="draf", publish=False)

    assert [c["slug"] for c in call(client, "get", "campaigns?status=draft", token).json()] == [
        "draf"
    ]
    assert call(client, "get", "campaigns?status=nope", token).status_code == 422


@pytest.mark.parametrize("slug", ["%00", "kaos%00", "a" * 81, "%F0%9F%98%80"])
def test_a_slug_no_po_can_have_is_404_without_a_query(
    client, shop, token, now, slug, django_assert_max_num_queries
):
    make_campaign(shop, now=now, slug="kaos")
    with django_assert_max_num_queries(3):  # the token's read and its last-used mark only
        response = call(client, "get", f"campaigns/{slug}", token)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
