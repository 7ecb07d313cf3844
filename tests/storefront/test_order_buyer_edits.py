"""The order page's own corrections: the buyer fixes name, number and address until the
seller locks the addresses; after that the page says whom to ask."""

import pytest
from django.conf import settings
from django.urls import reverse

from openpo.catalog.services.lifecycle import close_campaign
from openpo.core.models import AuditEvent
from openpo.fulfillment.services.addresses import lock_addresses
from openpo.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Sari W",
    "phone": "0813 2222 3333",
    "address": "Jl. Mawar No. 9 RT 02/RW 05",
    "postal_code": "40115",
}


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def order(campaign):
    return factories.order(campaign, buyer=factories.buyer(1, address="Bandung"))


def _post(client, order, **changes):
    return client.post(reverse("order_buyer_edit", args=[order.secret]), {**FORM, **changes})


def test_the_page_offers_the_form_prefilled(english, order):
    html = english.get(reverse("order_page", args=[order.secret])).content.decode()
    assert 'id="buyer-edit"' in html and reverse("order_buyer_edit", args=[order.secret]) in html
    assert "Bandung</textarea>" in html
    # No city or province on this order: the form does not ask for them.
    assert 'name="city"' not in html


def test_the_buyer_saves_a_correction(english, order):
    response = _post(english, order)
    assert response.status_code == 302 and response["Location"].endswith("#buyer-edit")
    order.refresh_from_db()
    assert (order.buyer_name, order.address, order.postal_code) == (
        "Sari W",
        "Jl. Mawar No. 9 RT 02/RW 05",
        "40115",
    )
    assert order.buyer_phone == "+6281322223333"
    event = AuditEvent.objects.get(action="order.buyer_self_corrected")
    assert event.actor_label == "buyer" and event.data["changes"]["address"][0] == "Bandung"


def test_a_bad_correction_comes_back_with_errors_and_changes_nothing(english, order):
    response = _post(english, order, postal_code="12", phone="abc")
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="field has-error"' in html and "Jl. Mawar No. 9" in html
    order.refresh_from_db()
    assert order.address == "Bandung"


def test_a_locked_address_refuses_edits_and_names_whom_to_ask(english, order, campaign, alice):
    close_campaign(campaign=campaign, actor=alice)
    lock_addresses(campaign=campaign, actor=alice)

    html = english.get(reverse("order_page", args=[order.secret])).content.decode()
    assert "locked the addresses" in html and "https://wa.me/6281211112222" in html
    assert 'name="postal_code"' not in html

    response = _post(english, order)
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.address == "Bandung"


def test_another_orders_secret_is_404(client, order):
    assert _post(client, Order(secret="x" * 43)).status_code == 404
    order.refresh_from_db()
    assert order.address == "Bandung"


def test_it_takes_only_posts(client, order):
    assert client.get(reverse("order_buyer_edit", args=[order.secret])).status_code == 405


def test_corrections_are_rate_limited(client, order, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "proof": (2, 600)}
    statuses = [_post(client, order, name=f"Sari {n}").status_code for n in range(3)]
    assert statuses[:2] == [302, 302] and statuses[2] == 429
