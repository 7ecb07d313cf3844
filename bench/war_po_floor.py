"""The floor of a war PO: OpenPO's order transaction issued straight through the database driver.

No HTTP, no Django: `threads` client threads, each with its own raw connection (the `sqlite3`
module with the app's PRAGMAs, busy timeout and `BEGIN IMMEDIATE`; `psycopg` for PostgreSQL),
share `attempts` tries at one variant of quota Q. Each try is what `place_order` commits, in the
same order: a read that answers a visibly sold-out variant without queueing, then one
transaction that upserts the customer, inserts the order, its line, the expected payment and
the audit event, and last takes the contended rows: the conditional UPDATE of the variant
(`reserved_units + 1 <= quota`, no row means sold out: roll back) and the campaign counter.
Order codes, secrets and transfer amounts are made before the transaction and cannot collide,
so no try is retried. The result is the fastest this machine can sell the variant with this
schema: `bench/war_po.py` divides OpenPO's accepted orders/s by it.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PAYMENT_WINDOW = timedelta(hours=24)


def _code(number: int) -> str:
    """`PO-` and five characters, a distinct code for each number below 31**5."""
    chars = []
    for _ in range(5):
        number, digit = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return "PO-" + "".join(reversed(chars))


class _SqliteTx:
    """One connection as Django's SQLite backend opens it for OpenPO (settings.py)."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.db.execute(f"PRAGMA {pragma}")

    @staticmethod
    def _ts(moment: datetime) -> str:  # how Django stores an aware datetime in SQLite: UTC text
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")

    def left(self, variant_id: int) -> int:
        (left,) = self.db.execute(
            "SELECT quota - reserved_units FROM catalog_variant WHERE id = ?", (variant_id,)
        ).fetchone()
        return left

    def place(self, w: dict, row: dict) -> bool:
        db, now = self.db, self._ts(row["now"])
        db.execute("BEGIN IMMEDIATE")
        try:
            (customer_id,) = db.execute(
                "INSERT INTO orders_customer (shop_id, phone, name, email, created_at, updated_at)"
                " VALUES (?, ?, ?, '', ?, ?) ON CONFLICT (shop_id, phone) DO UPDATE SET"
                " name = excluded.name, updated_at = excluded.updated_at RETURNING id",
                (w["shop_id"], row["phone"], row["name"], now, now),
            ).fetchone()
            (order_id,) = db.execute(
                "INSERT INTO orders_order (code, secret, buyer_name, buyer_phone, buyer_email,"
                " address, city, province, postal_code, notes, channel, status, payment_status,"
                " fulfillment_status, units, subtotal, shipping_fee, total, deposit_due,"
                " amount_paid, payment_deadline, idempotency_key, created_at, updated_at,"
                " cancel_reason, campaign_id, customer_id, shop_id, terms_accepted) VALUES"
                " (?, ?, ?, ?, '', ?, ?, ?, ?, '', 'api', 'active', 'unpaid', 'pending', 1, ?, 0,"
                " ?, ?, 0, ?, ?, ?, ?, '', ?, ?, ?, ?) RETURNING id",
                (
                    row["code"],
                    row["secret"],
                    row["name"],
                    row["phone"],
                    row["address"],
                    row["city"],
                    row["province"],
                    row["postal_code"],
                    w["price"],
                    w["price"],
                    w["price"],
                    self._ts(row["deadline"]),
                    row["key"],
                    now,
                    now,
                    w["campaign_id"],
                    customer_id,
                    w["shop_id"],
                    w["terms"],
                ),
            ).fetchone()
            db.execute(
                "INSERT INTO orders_orderline (product_name, variant_label, sku, quantity,"
                " unit_price, order_id, variant_id) VALUES (?, '', ?, 1, ?, ?, ?)",
                (w["product"], w["sku"], w["price"], order_id, w["variant_id"]),
            )
            db.execute(
                "INSERT INTO payments_expectedpayment (kind, base_amount, unique_code, amount,"
                " due_at, status, created_at, order_id, shop_id) VALUES"
                " ('full', ?, ?, ?, ?, 'open', ?, ?, ?)",
                (
                    w["price"],
                    row["unique_code"],
                    w["price"] + row["unique_code"],
                    self._ts(row["deadline"]),
                    now,
                    order_id,
                    w["shop_id"],
                ),
            )
            db.execute(
                "INSERT INTO core_auditevent (actor_label, action, subject_type, subject_id, data,"
                " created_at, actor_id, shop_id) VALUES"
                " ('api', 'order.placed', 'orders.order', ?, ?, ?, NULL, ?)",
                (str(order_id), json.dumps({"units": 1, "total": w["price"]}), now, w["shop_id"]),
            )
            taken = db.execute(
                "UPDATE catalog_variant SET reserved_units = reserved_units + 1"
                " WHERE id = ? AND quota >= reserved_units + 1",
                (w["variant_id"],),
            ).rowcount
            if not taken:
                db.execute("ROLLBACK")
                return False
            db.execute(
                "UPDATE catalog_campaign SET reserved_units = reserved_units + 1 WHERE id = ?",
                (w["campaign_id"],),
            )
            db.execute("COMMIT")
            return True
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()


