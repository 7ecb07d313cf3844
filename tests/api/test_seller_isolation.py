"""Every object address of the seller API, called with another shop's token, answers 404.

The addresses come from the OpenAPI document, so an endpoint added later is checked from its
first commit: each path parameter is filled with a real object of alice's shop (a PO, an
order, a customer), and charlie (owner of another shop) calls it with his own token, with
every method the document lists and a body that would be valid. Nothing of alice's may
change. Alice's own token on the same GET addresses answers 200, so a 404 here means
"not yours", not "no such thing".
"""

import json

import pytest

from openpo.api.urls import api
from openpo.catalog.models import Campaign
from openpo.catalog.services.api_tokens import create_token
from openpo.orders.models import Order
from openpo.orders.services import place_order
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

SELLER = "/api/v1/shop/"
# A body a real client might send to each kind of address: valid enough to pass the schema,
# so a 404 comes from the object check and not from a 422 before it.
BODIES = {
    "patch": {"title": "milik charlie", "name": "Charlie", "notes": "x"},
    "post": {
        "reason": "coba",
        "amount": 1000,
        "courier": "jne",
        "tracking_number": "JNE123",
        "ship": True,
        "override_reason": "coba",
        "name": "Charlie",
        "phone": "0812-3333-4444",
        "address": "Jl. Lain",
        "city": "Jakarta",
        "province": "DKI Jakarta",
        "postal_code": "10110",
        "items": [{"sku": "KAOS-POLOS-S", "quantity": 1}],
    },
}


def object_operations():
    """(method, path template) of every seller operation with a path parameter."""
    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        if not path.startswith(SELLER) or "{" not in path:
            continue
        for method in operations:
            yield method, path


def fill(template, values):
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"no real object for a parameter of {template}: add it to `values`"
    return path


@pytest.fixture
def alices(shop, now, buyer):
    campaign = make_campaign(shop, now=now, slug="kaos")
    order = place_order(
        campaign=campaign,
        buyer=buyer,
        items={campaign.variants.order_by("position").first().pk: 1},
        terms_accepted=True,
    )
    return {
        "slug": campaign.slug,
        "code": order.code,
        "customer_id": order.customer_id,
        "step": "close",
    }


def call(client, method, path, token, body=None):
    data, kind = (b"", "") if body is None else (json.dumps(body), "application/json")
    return client.generic(
        method.upper(), path, data, content_type=kind, headers={"Authorization": f"Bearer {token}"}
    )


def test_the_document_lists_the_object_addresses():
    paths = {path for _method, path in object_operations()}
    for expected in ("campaigns/{slug}", "orders/{code}", "customers/{customer_id}"):
        assert SELLER + expected in paths


def test_another_shops_token_gets_404_on_every_object_address(
    client, shop, other_shop, alice, charlie, alices
):
    theirs = create_token(shop=other_shop, user=charlie, name="charlie")[1]
    before = (
        list(Campaign.objects.values()),
        list(Order.objects.values()),
    )
    seen = []
    for method, template in object_operations():
        path = fill(template, alices)
        response = call(client, method, path, theirs, BODIES.get(method))
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["code"] == "not_found"
        seen.append((method, path))
    assert len(seen) >= 10
    assert (list(Campaign.objects.values()), list(Order.objects.values())) == before


def test_the_shops_own_token_reads_the_same_addresses(client, shop, alice, alices):
    own = create_token(shop=shop, user=alice, name="alice")[1]
    for method, template in object_operations():
        if method != "get":
            continue
        path = fill(template, alices)
        assert call(client, method, path, own).status_code == 200, path
