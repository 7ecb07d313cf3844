"""Sign-up opens a shop in one step; log-in locks a username out after five wrong passwords."""

import pytest

from openpo.catalog.models import Membership, Shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def signup_data():
    return {
        "username": "sari",
        "email": "sari@example.com",
        "password": "rajutan-kirana-2026",
        "shop_name": "Batik Sari",
        "shop_slug": "batik-sari",
        "whatsapp_number": "0812 3456 7890",
    }


def test_signing_up_makes_the_user_their_shop_and_logs_them_in(client, signup_data):
    response = client.post("/accounts/signup/", signup_data)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    shop = Shop.objects.get(slug="batik-sari")
    assert shop.whatsapp_number == "+6281234567890"
    assert Membership.objects.get(shop=shop).user.username == "sari"
    assert "Batik Sari" in client.get("/dashboard/").content.decode()


def test_a_taken_shop_link_and_a_weak_password_are_explained(client, shop, signup_data):
    signup_data.update(shop_slug="toko-alice", password="123")
    response = client.post("/accounts/signup/", signup_data)
    html = response.content.decode()

    assert response.status_code == 422
    assert "Link ini sudah dipakai." in html
    assert "sandi" in html.lower()
    assert not Shop.objects.filter(name="Batik Sari").exists()


def test_a_username_taken_in_any_case_is_explained(client, shop, signup_data):
    signup_data.update(username="Alice")
    response = client.post("/accounts/signup/", signup_data)

    assert response.status_code == 422
    assert "Nama pengguna ini sudah dipakai." in response.content.decode()
    assert not Shop.objects.filter(slug="batik-sari").exists()


def test_five_wrong_passwords_lock_the_username_for_that_address(client, shop):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "salah"})

    response = client.post("/accounts/login/", {"username": "alice", "password": "password"})
    assert response.status_code == 429
    assert "Terlalu banyak kata sandi salah" in response.content.decode()
    assert "_auth_user_id" not in client.session

    other_address = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "password"},
        REMOTE_ADDR="10.9.8.7",
    )
    assert other_address.status_code == 302


def test_a_successful_login_clears_earlier_failures(client, shop):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "alice", "password": "salah"})
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": "password"}).status_code
        == 302
    )
    client.logout()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "alice", "password": "salah"})
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": "password"}).status_code
        == 302
    )
