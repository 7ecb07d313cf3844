"""The floor of a war PO: OpenPO's order transaction issued straight through the database driver.

Two halves:

- `build_plan(campaign_id)` runs once, in a process where Django is set up, and turns the
  transaction `place_order` commits for one unit of the campaign's only variant into SQL text:
  the INSERTs are compiled by Django's own `SQLInsertCompiler` from unsaved instances of
  OpenPO's models (every concrete column, defaults included, exactly the statement `save()` or
  `bulk_create()` sends), the contended UPDATEs and the sold-out read from querysets shaped like
  `place_order`'s. The columns that change from one buyer to the next (`PER_ORDER`) become
  named slots; every other value is fixed once for the campaign. The plan is plain JSON.
- `run_floor(plan, ...)` replays it with the raw driver, no Django: `threads` client threads,
  each with its own connection (the `sqlite3` module with the database's OPTIONS from the
  settings: PRAGMAs, busy timeout, `BEGIN IMMEDIATE`; `psycopg` for PostgreSQL), share
  `attempts` tries at the variant. Each try is what `place_order` does, in the same order: a
  read that answers a visibly sold-out variant without queueing, then one transaction that
  upserts the customer, inserts the order, its line, the expected payment and the audit event,
  and last takes the contended rows: the conditional UPDATE of the variant (no row means sold
  out: roll back) and the campaign counter. Order codes, secrets and transfer amounts are made
  before the transaction and cannot collide, so no try is retried.

A model change either keeps the plan right (a new column is compiled in with its default) or
makes tests/orders/test_war_po_floor.py fail (it compares the floor's rows with `place_order`'s,
column by column, and every table either writes). The result is the fastest this machine can
sell the variant with this schema: `bench/war_po.py` divides OpenPO's accepted orders/s by it.
`bench/war_po_http_floor.py` serves the same transaction over HTTP.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # openpo.orders.codes
MAX_UNIQUE_CODE = 9999  # the expected_payment unique code's check constraint

# The columns that differ between two buyers' orders of one campaign (attname -> slot of a try).
# Every other column is computed once by `build_plan`, as `place_order` sets it.
PER_ORDER = {
    "orders.customer": {
        "phone": "phone",
        "name": "name",
        "created_at": "now",
        "updated_at": "now",
    },
    "orders.order": {
        "customer_id": "customer_id",
        "code": "code",
        "secret": "secret",
        "buyer_name": "name",
        "buyer_phone": "phone",
        "payment_deadline": "deadline",
        "idempotency_key": "key",
        "request_fingerprint": "fingerprint",
        "created_at": "now",
        "updated_at": "now",
    },
    "orders.orderline": {"order_id": "order_id"},
    "payments.expectedpayment": {
        "order_id": "order_id",
        "unique_code": "unique_code",
        "amount": "amount",
        "due_at": "deadline",
        "created_at": "now",
    },
    "core.auditevent": {"subject_id": "order_id:text", "created_at": "now"},
}


class FloorFailed(RuntimeError):
    """A floor run that sold nothing or hit errors: its numbers mean nothing."""


# --- The plan (Django) ---------------------------------------------------------------------------


def build_plan(
    campaign_id: int,
    *,
    address: str = "",
    city: str = "",
    province: str = "",
    postal_code: str = "",
    using: str = "default",
) -> dict:
    """The transaction of one API order for one unit of the campaign's only variant, as SQL
    text for the raw driver of `using`'s database, compiled by Django from OpenPO's models.
    The buyer's address is the same for every try (the benchmark's buyers share one); name,
    phone and the rest of `PER_ORDER` come with each try."""
    from django.db import connections
    from django.db.models import F
    from django.db.models.constants import OnConflict
    from django.db.models.sql import InsertQuery, UpdateQuery

    from openpo.catalog.models import Campaign, Variant
    from openpo.catalog.terms import po_terms
    from openpo.core.audit import build_audit_event
    from openpo.orders.models import Customer, Order, OrderLine
    from openpo.payments.models import ExpectedPayment

    connection = connections[using]
    campaign = Campaign.objects.using(using).select_related("shop").get(pk=campaign_id)
    variants = list(
        Variant.objects.using(using)
        .filter(campaign=campaign, is_active=True)
        .select_related("product")
    )
    if len(variants) != 1:
        raise ValueError(f"the floor sells one variant; campaign {campaign_id} has {len(variants)}")
    (variant,) = variants
    # What the floor leaves out of place_order must not matter for this campaign.
    unsupported = {
        "a quota": variant.quota is None,
        "no deposit": campaign.takes_deposit,
        "no unit cap": campaign.unit_cap is not None,
        "no early-bird price": variant.early_bird_price is not None,
        "no limit per order": campaign.max_units_per_order is not None,
    }
    if wrong := [need for need, broken in unsupported.items() if broken]:
        raise ValueError(f"the floor needs a campaign with {', '.join(wrong)}")

    sample = datetime(2000, 1, 1, tzinfo=UTC)  # a value for each slot while compiling
    total = variant.price + campaign.shipping_fee
    customer = Customer(
        shop_id=campaign.shop_id,
        phone="+62",
        name="-",
        email="",
        reminders_opt_in=False,
        created_at=sample,
        updated_at=sample,
    )
    order = Order(
        shop_id=campaign.shop_id,
        campaign_id=campaign.pk,
        customer_id=0,
        code="-",
        secret="-",
        buyer_name="-",
        buyer_phone="+62",
        buyer_email="",
        address=address,
        city=city,
        province=province,
        postal_code=postal_code,
        notes="",
        channel=Order.Channel.API,
        units=1,
        subtotal=variant.price,
        shipping_fee=campaign.shipping_fee,
        total=total,
        deposit_due=total,
        payment_deadline=sample,
        idempotency_key="-",
        request_fingerprint="-",
        early_bird=False,
        terms_accepted=po_terms(campaign),
        created_at=sample,
        updated_at=sample,
    )
    line = OrderLine(
        order_id=0,
        variant_id=variant.pk,
        product_name=variant.product.name,
        variant_label=variant.label,
        sku=variant.sku,
        quantity=1,
        unit_price=variant.price,
    )
    payment = ExpectedPayment(
        shop_id=campaign.shop_id,
        order_id=0,
        kind=ExpectedPayment.Kind.FULL,
        base_amount=total,
        unique_code=1,
        amount=total + 1,
        due_at=sample,
        created_at=sample,
    )
    order.pk = 0  # for the event's subject; the slot replaces it
    event = build_audit_event(
        action="order.placed",
        subject=order,
        shop_id=campaign.shop_id,
        actor_label=Order.Channel.API,
        at=sample,
        data={"units": 1, "total": total},
    )
    order.pk = None

    def driver_sql(text: str) -> str:
        if connection.vendor == "sqlite":  # as Django's SQLite cursor does: format to qmark
            return re.sub(r"(?<!%)%s", "?", text).replace("%%", "%")
        return text

    def insert(obj, *, bulk: bool, returns: str | None = None, **conflict) -> dict:
        """The INSERT `obj.save(force_insert=True)` (or `bulk_create([obj], **conflict)`)
        sends, with RETURNING the primary key, and which of its parameters are slots."""
        meta = obj._meta
        columns = meta.concrete_fields if bulk else meta.local_concrete_fields
        fields = [f for f in columns if not f.primary_key and not f.generated]
        query = InsertQuery(
            type(obj),
            on_conflict=OnConflict.UPDATE if conflict else None,
            update_fields=[meta.get_field(n) for n in conflict.get("update_fields", ())] or None,
            unique_fields=[meta.get_field(n) for n in conflict.get("unique_fields", ())] or None,
        )
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = meta.db_returning_fields
        ((text, params),) = compiler.as_sql()
        if len(params) != len(fields):
            raise ValueError(f"{meta.db_table}: {len(params)} parameters for {len(fields)} columns")
        slots = PER_ORDER[meta.label_lower]
        if missing := set(slots) - {f.attname for f in fields}:
            raise ValueError(f"{meta.label}: no column {sorted(missing)} any more")
        return {
            "table": meta.db_table,
            "sql": driver_sql(text),
            "params": [
                ["slot", slots[f.attname]]
                if f.attname in slots
                else _fixed(value, f"{meta.db_table}.{f.column}")
                for f, value in zip(fields, params, strict=True)
            ],
            "returns": returns,
        }

    def fixed_sql(query) -> dict:
        text, params = query.get_compiler(connection=connection).as_sql()
        return {"sql": driver_sql(text), "params": [_fixed(p, "a condition") for p in params]}

    def update(queryset, **changes) -> dict:
        query = queryset.query.chain(UpdateQuery)  # as QuerySet.update builds it
        query.add_update_values(changes)
        query.annotations = {}
        return fixed_sql(query)

    one = 1  # units of the variant per order
    # place_order's _reserve: the variant if quota >= reserved + units, then the campaign.
    variant_rows = Variant.objects.using(using).filter(pk=variant.pk)
    take = variant_rows.filter(quota__gte=F("reserved_units") + one)
    left = variant_rows.order_by().annotate(left=F("quota") - F("reserved_units")).values("left")
    counter = Campaign.objects.using(using).filter(pk=campaign.pk)
    plan = {
        "vendor": connection.vendor,
        "campaign_id": campaign.pk,
        "variant_id": variant.pk,
        "sku": variant.sku,
        "price": variant.price,
        "total": total,
        "base_amount": total,
        "payment_window_seconds": campaign.payment_window_hours * 3600,
        "left": fixed_sql(left.query),
        "writes": [
            insert(
                customer,
                bulk=True,
                returns="customer_id",
                unique_fields=["shop", "phone"],
                update_fields=["name", "updated_at"],  # no email, no opt-in from the API buyer
            ),
            insert(order, bulk=False, returns="order_id"),
            insert(line, bulk=True),
            insert(payment, bulk=False),
            insert(event, bulk=False),
        ],
        "take": update(take, reserved_units=F("reserved_units") + one),
        "count": update(counter, reserved_units=F("reserved_units") + one),
    }
    if connection.vendor == "sqlite":
        options = connection.settings_dict.get("OPTIONS", {})
        plan["sqlite"] = {
            "timeout": options.get("timeout", 5),
            "init_command": options.get("init_command", ""),
            "begin": f"BEGIN {options.get('transaction_mode') or 'DEFERRED'}",
        }
    return plan


def _fixed(value, where: str) -> list:
    """A parameter that is the same for every try, as JSON."""
    if value is None or isinstance(value, str | int | float | bool):
        return ["value", value]
    if type(value).__name__ == "Jsonb":  # psycopg's adapter for a JSONField on PostgreSQL
        return ["jsonb", value.obj]
    raise TypeError(
        f"{where}: a {type(value).__name__} parameter cannot be carried to the raw driver; "
        "add the column to PER_ORDER or teach _fixed its type"
    )


# --- One try (no Django) -------------------------------------------------------------------------


def order_code(number: int) -> str:
    """`PO-` and five characters, a distinct code for each number below 31**5."""
    chars = []
    for _ in range(5):
        number, digit = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return "PO-" + "".join(reversed(chars))


def new_try(
    plan: dict,
    number: int,
    *,
    seed: int = 0,
    first_code: int = 1,
    now: datetime | None = None,
    name: str | None = None,
    phone: str | None = None,
    key: str | None = None,
    fingerprint: str | None = None,
) -> dict:
    """The per-order values of try `number` (`PER_ORDER`'s slots), made before the transaction:
    the order code and the transfer amount follow from the number, so two tries never
    collide."""
    now = now or datetime.now(UTC)
    unique_code = first_code + number
    if not 1 <= unique_code <= MAX_UNIQUE_CODE:
        raise ValueError(f"try {number}: unique code {unique_code} is out of 1..{MAX_UNIQUE_CODE}")
    return {
        "now": now,
        "deadline": now + timedelta(seconds=plan["payment_window_seconds"]),
        "code": order_code(seed * 100_000 + number),
        "secret": secrets.token_urlsafe(24),
        "unique_code": unique_code,
        "amount": plan["base_amount"] + unique_code,
        "key": key if key is not None else secrets.token_hex(16),
        "fingerprint": fingerprint if fingerprint is not None else secrets.token_hex(32),
        "name": name if name is not None else f"Pembeli {number}",
        "phone": phone if phone is not None else f"+62813{seed:02d}{number:06d}",
    }


class Connection:
    """One raw connection, opened as Django opens it for OpenPO, and the plan's statements."""

    def __init__(self, plan: dict, target: str) -> None:
        self.sqlite = plan["vendor"] == "sqlite"
        if self.sqlite:
            options = plan["sqlite"]
            self.db = sqlite3.connect(
                target,
                timeout=options["timeout"],
                isolation_level=None,  # autocommit; transactions are begun explicitly
                check_same_thread=False,
            )
            for command in options["init_command"].split(";"):
                if command.strip():
                    self.db.execute(command)
            self.begin = options["begin"]
            self.jsonb = None
        else:
            import psycopg
            from psycopg.types.json import Jsonb

            # Autocommit, as Django uses it: reads outside a transaction, writes in BEGIN..COMMIT.
            self.db = psycopg.connect(target, autocommit=True)
            self.begin = "BEGIN"
            self.jsonb = Jsonb

    def _params(self, params: list, values: dict) -> list:
        out = []
        for kind, what in params:
            if kind == "slot":
                name, _, form = what.partition(":")
                value = values[name]
                if form == "text":
                    value = str(value)
                elif isinstance(value, datetime) and self.sqlite:
                    # How Django's SQLite backend stores an aware datetime: naive UTC text.
                    value = str(value.astimezone(UTC).replace(tzinfo=None))
            elif kind == "jsonb":
                value = self.jsonb(what)
            else:
                value = what
            out.append(value)
        return out

    def execute(self, statement: dict, values: dict | None = None):
        return self.db.execute(statement["sql"], self._params(statement["params"], values or {}))

    def left(self, plan: dict) -> int:
        """Units left, read outside any transaction."""
        (left,) = self.execute(plan["left"]).fetchone()
        return left

    def place(self, plan: dict, values: dict) -> bool:
        """The transaction; False (rolled back) when the variant's last unit went meanwhile."""
        values = dict(values)
        self.db.execute(self.begin)
        try:
            for statement in plan["writes"]:
                cursor = self.execute(statement, values)
                rows = cursor.fetchall()  # RETURNING the new row's id
                if statement["returns"]:
                    values[statement["returns"]] = rows[0][0]
            if not self.execute(plan["take"]).rowcount:
                self.db.execute("ROLLBACK")
                return False
            self.execute(plan["count"])
            self.db.execute("COMMIT")
            return True
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            if self.sqlite:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
            else:
                from psycopg.pq import TransactionStatus

                if self.db.info.transaction_status != TransactionStatus.IDLE:
                    self.db.execute("ROLLBACK")
        except Exception:  # the connection is gone: nothing left to roll back
            pass

    def close(self) -> None:
        self.db.close()


def run_floor(
    *, plan: dict, target: str, attempts: int, threads: int, seed: int = 0, first_code: int = 1
) -> dict:
    """Sell the plan's variant with `attempts` tries from `threads` threads; returns the counts,
    the errors by message, the wall time, the time of the last accepted commit and per-try
    latencies (seconds)."""
    conns = [Connection(plan, target) for _ in range(threads)]
    lock = threading.Lock()
    next_try = iter(range(attempts))
    barrier = threading.Barrier(threads + 1)
    results: list[tuple[bool | None, float, float]] = []  # (accepted, latency, finished at)
    errors: Counter[str] = Counter()

    def tries():
        while True:
            with lock:
                number = next(next_try, None)
            if number is None:
                return
            yield new_try(plan, number, seed=seed, first_code=first_code)

    def client(conn: Connection) -> None:
        mine = []
        barrier.wait()
        for values in tries():
            started = time.perf_counter()
            try:
                ok = conn.left(plan) > 0 and conn.place(plan, values)
            except Exception as exc:  # counted, and reported by its message
                ok = None
                with lock:
                    errors[f"{exc.__class__.__name__}: {exc}"] += 1
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
        "error_messages": errors.most_common(5),
        "wall": wall,
        "sell_time": last,
        "latencies": [r[1] for r in results],
        "accepted_latencies": [r[1] for r in accepted],
        "client_cpu": cpu,
    }


def check_floor(run: dict, *, label: str = "floor") -> None:
    """Raise FloorFailed, with the errors' messages, unless the run sold without an error."""
    if run["errors"]:
        messages = "; ".join(f"{text} (×{count})" for text, count in run["error_messages"])
        raise FloorFailed(
            f"{label}: {run['errors']} of {run['errors'] + run['accepted'] + run['sold_out']} "
            f"tries failed: {messages}"
        )
    if not run["accepted"]:
        raise FloorFailed(f"{label}: no order accepted ({run['sold_out']} answered sold out)")
