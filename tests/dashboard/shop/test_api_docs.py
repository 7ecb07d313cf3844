"""The API documentation page: drawn from the OpenAPI document, for members only."""

import pytest

from openpo.api.urls import api

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/settings/api-docs/"


def test_every_operation_of_the_document_is_on_the_page(client, shop, bob):
    client.force_login(bob)

    page = client.get(PAGE)

    assert page.status_code == 200
    html = page.content.decode()
    document = api.get_openapi_schema()
    for route, methods in document["paths"].items():
        for method, spec in methods.items():
            assert f"<code>{method.upper()} {route}</code>" in html
            assert spec["summary"].replace("'", "&#x27;") in html
    # A body's fields with their limits, and the shop's own addresses in the example.
    assert '<code>opens_at</code> <span class="badge">' in html and "date-time" in html
    assert '<h3 id="shape-ShopProductIn">ShopProductIn</h3>' in html
    assert "/api/v1/public/toko-alice/" in html


def test_only_members_see_it(client, shop, charlie):
    assert client.get(PAGE).status_code == 302  # to the login page
    client.force_login(charlie)  # a member of no shop, or of another one
    assert client.get(PAGE).status_code in (302, 403, 404)