class _SoldOut(Exception):
    pass


class _PostgresTx:
    """One psycopg 3 connection (the driver Django uses for OpenPO on PostgreSQL)."""

    def __init__(self, url: str) -> None:
        import psycopg

        # Autocommit, as Django uses it: reads outside a transaction, writes in BEGIN..COMMIT.
        self.db = psycopg.connect(url, autocommit=True)

    def left(self, variant_id: int) -> int:
        (left,) = self.db.execute(
            "SELECT quota - reserved_units FROM catalog_variant WHERE id = %s", (variant_id,)
        ).fetchone()
        return left

    def place(self, w: dict, row: dict) -> bool:
        from psycopg.types.json import Jsonb

        db, now = self.db, row["now"]
        try:
            with db.transaction(), db.cursor() as cur:
                cur.execute(
                    "INSERT INTO orders_customer (shop_id, phone, name, email, created_at,"
                    " updated_at) VALUES (%s, %s, %s, '', %s, %s) ON CONFLICT (shop_id, phone)"
                    " DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at"
                    " RETURNING id",
                    (w["shop_id"], row["phone"], row["name"], now, now),
                )
                (customer_id,) = cur.fetchone()
                cur.execute(
                    "INSERT INTO orders_order (code, secret, buyer_name, buyer_phone, buyer_email,"
                    " address, city, province, postal_code, notes, channel, status,"
                    " payment_status, fulfillment_status, units, subtotal, shipping_fee, total,"
                    " deposit_due, amount_paid, payment_deadline, idempotency_key, created_at,"
                    " updated_at, cancel_reason, campaign_id, customer_id, shop_id,"
                    " terms_accepted) VALUES (%s, %s, %s, %s, '', %s, %s, %s, %s, '', 'api',"
                    " 'active', 'unpaid', 'pending', 1, %s, 0, %s, %s, 0, %s, %s, %s, %s, '', %s,"
                    " %s, %s, %s) RETURNING id",
                    (
                        row["code"],
                        row["secret"],
                        row["name"],
                        row["phone"],
                        row["address"],
                        row["city"],
                        row["province"],
                        row["postal_code"],
                        w["price"],
                        w["price"],
                        w["price"],
                        row["deadline"],
                        row["key"],
                        now,
                        now,
                        w["campaign_id"],
                        customer_id,
                        w["shop_id"],
                        w["terms"],
                    ),
                )
                (order_id,) = cur.fetchone()
                cur.execute(
                    "INSERT INTO orders_orderline (product_name, variant_label, sku, quantity,"
                    " unit_price, order_id, variant_id) VALUES (%s, '', %s, 1, %s, %s, %s)",
                    (w["product"], w["sku"], w["price"], order_id, w["variant_id"]),
                )
                cur.execute(
                    "INSERT INTO payments_expectedpayment (kind, base_amount, unique_code, amount,"
                    " due_at, status, created_at, order_id, shop_id) VALUES"
                    " ('full', %s, %s, %s, %s, 'open', %s, %s, %s)",
                    (
                        w["price"],
                        row["unique_code"],
                        w["price"] + row["unique_code"],
                        row["deadline"],
                        now,
                        order_id,
                        w["shop_id"],
                    ),
                )
                cur.execute(
                    "INSERT INTO core_auditevent (actor_label, action, subject_type, subject_id,"
                    " data, created_at, actor_id, shop_id) VALUES"
                    " ('api', 'order.placed', 'orders.order', %s, %s, %s, NULL, %s)",
                    (str(order_id), Jsonb({"units": 1, "total": w["price"]}), now, w["shop_id"]),
                )
                cur.execute(
                    "UPDATE catalog_variant SET reserved_units = reserved_units + 1"
                    " WHERE id = %s AND quota >= reserved_units + 1",
                    (w["variant_id"],),
                )
                if not cur.rowcount:
                    raise _SoldOut
                cur.execute(
                    "UPDATE catalog_campaign SET reserved_units = reserved_units + 1 WHERE id = %s",
                    (w["campaign_id"],),
                )
            return True
        except _SoldOut:  # leaving the `transaction()` block by it rolled back
            return False

    def close(self) -> None:
        self.db.close()


