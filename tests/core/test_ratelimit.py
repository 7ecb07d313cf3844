"""Past its limit a client gets a friendly 429 page (or JSON) with Retry-After; others don't."""

import json
import subprocess
import sys
import textwrap
import uuid

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from openpo.core.ratelimit import (
    create_counters_table,
    hit,
    rate_limit,
    rate_limit_key,
    rate_limited_response,
)
from tests.concurrency import run_at_once

WINDOW = 3600  # long, so a test never straddles a window boundary
T0 = 1_800_000_000.0  # a window start for windows of 10 s and 3600 s


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    # A LocMem cache of its own per test: counts never leak from one test to the next.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"ratelimit-{uuid.uuid4()}",
        }
    }
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.RATE_LIMITS = {"order": (3, WINDOW), "search": None}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@rate_limit("order")
def place_order(request):
    return HttpResponse("ordered")


@rate_limit("order", limit=2, window=WINDOW, methods=("GET", "POST"))
def lookup_order(request):
    return HttpResponse("found")


@rate_limit("search")
def search(request):
    return HttpResponse("results")


@rate_limit("missing")
def unconfigured(request):
    return HttpResponse("never")


def post(view, ip="203.0.113.7", path="/po/kaos/order/", **headers):
    return view(RequestFactory().post(path, REMOTE_ADDR=ip, headers=headers))


def test_it_lets_the_first_posts_within_the_limit_through():
    responses = [post(place_order) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert all(r.content == b"ordered" for r in responses)


def test_it_answers_the_post_past_the_limit_with_a_friendly_page_and_retry_after():
    for _ in range(3):
        post(place_order)

    response = post(place_order)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many tries. Please wait a minute and try again." in html
    assert "ordered" not in html
    assert '<html lang="en">' in html  # the site's page, not a bare error
    # At most one and a half windows: the carried count of a full window needs half the
    # next one to fall below the limit (limit 2).
    assert 1 <= int(response["Retry-After"]) <= 1.5 * WINDOW
    assert "You can try again in" in html


@pytest.mark.parametrize(
    ("retry_after", "text"),
    [
        (1, "in 1 second."),
        (45, "in 45 seconds."),
        (119, "in 119 seconds."),
        (1800, "in 30 minutes."),
    ],
)
def test_it_says_how_long_to_wait_in_words(retry_after, text):
    request = RequestFactory().post("/po/kaos/order/")

    response = rate_limited_response(request, retry_after=retry_after)

    assert text in response.content.decode()
    assert response["Retry-After"] == str(retry_after)


def test_it_offers_a_way_back_to_the_same_site_page_only():
    for _ in range(3):
        post(place_order)

    back = post(place_order, Referer="http://testserver/po/kaos/").content.decode()
    elsewhere = post(place_order, Referer="https://evil.example/phish").content.decode()

    assert 'href="http://testserver/po/kaos/"' in back
    assert "evil.example" not in elsewhere


def test_it_counts_each_client_address_on_its_own():
    for _ in range(4):
        post(place_order, ip="203.0.113.7")

    assert post(place_order, ip="198.51.100.1").status_code == 200


def test_it_counts_the_clients_behind_a_trusted_proxy_not_the_proxy():
    for _ in range(4):
        post(place_order, ip="10.0.0.5", X_Forwarded_For="203.0.113.7")

    assert post(place_order, ip="10.0.0.5", X_Forwarded_For="198.51.100.1").status_code == 200
    assert post(place_order, ip="10.0.0.5", X_Forwarded_For="203.0.113.7").status_code == 429


def test_it_cannot_be_dodged_by_inventing_x_forwarded_for_without_a_proxy():
    for n in range(3):
        post(place_order, X_Forwarded_For=f"192.0.2.{n}")

    assert post(place_order, X_Forwarded_For="192.0.2.99").status_code == 429


def test_it_counts_an_ipv6_subscribers_whole_64_as_one_client():
    for n in range(3):
        post(place_order, ip=f"2001:db8:1:2::{n + 1}")

    assert post(place_order, ip="2001:db8:1:2:ffff::9").status_code == 429
    assert post(place_order, ip="2001:db8:1:3::1").status_code == 200
    assert rate_limit_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert rate_limit_key("203.0.113.7") == "203.0.113.7"


def test_it_does_not_count_or_refuse_get_by_default():
    for _ in range(10):
        response = place_order(RequestFactory().get("/po/kaos/order/", REMOTE_ADDR="203.0.113.7"))
        assert response.status_code == 200

    assert post(place_order).status_code == 200  # the GETs used none of the POST budget


def test_it_counts_the_methods_it_is_told_to_with_explicit_numbers():
    factory = RequestFactory()
    assert lookup_order(factory.get("/", REMOTE_ADDR="203.0.113.7")).status_code == 200
    assert lookup_order(factory.post("/", REMOTE_ADDR="203.0.113.7")).status_code == 200
    assert lookup_order(factory.get("/", REMOTE_ADDR="203.0.113.7")).status_code == 429


def test_it_answers_json_to_a_client_that_prefers_json():
    for _ in range(3):
        post(place_order)

    response = post(place_order, Accept="application/json")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "code": "rate_limited",
        "message": "Too many tries. Please wait a minute and try again.",
        "errors": None,
    }
    # At most one and a half windows: the carried count of a full window needs half the
    # next one to fall below the limit (limit 2).
    assert 1 <= int(response["Retry-After"]) <= 1.5 * WINDOW


def test_it_answers_json_under_the_api_whatever_the_client_accepts():
    for _ in range(3):
        post(place_order, path="/api/v1/orders")

    response = post(place_order, path="/api/v1/orders")

    assert response.status_code == 429
    assert json.loads(response.content)["code"] == "rate_limited"


