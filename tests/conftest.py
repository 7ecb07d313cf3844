"""The shared test world and the database switch.

`pytest` runs the suite on SQLite (a file, so concurrent connections really contend);
`pytest --postgres` runs it on a real PostgreSQL server started here in a temp directory and
torn down afterwards. Where PostgreSQL cannot be started the PostgreSQL run skips with the
reason, except under CI=true, where that is an error.

The world (healthchecks style): alice owns the shop `toko-alice` with one open campaign,
bob is alice's staff, charlie owns another shop and is an outsider to alice's.
"""

import contextlib
import os
from datetime import timedelta

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from tests.pgserver import PostgresServer, PostgresUnavailable

IN_CI = os.environ.get("CI", "").lower() == "true"
_server = pytest.StashKey[PostgresServer]()
_skip_reason = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run against a throwaway PostgreSQL server started for this run",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_skip_reason] = ""
    # Real password hashing costs ~0.3 s per user; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain HTTP, like `make run`; tests/ops/test_settings.py checks
    # that production settings redirect to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
    # One process: a memory cache is shared by the whole run (cleared before each test), and
    # no separate cache database.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.DATABASES.pop("cache", None)
    settings.DATABASE_ROUTERS = []
    # No collectstatic before tests: serve static files from the apps, unhashed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if not config.getoption("--postgres"):
        return
    try:
        server = PostgresServer.start(max_connections=200)
    except PostgresUnavailable as exc:
        if IN_CI:
            raise pytest.UsageError(f"PostgreSQL is required under CI=true: {exc}") from exc
        config.stash[_skip_reason] = f"PostgreSQL is not available here: {exc}"
        return
    config.stash[_server] = server
    config.add_cleanup(server.stop)
    # Settings were imported before this hook ran; point `default` at the new server and make
    # the connection handler read the settings again (no connection has been opened yet).
    settings.DATABASES["default"] = dj_database_url.parse(server.url, conn_max_age=0)
    connections.close_all()
    for alias in list(connections.settings):
        with contextlib.suppress(AttributeError):
            del connections[alias]  # drop connection objects built from the old settings
    connections._settings = None
    connections.__dict__.pop("settings", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--postgres"):
        # Tests of SQLite's own machinery (its write queue) are not run against PostgreSQL.
        sqlite_only = [item for item in items if item.get_closest_marker("sqlite_only")]
        if sqlite_only:
            config.hook.pytest_deselected(items=sqlite_only)
            items[:] = [item for item in items if item not in sqlite_only]
    else:
        # PostgreSQL's own behaviour (its locks, a server restart): only with --postgres, which
        # `make test` always runs too.
        postgres_only = [item for item in items if item.get_closest_marker("postgres_only")]
        if postgres_only:
            config.hook.pytest_deselected(items=postgres_only)
            items[:] = [item for item in items if item not in postgres_only]
    reason = config.stash[_skip_reason]
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config: pytest.Config) -> str:
    if config.stash.get(_server, None):
        server = config.stash[_server]
        return f"database: PostgreSQL {server.version}, throwaway server on 127.0.0.1:{server.port}"
    if config.stash[_skip_reason]:
        return f"database: {config.stash[_skip_reason]}"
    return "database: SQLite (file), WAL, immediate transactions"


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    lines = [
        f"{report.nodeid}: {value}"
        for report in terminalreporter.stats.get("passed", [])
        for key, value in report.user_properties
        if key == "result"
    ]
    if lines:
        terminalreporter.write_sep(
            "-", "concurrency results (" + pytest_report_header(config) + ")"
        )
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from openpo.core.memory import forget_everything

    cache.clear()
    forget_everything()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request the test client made in
    English leaves English active in this thread, as it would in a server thread until the
    next request (which activates its own)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def vendor() -> str:
    """`sqlite` or `postgresql`: the database this run uses."""
    return connection.vendor


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.com", "password")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.com", "password")


@pytest.fixture
def charlie(django_user_model):
    return django_user_model.objects.create_user("charlie", "charlie@example.com", "password")


@pytest.fixture
def shop(alice, bob):
    from openpo.catalog.models import Membership
    from openpo.catalog.services import add_member, create_shop

    shop = create_shop(
        name="Toko Alice", slug="toko-alice", owner=alice, whatsapp_number="0812-1111-2222"
    )
    add_member(shop=shop, user=bob, role=Membership.Role.STAFF, actor=alice)
    return shop


@pytest.fixture
def other_shop(charlie):
    from openpo.catalog.services import create_shop

    return create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)


def make_campaign(shop, *, now, quotas=(20, None), publish=True, **options):
    """A campaign with one product ("Kaos Polos") and a variant per quota (sizes S, M, L, …)."""
    from openpo.catalog.services import add_product, add_variant, create_campaign, publish_campaign

    defaults = {
        "title": "PO Kaos Agustus",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=3),
        "shipping_fee": 15_000,
    }
    campaign = create_campaign(shop=shop, **{**defaults, **options})
    product = add_product(campaign=campaign, name="Kaos Polos")
    sizes = ["S", "M", "L", "XL", "XXL"]
    for index, quota in enumerate(quotas):
        size = sizes[index] if index < len(sizes) else f"Size {index}"
        add_variant(product=product, price=120_000, options={"Ukuran": size}, quota=quota)
    if publish:
        campaign = publish_campaign(campaign=campaign, now=now)
    return campaign


@pytest.fixture
def campaign(shop, now):
    """alice's open campaign: size S with a quota of 20, size M unlimited."""
    return make_campaign(shop, now=now)


@pytest.fixture
def variants(campaign):
    return list(campaign.variants.order_by("position"))


@pytest.fixture
def buyer():
    from openpo.orders.services import BuyerDetails

    return BuyerDetails(
        name="Sari Wulandari",
        phone="0813 2222 3333",
        email="sari@example.com",
        address="Jl. Melati No. 5",
        city="Bandung",
        province="Jawa Barat",
        postal_code="40115",
    )
