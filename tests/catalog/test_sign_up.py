"""Signing up makes a seller's user and first shop in one step, or nothing: the one service
behind the sign-up page and `openpo create_shop`."""

import pytest
from django.contrib.auth import get_user_model

from openpo.catalog.errors import InvalidShop
from openpo.catalog.models import Membership, Shop
from openpo.catalog.services.shops import sign_up
from openpo.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SARI = {
    "username": "sari",
    "email": "sari@example.com",
    "password": "rajutan-kirana-2026",
    "shop_name": "Batik Sari",
    "shop_slug": "batik-sari",
    "whatsapp_number": "0812 3456 7890",
}


def test_it_makes_the_user_and_their_shop():
    user, shop = sign_up(**SARI)

    assert user.check_password("rajutan-kirana-2026") and user.email == "sari@example.com"
    assert (shop.name, shop.slug, shop.email) == ("Batik Sari", "batik-sari", "sari@example.com")
    assert shop.whatsapp_number == "+6281234567890"
    assert Membership.objects.get(shop=shop).user == user
    assert AuditEvent.objects.get(action="shop.created").actor == user


def test_it_reports_every_problem_by_field_and_makes_nothing(shop):
    with pytest.raises(InvalidShop) as refused:
        sign_up(
            **{
                **SARI,
                "username": "ALICE",  # alice exists: usernames differ in more than case
                "email": "not-an-email",
                "password": "123",
                "shop_slug": "toko-alice",
                "whatsapp_number": "12",
            }
        )

    errors = refused.value.field_errors
    assert set(errors) == {"username", "email", "password", "shop_slug", "whatsapp_number"}
    assert [str(m) for m in errors["username"]] == ["Nama pengguna ini sudah dipakai."]
    assert [str(m) for m in errors["shop_slug"]] == ["Link ini sudah dipakai."]
    assert not get_user_model().objects.filter(email="not-an-email").exists()
    assert not Shop.objects.filter(name="Batik Sari").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("username", "sari besar"), ("username", "s" * 151), ("username", ""), ("shop_name", " ")],
)
def test_it_applies_djangos_username_checks_and_ours(field, value):
    with pytest.raises(InvalidShop) as refused:
        sign_up(**{**SARI, field: value})

    assert list(refused.value.field_errors) == [field]
    assert not get_user_model().objects.exists()


def test_a_password_like_the_username_is_refused():
    with pytest.raises(InvalidShop) as refused:
        sign_up(**{**SARI, "username": "rajutankirana", "password": "rajutankirana1"})

    assert list(refused.value.field_errors) == ["password"]