def run_floor(
    *, db: str, target: str, world: dict, attempts: int, threads: int, seed: int = 0
) -> dict:
    """Sell `world`'s variant with `attempts` tries from `threads` threads; returns the counts,
    the wall time, the time of the last accepted commit and per-try latencies (seconds)."""
    opener = (lambda: _SqliteTx(target)) if db == "sqlite" else (lambda: _PostgresTx(target))
    conns = [opener() for _ in range(threads)]
    lock = threading.Lock()
    next_try = iter(range(attempts))
    barrier = threading.Barrier(threads + 1)
    results: list[tuple[bool | None, float, float]] = []  # (accepted, latency, finished at)

    def rows():
        while True:
            with lock:
                i = next(next_try, None)
            if i is None:
                return
            now = datetime.now(UTC)
            yield {
                "now": now,
                "deadline": now + PAYMENT_WINDOW,
                "code": _code(seed * 100_000 + i),
                "secret": secrets.token_urlsafe(24),
                "unique_code": 1 + i,  # one base amount per run: amounts never collide
                "key": secrets.token_hex(16),
                "name": f"Pembeli {i}",
                "phone": f"+62813{seed:02d}{i:06d}",
                "address": "Jl. Melati No. 5, RT 01/RW 02",
                "city": "Bandung",
                "province": "Jawa Barat",
                "postal_code": "40115",
            }

    def client(conn) -> None:
        mine = []
        barrier.wait()
        for row in rows():
            started = time.perf_counter()
            try:
                ok = conn.left(world["variant_id"]) > 0 and conn.place(world, row)
            except Exception:  # counted as an error
                ok = None
            done = time.perf_counter()
            mine.append((ok, done - started, done))
        with lock:
            results.extend(mine)

    workers = [threading.Thread(target=client, args=(c,)) for c in conns]
    for worker in workers:
        worker.start()
    cpu0 = time.process_time()
    barrier.wait()
    t0 = time.perf_counter()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    for conn in conns:
        conn.close()
    accepted = [r for r in results if r[0]]
    last = max((r[2] for r in accepted), default=t0) - t0
    return {
        "accepted": len(accepted),
        "sold_out": sum(1 for r in results if r[0] is False),
        "errors": sum(1 for r in results if r[0] is None),
        "wall": wall,
        "sell_time": last,
        "latencies": [r[1] for r in results],
        "accepted_latencies": [r[1] for r in accepted],
        "client_cpu": cpu,
    }