def test_it_answers_a_browser_with_the_page_even_though_it_accepts_anything():
    for _ in range(3):
        post(place_order)

    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = post(place_order, Accept=browser)

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")


def test_it_reads_the_limit_from_settings_at_each_request(settings):
    settings.RATE_LIMITS = {"order": (1, WINDOW)}

    assert post(place_order).status_code == 200
    assert post(place_order).status_code == 429


def test_it_does_not_limit_a_scope_whose_limit_is_switched_off():
    assert all(post(search).status_code == 200 for _ in range(10))


def test_it_refuses_to_guess_a_limit_for_an_unconfigured_scope():
    with pytest.raises(ImproperlyConfigured):
        post(unconfigured)


def test_it_wants_both_limit_and_window_or_neither():
    with pytest.raises(TypeError):
        rate_limit("order", limit=5)


@pytest.fixture(params=["cache", "database"])
def counters(request, settings):
    """The window arithmetic, on a cache (here LocMem) and on the database cache's table."""
    if request.param == "database":
        request.getfixturevalue("db")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "openpo_cache",
            }
        }
        create_counters_table("default")
    return request.param


@pytest.mark.usefixtures("counters")
def test_it_counts_hits_within_the_last_window_and_says_when_to_come_back():
    first = hit("order", "k", limit=2, window=10, now=T0)
    second = hit("order", "k", limit=2, window=10, now=T0 + 1)
    refused = hit("order", "k", limit=2, window=10, now=T0 + 2.5)

    assert (first.allowed, first.remaining) == (True, 1)
    assert (second.allowed, second.remaining) == (True, 0)
    assert (refused.allowed, refused.remaining, refused.retry_after) == (False, 0, 13)
    # The next fixed window still carries the two hits: no fresh allowance at its start.
    assert not hit("order", "k", limit=2, window=10, now=T0 + 10).allowed
    back = hit("order", "k", limit=2, window=10, now=T0 + 2.5 + refused.retry_after)
    assert (back.allowed, back.remaining) == (True, 0)


@pytest.mark.usefixtures("counters")
def test_it_does_not_let_twice_the_limit_through_around_a_window_boundary():
    before = [hit("order", "k", limit=2, window=60, now=T0 + 59.9).allowed for _ in range(2)]
    after = [hit("order", "k", limit=2, window=60, now=T0 + 60.1).allowed for _ in range(2)]
    assert before == [True, True]
    assert after == [False, False]


@pytest.mark.usefixtures("counters")
def test_it_gives_the_whole_limit_again_after_a_quiet_window():
    for _ in range(3):
        hit("order", "k", limit=2, window=10, now=T0)
    later = [hit("order", "k", limit=2, window=10, now=T0 + 20).allowed for _ in range(3)]
    assert later == [True, True, False]


@pytest.mark.usefixtures("counters")
def test_it_keeps_separate_counts_per_scope():
    hit("order", "k", limit=1, window=10, now=T0)

    assert not hit("order", "k", limit=1, window=10, now=T0).allowed
    assert hit("login", "k", limit=1, window=10, now=T0).allowed


def test_it_refuses_a_limit_or_window_below_one():
    with pytest.raises(ValueError):
        hit("order", "k", limit=0, window=10)
    with pytest.raises(ValueError):
        hit("order", "k", limit=5, window=0)


class BrokenCache:
    """A cache backend whose server is down."""

    def __init__(self, location, params):
        pass

    def add(self, *args, **kwargs):
        raise ConnectionError("cache server unreachable")

    def close(self, **kwargs):
        pass


def test_it_lets_orders_through_and_logs_when_the_cache_is_down(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}

    assert all(post(place_order).status_code == 200 for _ in range(5))
    assert "rate limit 'order' not checked" in caplog.text


def test_it_shares_the_count_with_another_process_through_a_shared_cache(settings, tmp_path):
    # FileBasedCache stands in for any cache outside the process (Redis, the database).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    other_process = textwrap.dedent(f"""
        import django
        from django.conf import settings
        settings.configure(CACHES={settings.CACHES!r})
        django.setup()
        from openpo.core.ratelimit import hit
        for _ in range(3):
            print(hit("order", "203.0.113.7", limit=3, window=10, now={T0!r}).allowed)
    """)
    ran = subprocess.run(
        [sys.executable, "-c", other_process], capture_output=True, text=True, check=True
    )
    assert ran.stdout.split() == ["True", "True", "True"]

    assert not hit("order", "203.0.113.7", limit=3, window=10, now=T0).allowed


def test_it_keeps_the_windows_expiry_on_a_cache_whose_incr_would_reset_it(settings, tmp_path):
    # BaseCache.incr (FileBasedCache, DatabaseCache) re-sets the key with the cache's default
    # TIMEOUT; with TIMEOUT 0 that would forget the count at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
            "TIMEOUT": 0,
        }
    }
    results = [hit("order", "k", limit=2, window=WINDOW).allowed for _ in range(3)]

    assert results == [True, True, False]


@pytest.mark.django_db
def test_it_counts_in_the_database_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "openpo_cache",
            "TIMEOUT": 0,
        }
    }
    call_command("createcachetable", verbosity=0)
    create_counters_table("default")

    assert [post(place_order).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert post(place_order, ip="198.51.100.1").status_code == 200


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_parallel_hits_from_one_client_stop_at_the_limit_on_the_database_cache(
    settings, vendor, record_property
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "openpo_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    create_counters_table("default")

    def attempt():
        return hit("order", "203.0.113.7", limit=5, window=WINDOW).allowed

    results, errors = run_at_once([attempt] * 20)
    caches["default"].clear()

    assert errors == []
    allowed = results.count(True)
    record_property("result", f"{vendor}: 20 parallel hits, limit 5 → {allowed} allowed")
    assert allowed == 5
