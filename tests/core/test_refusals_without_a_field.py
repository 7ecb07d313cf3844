"""A service's refusal that names no field still reaches the person who asked: every form page
hands its domain errors to `core.forms.add_domain_error`, which shows such a message on the
whole form instead of dropping it (the page must not just reload with nothing said)."""

import pytest

from openpo.core.errors import DomainError
from openpo.orders.services import place_order

pytestmark = pytest.mark.django_db

MESSAGE = "Layanan sedang dirawat, coba lagi sebentar."


def _refuse(**kwargs):
    raise DomainError(MESSAGE)


def _order(campaign, variants, buyer):
    return place_order(
        campaign=campaign, buyer=buyer, items={variants[0].pk: 1}, terms_accepted=True
    )


def storefront_order(campaign, variants, buyer):
    data = {
        f"qty_{variants[0].pk}": "1",
        "name": "Sari Wulandari",
        "phone": "0813-2222-3333",
        "province": "Jawa Barat",
        "city": "Bandung",
        "address": "Jl. Melati No. 5",
        "postal_code": "40115",
        "terms": "on",
        "idempotency_key": "form-key-1",
    }
    return f"/{campaign.shop.slug}/{campaign.slug}/order/", data


def signup(campaign, variants, buyer):
    data = {
        "username": "sari",
        "email": "sari@example.com",
        "password": "rajutan-kirana-2026",
        "shop_name": "Batik Sari",
        "shop_slug": "batik-sari",
        "whatsapp_number": "0812 3456 7890",
    }
    return "/accounts/signup/", data


def refund(campaign, variants, buyer):
    order = _order(campaign, variants, buyer)
    data = {"amount": "1000", "no_proof": "on", "note": "Tunai saat ambil barang"}
    return f"/dashboard/orders/{order.pk}/refunds/new/", data


def team_invite(campaign, variants, buyer):
    return "/dashboard/team/invite/", {"email": "dina@example.com", "role": "staff"}


def message_template(campaign, variants, buyer):
    url = "/dashboard/messages/templates/edit/?event=shipped&lang=id"
    return url, {"subject": "Dikirim", "body": "Pesanan {order_code} sudah dikirim."}


def manual_order(campaign, variants, buyer):
    data = {
        "name": "Dewi",
        "phone": "0812 3456 7890",
        "address": "Jl. Anggrek 7",
        "idempotency_key": "k",
        f"qty_{variants[0].pk}": "2",
    }
    return f"/dashboard/po/{campaign.pk}/orders/new/", data


@pytest.mark.parametrize(
    ("page", "service", "status"),
    [
        (storefront_order, "openpo.storefront.campaigns.place_order", 400),
        (signup, "openpo.dashboard.shop.signup.sign_up", 422),
        (refund, "openpo.dashboard.money.refunds.record_refund", 422),
        (team_invite, "openpo.dashboard.shop.team.invite_member", 422),
        (message_template, "openpo.dashboard.messages.templates.save_template", 422),
        (manual_order, "openpo.dashboard.orders.new.place_order", 422),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_the_page_says_what_the_service_said(
    client, alice, campaign, variants, buyer, monkeypatch, page, service, status
):
    url, data = page(campaign, variants, buyer)
    if page is not signup and page is not storefront_order:
        client.force_login(alice)
    monkeypatch.setattr(service, _refuse)

    response = client.post(url, data)

    assert response.status_code == status
    assert MESSAGE in response.content.decode()
