"""Payment settings: an owner turns automatic confirmation of exact statement matches on and
off, and sets, replaces or removes the Midtrans server key, which is never shown back in full
nor written to the audit trail; staff and outsiders cannot change them."""

import re

import pytest
from django.conf import settings as django_settings

from openpo.catalog.models import Shop
from openpo.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/settings/"
URL = "/dashboard/settings/payments/"
KEY = "SB-Mid-server-GwUP_WGbJPXsDzsNEBRs8IYA"


@pytest.fixture
def owner(client, shop, alice):
    client.force_login(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _shop() -> Shop:
    return Shop.objects.get(slug="toko-alice")


def test_it_shows_both_settings_off_by_default(owner, shop):
    response = owner.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'action="/dashboard/settings/payments/"' in html
    assert "Confirm exact bank-statement matches automatically" in html
    assert 'name="auto_confirm_exact_matches"' in html
    assert 'type="password" name="midtrans_server_key"' in html
    assert "No server key" in html
    assert "/api/v1/payments/midtrans/toko-alice/notification" in html
    assert 'name="remove_midtrans_server_key"' not in html  # nothing to remove


def test_it_turns_automatic_confirmation_on_and_off(owner, shop):
    response = owner.post(URL, {"auto_confirm_exact_matches": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/settings/#payments"
    assert _shop().auto_confirm_exact_matches is True
    assert re.search(r'name="auto_confirm_exact_matches"[^>]* checked', owner.get(PAGE).text)

    owner.post(URL, {})
    assert _shop().auto_confirm_exact_matches is False
    events = AuditEvent.objects.filter(action="shop.payment_settings_changed")
    assert events.count() == 2


def test_it_sets_the_server_key_and_shows_only_its_last_four_characters(owner, shop):
    response = owner.post(URL, {"midtrans_server_key": f"  {KEY} "}, follow=True)

    assert _shop().midtrans_server_key == KEY
    html = response.content.decode()
    assert "Server key set (…8IYA)" in html
    assert KEY not in html
    assert "GwUP_WGbJPXsDzsNEBRs8" not in html
    assert 'name="remove_midtrans_server_key"' in html
    event = AuditEvent.objects.get(action="shop.payment_settings_changed")
    assert event.data == {"fields": ["midtrans_server_key"], "midtrans": "set"}
    assert KEY not in str(event.data)


def test_an_empty_key_keeps_the_stored_one(owner, shop):
    shop.midtrans_server_key = KEY
    shop.save(update_fields=["midtrans_server_key"])

    owner.post(URL, {"midtrans_server_key": "", "auto_confirm_exact_matches": "on"})

    shop = _shop()
    assert shop.midtrans_server_key == KEY
    assert shop.auto_confirm_exact_matches is True


def test_a_new_key_replaces_the_old_one(owner, shop):
    shop.midtrans_server_key = KEY
    shop.save(update_fields=["midtrans_server_key"])

    owner.post(URL, {"midtrans_server_key": "Mid-server-ProductionKey1234"})

    assert _shop().midtrans_server_key == "Mid-server-ProductionKey1234"
    event = AuditEvent.objects.get(action="shop.payment_settings_changed")
    assert event.data["midtrans"] == "changed"


def test_removing_the_key_turns_midtrans_off(owner, shop):
    shop.midtrans_server_key = KEY
    shop.save(update_fields=["midtrans_server_key"])

    response = owner.post(URL, {"remove_midtrans_server_key": "on"}, follow=True)

    assert _shop().midtrans_server_key == ""
    assert "No server key" in response.content.decode()
    event = AuditEvent.objects.get(action="shop.payment_settings_changed")
    assert event.data["midtrans"] == "removed"


def test_a_key_that_is_not_a_key_is_refused_and_nothing_is_saved(owner, shop):
    response = owner.post(
        URL, {"midtrans_server_key": "my key; drop", "auto_confirm_exact_matches": "on"}
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "does not look like a Midtrans server key" in html
    assert "my key; drop" not in html  # a password field is never filled back
    shop = _shop()
    assert shop.midtrans_server_key == ""
    assert shop.auto_confirm_exact_matches is False
    assert not AuditEvent.objects.filter(action="shop.payment_settings_changed").exists()


def test_a_new_key_and_removing_the_key_at_once_is_refused(owner, shop):
    shop.midtrans_server_key = KEY
    shop.save(update_fields=["midtrans_server_key"])

    response = owner.post(
        URL, {"midtrans_server_key": "Mid-server-Other12345", "remove_midtrans_server_key": "on"}
    )

    assert response.status_code == 422
    assert "not both" in response.content.decode()
    assert _shop().midtrans_server_key == KEY


def test_saving_unchanged_settings_writes_no_event(owner, shop):
    owner.post(URL, {})
    assert not AuditEvent.objects.filter(action="shop.payment_settings_changed").exists()


def test_staff_cannot_change_payment_settings(client, shop, bob):
    client.force_login(bob)
    response = client.post(URL, {"midtrans_server_key": KEY, "auto_confirm_exact_matches": "on"})
    assert response.status_code in (403, 404)
    shop = _shop()
    assert shop.midtrans_server_key == ""
    assert shop.auto_confirm_exact_matches is False


def test_it_answers_post_only(owner, shop):
    assert owner.get(URL).status_code == 405
