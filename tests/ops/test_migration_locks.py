"""Upgrades: the migrations on the orders tables can run while the old version keeps serving.

On PostgreSQL (`pytest --postgres`; on SQLite there is nothing to measure: a migration takes
the one write lock of the whole file, and this module collects no test), a database holding
100,000 orders (with their lines, expected payments and 1,000 buyers, bulk-inserted with
INSERT … SELECT generate_series) is rolled back to just before the migrations that changed
the orders tables (orders 0007, payments 0007 and everything after them, which takes the
apps depending on them along), and `migrate` then applies them all again while other
connections keep reading and writing orders, buyers and expected payments, each statement
under a short `lock_timeout`. Meanwhile a monitor samples `pg_locks` every few milliseconds
for locks that block writes (SHARE and stronger) on those tables.

What an operator would notice is a buyer's request waiting on a table lock: the test asserts
that no statement of the old version waited `MAX_WAIT` or longer and none hit its lock
timeout, and prints each migration's time, the longest strong lock held on each table and the
slowest statement of each kind. Every migration after the rollback point, including ones
added later, is applied under this load, so a new plain CREATE INDEX or a table rewrite on a
big orders table shows up here as a long wait.

The test leaves the database fully migrated (also when it fails), as the rest of the run
expects.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections import defaultdict

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import make_campaign
from tests.workerprocess import database_url

# OPENPO_MIGRATION_TEST_ORDERS=1000000 measures a bigger shop by hand (bench/README.md).
ORDERS = int(os.environ.get("OPENPO_MIGRATION_TEST_ORDERS", "100000"))
BUYERS = 1_000
# Just before the migrations that changed the orders tables (extra charges and their check
# constraint, buyers' opt-out and WhatsApp window, the changed-since indexes, the expected
# payment's label); Django unapplies whatever depends on them too.
ROLL_BACK_TO = [
    ("orders", "0006_order_request_fingerprint"),
    ("payments", "0006_paymentproof_claim"),
]
TABLES = (
    "orders_order",
    "orders_orderline",
    "orders_customer",
    "payments_expectedpayment",
    "payments_payment",
)
# Lock modes that block an INSERT/UPDATE/DELETE (ROW EXCLUSIVE) on the table.
BLOCKS_WRITES = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
LOCK_TIMEOUT = "2s"  # the old version's statements give up after this (a 5xx for a buyer)
MAX_WAIT = 1.0  # seconds: no statement of the old version may wait this long
POLL = 0.005  # seconds between looks at pg_locks

# PostgreSQL's locks are the point: the test is collected only with --postgres.
pytestmark = pytest.mark.postgres_only


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy_rows(cursor, table: str, template_id: int, count: int, overrides: dict[str, str]):
    """`count` copies of row `template_id` of `table` (alias t, series number g), with some
    columns computed by `overrides` (SQL expressions), in one INSERT … SELECT."""
    columns = _columns(cursor, table)
    values = [overrides.get(column, f"t.{column}") for column in columns]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM {table} t, generate_series(1, {count}) g WHERE t.id = %s",
        [template_id],
    )


def load_orders(shop, campaign, buyer) -> dict[str, int]:
    """ORDERS orders (one line and one expected payment each) by BUYERS buyers: one order
    placed through the service, copied in bulk. Returns ids the load below works on."""
    from openpo.orders.services import place_order

    variant = campaign.variants.order_by("position").first()
    order = place_order(campaign=campaign, buyer=buyer, items={variant.pk: 1}, terms_accepted=True)
    customer_id = order.customer_id
    line_id = order.lines.get().pk
    expected_id = order.expected_payments.get().pk
    with connection.cursor() as cursor:
        _copy_rows(
            cursor,
            "orders_customer",
            customer_id,
            BUYERS,
            {"phone": "'+62813' || lpad(g::text, 7, '0')", "name": "'Pembeli ' || g"},
        )
        cursor.execute(
            "SELECT min(id), max(id) FROM orders_customer WHERE shop_id = %s AND id <> %s",
            [shop.pk, customer_id],
        )
        first_buyer, last_buyer = cursor.fetchone()
        _copy_rows(
            cursor,
            "orders_order",
            order.pk,
            ORDERS,
            {
                "code": "'M' || lpad(g::text, 7, '0')",
                "secret": "md5(g::text || 'a') || lpad(g::text, 11, '0')",
                "customer_id": f"{first_buyer} + mod(g, {BUYERS})",
                "idempotency_key": "''",
                "request_fingerprint": "''",
                "created_at": "t.created_at - g * interval '1 minute'",
                "updated_at": "t.created_at - g * interval '1 minute'",
            },
        )
        cursor.execute(
            "SELECT min(id), max(id) FROM orders_order WHERE shop_id = %s AND id <> %s",
            [shop.pk, order.pk],
        )
        first_order, last_order = cursor.fetchone()
        # One line and one (void) expected payment for each copied order.
        for table, template in (
            ("orders_orderline", line_id),
            ("payments_expectedpayment", expected_id),
        ):
            columns = _columns(cursor, table)
            values = [
                "o.id" if c == "order_id" else ("'void'" if c == "status" else f"t.{c}")
                for c in columns
            ]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM {table} t, orders_order o WHERE t.id = %s AND o.id BETWEEN %s AND %s",
                [template, first_order, last_order],
            )
        cursor.execute("ANALYZE")
    assert last_order - first_order + 1 == ORDERS
    return {
        "shop": shop.pk,
        "first_order": first_order,
        "last_order": last_order,
        "first_buyer": first_buyer,
        "last_buyer": last_buyer,
    }


class OldVersion:
    """Connections that keep reading and writing orders the way the running version does
    (statements that exist before and after the migrations), each statement timed."""

    def __init__(self, url: str, ids: dict[str, int]) -> None:
        self.url = url
        self.ids = ids
        self.stop = threading.Event()
        self.records: list[tuple[str, float, float, str]] = []  # kind, start, seconds, error
        self.pids: set[int] = set()
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, args=(self._statements(kind),), daemon=True)
            for kind in ("read", "write", "list")
        ]

    @staticmethod
    def _statements(kind: str):
        if kind == "read":  # a buyer opens their order page
            return [
                (
                    "read order",
                    "SELECT o.code, o.status, o.total, l.sku, l.quantity FROM orders_order o "
                    "JOIN orders_orderline l ON l.order_id = o.id WHERE o.id = %s",
                    ("first_order", "last_order"),
                ),
                (
                    "read payment",
                    "SELECT amount, status FROM payments_expectedpayment WHERE order_id = %s",
                    ("first_order", "last_order"),
                ),
            ]
        if kind == "write":  # the seller updates an order, a buyer's details, a payment
            return [
                (
                    "update order",
                    "UPDATE orders_order SET updated_at = now(), notes = 'diubah' WHERE id = %s",
                    ("first_order", "last_order"),
                ),
                (
                    "update buyer",
                    "UPDATE orders_customer SET updated_at = now() WHERE id = %s",
                    ("first_buyer", "last_buyer"),
                ),
                (
                    "update payment",
                    "UPDATE payments_expectedpayment SET reminded_at = now() WHERE order_id = %s",
                    ("first_order", "last_order"),
                ),
            ]
        return [  # the seller's order list
            (
                "list orders",
                "SELECT id, code, status FROM orders_order WHERE shop_id = %s "
                "ORDER BY created_at DESC LIMIT 50",
                ("shop", "shop"),
            )
        ]

    def _run(self, statements) -> None:
        import random

        rng = random.Random(len(statements))
        records = []
        with psycopg.connect(self.url, autocommit=True, prepare_threshold=None) as conn:
            conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            conn.execute("SET statement_timeout = '10s'")
            with self.lock:
                self.pids.add(conn.info.backend_pid)
            while not self.stop.is_set():
                for kind, sql, (low, high) in statements:
                    value = rng.randint(self.ids[low], self.ids[high])
                    started = time.perf_counter()
                    error = ""
                    try:
                        cursor = conn.execute(sql, [value])
                        if cursor.description:
                            cursor.fetchall()
                    except psycopg.Error as exc:
                        error = f"{exc.__class__.__name__}: {exc}".strip()
                    records.append((kind, started, time.perf_counter() - started, error))
                time.sleep(0.003)
        with self.lock:
            self.records.extend(records)

    def __enter__(self) -> OldVersion:
        for thread in self.threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(self.pids) < len(self.threads) and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


class LockMonitor:
    """Samples pg_locks: how long each other session held a lock that blocks writes on one
    of TABLES (first to last sighting, plus one poll interval)."""

    def __init__(self, url: str, ignore: set[int]) -> None:
        self.url = url
        self.ignore = ignore
        self.stop = threading.Event()
        self.spans: dict[tuple[int, str, str], list[float]] = {}
        self.samples = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            me = conn.info.backend_pid
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT l.pid, c.relname, l.mode FROM pg_locks l "
                    "JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.granted AND c.relname = ANY(%s) AND l.mode = ANY(%s)",
                    [list(TABLES), list(BLOCKS_WRITES)],
                ).fetchall()
                now = time.perf_counter()
                self.samples += 1
                for pid, table, mode in rows:
                    if pid in self.ignore or pid == me:
                        continue
                    span = self.spans.setdefault((pid, table, mode), [now, now])
                    span[1] = now
                time.sleep(POLL)

    def longest(self) -> dict[str, tuple[str, float]]:
        """table -> (mode, seconds) of the longest strong lock seen on it."""
        out: dict[str, tuple[str, float]] = {}
        for (_pid, table, mode), (first, last) in self.spans.items():
            seconds = last - first + POLL
            if seconds > out.get(table, ("", 0.0))[1]:
                out[table] = (mode, seconds)
        return out

    def __enter__(self) -> LockMonitor:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_the_orders_migrations_never_make_the_running_version_wait_a_second(
    shop, now, buyer, record_property
):
    started = time.monotonic()
    campaign = make_campaign(shop, now=now, quotas=(None,))
    ids = load_orders(shop, campaign, buyer)
    loaded = time.monotonic() - started
    try:
        for app, target in ROLL_BACK_TO:
            call_command("migrate", app, target, verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM orders_order")
            assert cursor.fetchone()[0] == ORDERS + 1
        url = database_url()
        output = io.StringIO()
        with OldVersion(url, ids) as old, LockMonitor(url, old.pids) as monitor:
            time.sleep(0.3)  # the old version is busy before the upgrade starts
            migrate_started = time.perf_counter()
            call_command("migrate", verbosity=2, interactive=False, stdout=output)
            migrate_ended = time.perf_counter()
            time.sleep(0.3)
    finally:
        # The rest of the run expects a fully migrated database, whatever happened here.
        call_command("migrate", verbosity=0, interactive=False)

    applied = re.findall(r"Applying (\S+)\.\.\. OK \(([\d.]+)s\)", output.getvalue())
    assert any(name.startswith("orders.0007") for name, _s in applied), output.getvalue()
    during = [r for r in old.records if migrate_started <= r[1] <= migrate_ended]
    assert during, "the old version ran no statement while migrate ran"
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, _start, seconds, _error in during:
        by_kind[kind].append(seconds)
    errors = sorted({r[3] for r in old.records if r[3]})
    longest_wait = max(r[2] for r in during)
    locks = monitor.longest()
    slowest = sorted(applied, key=lambda a: -float(a[1]))[:4]
    record_property(
        "result",
        f"{ORDERS:,} orders loaded in {loaded:.1f} s; migrate applied {len(applied)} "
        f"migrations in {migrate_ended - migrate_started:.2f} s (slowest: "
        + ", ".join(f"{n} {float(s):.3f} s" for n, s in slowest)
        + f"); {len(during)} statements of the old version meanwhile, longest wait "
        f"{longest_wait * 1000:.0f} ms ("
        + ", ".join(f"{k} {max(v) * 1000:.0f}" for k, v in sorted(by_kind.items()))
        + " ms); longest write-blocking lock: "
        + (
            ", ".join(f"{t} {m} {s * 1000:.0f} ms" for t, (m, s) in sorted(locks.items()))
            or "none seen"
        )
        + f" ({monitor.samples} samples); errors {len(errors)}",
    )
    assert errors == []  # no lock timeout, no statement refused
    assert longest_wait < MAX_WAIT, by_kind
    # The monitor really watched: the migrations did take strong locks on the orders table.
    assert "orders_order" in locks, locks
