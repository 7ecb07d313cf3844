"""The log-in lockout holds however the username is spelt, on the admin's log-in too, under
parallel attempts, and across usernames from one address."""

import threading

import pytest
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, RequestFactory

from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def login(client, username, password, ip="203.0.113.9"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def lock_alice(client, ip="203.0.113.9"):
    for _ in range(5):
        assert login(client, "alice", "salah", ip).status_code == 200


@pytest.mark.parametrize("spelling", ["ａlice", "𝐚lice", "ALICE", "Alice", " alice "])
def test_another_spelling_of_a_locked_username_is_locked_too(client, shop, spelling):
    lock_alice(client)

    response = login(client, spelling, "password")

    assert response.status_code == 429
    assert "Terlalu banyak kata sandi salah" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_under_other_spellings_count_for_the_same_account(client, shop):
    for spelling in ["alice", "ａlice", "𝐚lice", "ALICE", "ａｌｉｃｅ"]:
        login(client, spelling, "salah")

    assert login(client, "alice", "password").status_code == 429


def test_the_admin_login_sends_to_the_sites_login_and_keeps_the_destination(client, shop):
    response = client.get("/admin/login/?next=/admin/catalog/shop/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fcatalog%2Fshop%2F"
    outside = client.get("/admin/login/?next=https://evil.example/")
    assert outside["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_eight_wrong_admin_passwords_then_the_right_one_does_not_log_in(client, shop, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    for _ in range(8):
        client.post("/admin/login/", {"username": "alice", "password": "salah"})
        login(client, "alice", "salah")

    client.post("/admin/login/", {"username": "alice", "password": "password"})
    assert "_auth_user_id" not in client.session
    assert login(client, "alice", "password").status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_admins_own_form_is_under_the_lockout_too(shop, alice):
    alice.is_staff = True
    alice.save()
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="203.0.113.9")

    def admin_form(password):
        form = AdminAuthenticationForm(request, {"username": "alice", "password": password})
        return form.is_valid()

    assert [admin_form("salah") for _ in range(5)] == [False] * 5
    assert admin_form("password") is False
    assert request.login_locked_out.startswith("Terlalu banyak kata sandi salah")


def test_one_address_cannot_try_passwords_on_many_usernames(client, django_user_model):
    for number in range(20):
        django_user_model.objects.create_user(f"penjual{number}", password="rahasia-benar")
    answers = [login(client, f"penjual{n}", "salah").status_code for n in range(20)]
    assert answers == [200] * 20

    refused = login(client, "penjual0", "rahasia-benar")

    assert refused.status_code == 429
    assert "dari jaringan Anda" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert login(client, "penjual0", "rahasia-benar", ip="198.51.100.4").status_code == 302


def test_good_log_ins_do_not_use_up_the_address_allowance(client, shop):
    for _ in range(30):
        assert login(client, "alice", "password").status_code == 302
        client.logout()


def test_a_lock_ends_after_its_time(client, shop, settings):
    settings.LOGIN_LOCKOUT_SECONDS = 1
    lock_alice(client)
    assert login(client, "alice", "password").status_code == 429

    threading.Event().wait(1.2)

    assert login(client, "alice", "password").status_code == 302


class CountingHasher(MD5PasswordHasher):
    """The tests' MD5 hasher, counting how many passwords were really checked."""

    checked = 0
    lock = threading.Lock()

    def verify(self, password, encoded):
        with CountingHasher.lock:
            CountingHasher.checked += 1
        return super().verify(password, encoded)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cache", ["locmem", "database"])
def test_forty_parallel_attempts_get_five_passwords_checked(
    settings, shop, cache, vendor, record_property
):
    if cache == "database":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "openpo_cache",
            }
        }
        call_command("createcachetable", verbosity=0)
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.checked = 0

    def attempt():
        return login(Client(), "alice", "salah").status_code

    results, errors = run_at_once([attempt] * 40)
    caches["default"].clear()

    assert errors == []
    record_property(
        "result",
        f"{vendor}, {cache} cache: 40 parallel wrong passwords → "
        f"{CountingHasher.checked} checked, {results.count(429)} refused unchecked",
    )
    assert CountingHasher.checked == 5
    assert sorted(results) == [200] * 5 + [429] * 35
