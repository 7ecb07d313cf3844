"""`openpo create_shop`: a shop for an owner who exists, or for a new one made the way the
sign-up page makes them (catalog.services.shops.sign_up); problems named by the option."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from openpo.catalog.models import Membership, Shop

pytestmark = pytest.mark.django_db


def test_create_shop_makes_the_owner_when_missing():
    out = io.StringIO()
    call_command("create_shop", "batik-sari", owner="sari", password="rahasia-123", stdout=out)
    shop = Shop.objects.get(slug="batik-sari")
    membership = Membership.objects.get(shop=shop)
    assert membership.user.username == "sari" and membership.role == "owner"
    assert membership.user.check_password("rahasia-123")
    assert "batik-sari" in out.getvalue()


def test_create_shop_refuses_a_taken_link_and_a_missing_password(shop):
    with pytest.raises(CommandError, match="Link ini sudah dipakai"):
        call_command("create_shop", "toko-alice", owner="alice")
    with pytest.raises(CommandError, match="--password"):
        call_command("create_shop", "baru", owner="nobody")
    assert not Shop.objects.filter(slug="baru").exists()


def test_it_gives_an_owner_who_exists_another_shop(shop, alice):
    out = io.StringIO()
    call_command("create_shop", "alice-kedua", owner="alice", name="Toko Kedua", stdout=out)

    second = Shop.objects.get(slug="alice-kedua")
    assert second.name == "Toko Kedua"
    assert Membership.objects.get(shop=second).user == alice
    assert "alice-kedua" in out.getvalue() and "alice" in out.getvalue()


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"owner": "sari besar", "password": "rahasia-123"}, "--owner"),
        ({"owner": "sari", "password": "12345678"}, "--password"),
    ],
)
def test_a_new_owner_passes_the_sign_up_checks(options, option):
    with pytest.raises(CommandError) as refused:
        call_command("create_shop", "batik-sari", **options)

    assert f"{option}: " in str(refused.value)
    assert not get_user_model().objects.exists()
    assert not Shop.objects.exists()
