"""A seller logs in and sees their POs with live counters; staff see the same shop."""

import re

import pytest

from openpo.catalog.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_seller_logs_in_at_accounts_login_and_lands_on_the_dashboard(client, shop, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "password", "next": "/dashboard/"}
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert "Toko Alice" in client.get("/dashboard/").content.decode()


def test_a_wrong_password_is_refused_in_indonesian(client, shop):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Masukkan nama pengguna" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_po_overview_counts_orders_units_and_money(client, campaign, buyer, now, bob):
    factories.order(campaign, units=2, buyer=buyer, now=now)
    client.force_login(bob)  # staff see the shop's POs too
    html = client.get(f"/dashboard/po/{campaign.pk}/").content.decode()
    assert "Rp 255.000" in html
    assert "2 / 20" in html


def test_the_po_list_shows_each_po_with_phase_dates_orders_units_and_money(
    client, shop, alice, campaign, buyer, now
):
    from openpo.orders.models import Order

    order = factories.order(campaign, units=2, buyer=buyer, now=now)
    Order.objects.filter(pk=order.pk).update(payment_status="paid", amount_paid=100_000)
    client.force_login(alice)
    html = client.get("/dashboard/").content.decode()
    row = html[html.index(f'id="po-{campaign.pk}"') :]
    assert 'href="/dashboard/po/new/"' in html  # the New PO button
    assert f'href="/dashboard/po/{campaign.pk}/"' in row and "badge-open" in row
    assert '<dd class="po-orders">1</dd>' in row
    assert '<dd class="po-units">2' in row
    assert "Rp 100.000" in row and "Rp 255.000" in row
    assert "WIB" in row  # dates in the shop's time zone


def test_the_shop_switcher_lists_every_shop_of_the_member(client, shop, other_shop, alice):
    from openpo.catalog.services import add_member

    add_member(shop=other_shop, user=alice, role=Membership.Role.STAFF)
    client.force_login(alice)
    html = client.get("/dashboard/").content.decode()
    assert 'formaction="/dashboard/switch/toko-charlie/"' in html
    response = client.post("/dashboard/switch/toko-charlie/")
    assert response.status_code == 302
    html = client.get("/dashboard/").content.decode()
    assert re.search(r'class="brand"[^>]*>Toko Charlie<', html)
