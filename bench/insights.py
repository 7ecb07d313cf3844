"""Insights benchmark: every insights figure and page on a large shop, on SQLite and PostgreSQL.

For each database (SQLite in a temp directory, a throwaway PostgreSQL from tests/pgserver.py)
it migrates a fresh database and loads one shop (made with `create_shop`) with `--orders`
orders across `--campaigns` POs over the last two years, by bulk inserts (not the services):
2-6 variants per PO whose SKUs repeat across POs, ~150,000 buyers, 1-3 lines per order, a
confirmed payment for every paid order, Indonesian timing (evenings 19:00-22:00 WIB, the first
hours of a PO, its last day, payday around the 25th, Lebaran and 12.12 peaks), ~8% of orders
cancelled or expired, reserved units equal to the standing units and some quotas that sold out.
Then, on a warm connection, it times the first count of the shop's tallies (once: every PO
and buyer from scratch), a refresh with nothing changed and one after 1,000 orders changed
(990 in the big PO, 10 in older POs), the first 50 members of each segment, the next-PO plan
and its back-test, one big PO's figures, and the dashboard pages (the shop's, also right after
1,000 changed orders, the big PO's, each segment's buyers) through Django's test Client. The
pages after the changes are timed while those changes are inside the refresh's 2-minute
slack, so each view recounts the big PO, as on a shop taking orders. 3 runs each (`--runs`),
min and median, against the 1 s target.

    .venv/bin/python bench/insights.py                       # both databases, 1,000,000 orders
    .venv/bin/python bench/insights.py --db sqlite --orders 20000 --json /tmp/insights.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET_S = 1.0
RUNS = 3
BATCH = 5000
CUSTOMERS = 150_000
WIB = timedelta(hours=7)
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"

# Province, city, weight (orders).
PLACES = [
    ("DKI Jakarta", "Jakarta Selatan", 14),
    ("DKI Jakarta", "Jakarta Barat", 8),
    ("Jawa Barat", "Bandung", 12),
    ("Jawa Barat", "Bekasi", 8),
    ("Jawa Barat", "Depok", 5),
    ("Banten", "Tangerang", 7),
    ("Jawa Tengah", "Semarang", 6),
    ("DI Yogyakarta", "Yogyakarta", 5),
    ("Jawa Timur", "Surabaya", 9),
    ("Jawa Timur", "Malang", 4),
    ("Bali", "Denpasar", 3),
    ("Sumatera Utara", "Medan", 5),
    ("Sumatera Selatan", "Palembang", 3),
    ("Sulawesi Selatan", "Makassar", 4),
    ("Kalimantan Timur", "Balikpapan", 2),
    ("", "", 1),
]
CHANNELS = [("web", 55), ("whatsapp", 25), ("import", 10), ("manual", 7), ("api", 3)]
# Hours of the day (WIB) buyers order at: quiet at night, busy in the evening.
HOUR_WEIGHTS = [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 8, 7, 5, 5, 5, 6, 7, 10, 13, 13, 11, 6]
FAMILIES = [
    ("Kaos Oversize", ("S", "M", "L", "XL", "XXL")),
    ("Hoodie Zip", ("S", "M", "L", "XL")),
    ("Photocard Set", ("A", "B", "C")),
    ("Tumbler 500ml", ("Hitam", "Putih", "Pink")),
    ("Totebag Kanvas", ("Natural", "Hitam")),
    ("Gamis Lebaran", ("S", "M", "L", "XL", "XXL", "XXXL")),
    ("Mukena Travel", ("Putih", "Sage", "Mocca")),
    ("Jaket Varsity", ("M", "L", "XL")),
]
# Peaks: Lebaran (Idul Fitri) and Harbolnas 12.12.
PEAKS = [date(2025, 3, 31), date(2026, 3, 20), date(2024, 12, 12), date(2025, 12, 12)]


def _weighted(pairs):
    items = [p[:-1] if len(p) > 2 else p[0] for p in pairs]
    weights = [p[-1] for p in pairs]
    return items, weights


# --- Loading (in the child, Django set up) ----------------------------------------------------


def _campaign_weight(opens: datetime) -> float:
    day = opens.date()
    weight = 1.0
    for peak in PEAKS:
        gap = abs((day - peak).days)
        if gap <= 21:
            weight += 2.0 * (1 - gap / 21)
    return weight


def _order_time(rng: random.Random, opens: datetime, closes: datetime) -> datetime:
    """When a buyer ordered: a rush in the first hours, evenings, payday, the last day."""
    span = (closes - opens).total_seconds()
    pick = rng.random()
    if pick < 0.22:  # the first six hours
        return opens + timedelta(seconds=rng.random() * min(span, 6 * 3600))
    if pick < 0.32:  # the last day
        start = max(0.0, span - 86400)
        return opens + timedelta(seconds=start + rng.random() * (span - start))
    local_open = opens + WIB
    days = max(1, int(span // 86400) + 1)
    day_weights = []
    for d in range(days):
        local = (local_open + timedelta(days=d)).date()
        day_weights.append(2.5 if 24 <= local.day <= 27 else 1.0)
    for _ in range(20):
        d = rng.choices(range(days), weights=day_weights)[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        local_day = datetime.combine((local_open + timedelta(days=d)).date(), datetime.min.time())
        at = local_day + timedelta(hours=hour, seconds=rng.random() * 3600) - WIB
        at = at.replace(tzinfo=UTC)
        if opens <= at < closes:
            return at
    return opens + timedelta(seconds=rng.random() * span)


def load(orders_total: int, campaigns_total: int, seed: int = 18) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from openpo.catalog import services
    from openpo.catalog.models import Campaign, Product, Variant
    from openpo.orders.models import Customer, Order, OrderLine
    from openpo.payments.models import Payment

    rng = random.Random(seed)
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    owner = User.objects.create_user("insights-owner")
    shop = services.create_shop(
        name="Toko Insights", slug="toko-insights", owner=owner, whatsapp_number="0812-2047-1987"
    )
    first_open = now - timedelta(days=730)
    customers_n = min(CUSTOMERS, max(100, orders_total // 6))
    places, place_w = _weighted(PLACES)
    channels, channel_w = _weighted(CHANNELS)
    counts = {}

    with transaction.atomic():
        people = []
        for i in range(customers_n):
            people.append(
                Customer(
                    shop=shop,
                    phone=f"+62812{i:08d}",
                    name=f"Pembeli {i}",
                    created_at=first_open,
                    updated_at=first_open,
                )
            )
        Customer.objects.bulk_create(people, batch_size=BATCH)
        customer_ids = list(
            Customer.objects.filter(shop=shop).order_by("pk").values_list("pk", flat=True)
        )
        place_of = [rng.choices(places, weights=place_w)[0] for _ in customer_ids]
        counts["customers"] = len(customer_ids)

        # The POs: one every 730/M days, 3-10 days open, the newest one still open.
        plans = []
        step = 730 / campaigns_total
        for k in range(campaigns_total):
            opens = first_open + timedelta(days=k * step, hours=rng.choice([10, 12, 19, 20]) - 7)
            opens = opens.replace(minute=0, second=0)
            closes = opens + timedelta(days=rng.randint(3, 10))
            last = k == campaigns_total - 1
            status = Campaign.Status.OPEN if last and closes > now else Campaign.Status.COMPLETED
            if k == campaigns_total - 2:
                status = Campaign.Status.CLOSED
            plans.append((k, opens, closes, status))
        campaign_rows = [
            Campaign(
                shop=shop,
                title=f"PO #{k + 1}",
                slug=f"po-{k + 1:03d}",
                status=status,
                opens_at=opens,
                closes_at=closes,
                moq_units=20,
                payment_window_hours=24,
                shipping_fee=15_000,
                published_at=opens - timedelta(days=2),
                closed_at=None if status == Campaign.Status.OPEN else closes,
                close_reason="" if status == Campaign.Status.OPEN else "time",
                production_started_at=(
                    closes + timedelta(days=2) if status == Campaign.Status.COMPLETED else None
                ),
                created_at=opens - timedelta(days=3),
                updated_at=closes,
            )
            for k, opens, closes, status in plans
        ]
        Campaign.objects.bulk_create(campaign_rows, batch_size=BATCH)
        campaigns = list(Campaign.objects.filter(shop=shop).order_by("opens_at"))

        # Products: a PO sells one or two families, SKUs are the family's, so they repeat.
        variant_of: dict[int, list[Variant]] = {}
        for campaign in campaigns:
            fam_index = rng.randrange(len(FAMILIES))
            name, sizes = FAMILIES[fam_index]
            product = Product.objects.create(campaign=campaign, name=name)
            n = rng.randint(2, min(6, len(sizes)))
            rows = [
                Variant(
                    campaign=campaign,
                    product=product,
                    options={"Ukuran": size},
                    sku=f"F{fam_index}-{size}",
                    price=rng.choice([89_000, 129_000, 149_000, 199_000, 249_000]),
                    position=p,
                )
                for p, size in enumerate(sizes[:n])
            ]
            variant_of[campaign.pk] = Variant.objects.bulk_create(rows)
        counts["campaigns"] = len(campaigns)
        counts["variants"] = sum(len(v) for v in variant_of.values())

        weights = [_campaign_weight(c.opens_at) * rng.lognormvariate(0, 0.5) for c in campaigns]
        scale = orders_total / sum(weights)
        per_campaign = [max(1, round(w * scale)) for w in weights]
        per_campaign[-1] += orders_total - sum(per_campaign)
        if per_campaign[-1] < 1:
            per_campaign[-1] = 1

        serial = 0
        reserved: dict[int, int] = {}
        statuses = {"active": 0, "cancelled": 0, "expired": 0}
        lines_n = payments_n = 0
        for campaign, wanted in zip(campaigns, per_campaign, strict=True):
            variants = variant_of[campaign.pk]
            # Size curve: the middle sizes sell most.
            size_w = [1 + min(i, len(variants) - 1 - i) * 2 for i in range(len(variants))]
            done = 0
            while done < wanted:
                batch = min(BATCH, wanted - done)
                order_rows, line_specs = [], []
                for _ in range(batch):
                    serial += 1
                    buyer = min(int(customers_n * rng.random() ** 1.6), customers_n - 1)
                    province, city = place_of[buyer]
                    at = _order_time(
                        rng, campaign.opens_at, min(campaign.closes_at, now)
                    )  # not in the future
                    n_lines = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
                    chosen = set()
                    for _ in range(n_lines):
                        chosen.add(rng.choices(range(len(variants)), weights=size_w)[0])
                    items = [(variants[i], rng.choices((1, 2, 3), (80, 15, 5))[0]) for i in chosen]
                    units = sum(q for _, q in items)
                    subtotal = sum(v.price * q for v, q in items)
                    total = subtotal + campaign.shipping_fee
                    roll = rng.random()
                    status = "active"
                    if roll < 0.05:
                        status = "cancelled"
                    elif roll < 0.08:
                        status = "expired"
                    paid = status == "active" and (
                        campaign.status != Campaign.Status.OPEN or rng.random() < 0.7
                    )
                    statuses[status] += 1
                    order_rows.append(
                        Order(
                            shop=shop,
                            campaign=campaign,
                            customer_id=customer_ids[buyer],
                            code=f"B{serial:08d}",
                            secret=f"s{serial:042d}",
                            buyer_name=f"Pembeli {buyer}",
                            buyer_phone=f"+62812{buyer:08d}",
                            address="Jl. Melati No. 5",
                            city=city,
                            province=province,
                            postal_code="40115",
                            channel=rng.choices(channels, weights=channel_w)[0],
                            status=status,
                            payment_status="paid" if paid else "unpaid",
                            units=units,
                            subtotal=subtotal,
                            shipping_fee=campaign.shipping_fee,
                            total=total,
                            deposit_due=total,
                            amount_paid=total if paid else 0,
                            payment_deadline=at + timedelta(hours=24),
                            created_at=at,
                            updated_at=at,
                            cancelled_at=at + timedelta(hours=3) if status == "cancelled" else None,
                            expired_at=at + timedelta(hours=24) if status == "expired" else None,
                        )
                    )
                    line_specs.append((items, status, paid, at, total))
                Order.objects.bulk_create(order_rows, batch_size=BATCH)
                lines, pays = [], []
                for order, (items, status, paid, at, total) in zip(
                    order_rows, line_specs, strict=True
                ):
                    for variant, quantity in items:
                        lines.append(
                            OrderLine(
                                order_id=order.pk,
                                variant=variant,
                                product_name=variant.product.name,
                                variant_label=variant.options["Ukuran"],
                                sku=variant.sku,
                                quantity=quantity,
                                unit_price=variant.price,
                            )
                        )
                        if status == "active":
                            reserved[variant.pk] = reserved.get(variant.pk, 0) + quantity
                    if paid:
                        received = at + timedelta(minutes=5 + rng.expovariate(1 / 300))
                        pays.append(
                            Payment(
                                shop=shop,
                                order_id=order.pk,
                                amount=total,
                                status="confirmed",
                                source="manual",
                                received_at=received,
                                created_at=received,
                                decided_at=received,
                            )
                        )
                OrderLine.objects.bulk_create(lines, batch_size=BATCH)
                Payment.objects.bulk_create(pays, batch_size=BATCH)
                lines_n += len(lines)
                payments_n += len(pays)
                done += batch

        # Reserved units as the standing orders say; about one variant in six had a quota it
        # sold out (quota = what sold), so "sold out after" has data.
        all_variants = [v for vs in variant_of.values() for v in vs]
        quota_n = 0
        for variant in all_variants:
            variant.reserved_units = reserved.get(variant.pk, 0)
            if variant.reserved_units and rng.random() < 0.17:
                variant.quota = variant.reserved_units
                quota_n += 1
        Variant.objects.bulk_update(all_variants, ["reserved_units", "quota"], batch_size=BATCH)
        for campaign in campaigns:
            campaign.reserved_units = sum(v.reserved_units for v in variant_of[campaign.pk])
        Campaign.objects.bulk_update(campaigns, ["reserved_units"], batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts.update(
        orders=serial,
        order_lines=lines_n,
        payments=payments_n,
        quotas=quota_n,
        **{f"orders_{k}": v for k, v in statuses.items()},
    )
    big = max(zip(per_campaign, campaigns, strict=True), key=lambda pair: pair[0])[1]
    return {
        "load_s": round(time.perf_counter() - started, 1),
        "counts": counts,
        "shop_id": shop.pk,
        "big_campaign_id": big.pk,
        "big_campaign_orders": max(per_campaign),
        "owner_id": owner.pk,
    }


# --- Timing (in the child) --------------------------------------------------------------------


class TooSlow(Exception):
    """A run went past the time limit and was cancelled."""


def _time(func, runs: int = RUNS, limit: float = 30.0) -> dict:
    """`runs` timings of `func`; a run longer than `limit` seconds is cancelled in the database
    (SQLite: interrupt(); PostgreSQL: cancel()) and the figure is recorded as over the limit."""
    from django.db import DatabaseError, connection

    times = []
    for _ in range(runs):
        connection.ensure_connection()
        raw = connection.connection
        stop = raw.interrupt if connection.vendor == "sqlite" else raw.cancel
        timer = threading.Timer(limit, stop)
        started = time.perf_counter()
        timer.start()
        try:
            func()
        except DatabaseError:
            if time.perf_counter() - started < limit:
                raise
            return {"min": None, "median": None, "runs": times, "over": limit}
        finally:
            timer.cancel()
        times.append(time.perf_counter() - started)
    return {"min": min(times), "median": statistics.median(times), "runs": times}


def _touch(shop, big, n: int) -> None:
    """Mark `n` orders changed now, most in the big PO and 1% across the older POs: what a
    busy minute of a war PO (new orders, payments, edits, a few late cancellations in past
    POs) leaves for the next refresh."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from openpo.orders.models import Order

    mine = Order.objects.filter(campaign=big).order_by("-pk").values_list("pk", flat=True)
    span = Order.objects.filter(shop=shop).aggregate(lo=Min("pk"), hi=Max("pk"))
    others = [random.randint(span["lo"], span["hi"]) for _ in range(n // 100)]
    Order.objects.filter(pk__in=[*mine[: n - n // 100], *others]).update(updated_at=timezone.now())


def measure(loaded: dict, runs: int = RUNS, limit: float = 30.0) -> dict:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client, override_settings
    from django.utils import timezone

    from openpo.catalog.models import Campaign, Shop
    from openpo.insights import campaign as po
    from openpo.insights import figures, segments, tallies
    from openpo.insights.report import insights
    from openpo.insights.suggest import backtest, next_po

    shop = Shop.objects.get(pk=loaded["shop_id"])
    big = Campaign.objects.select_related("shop").get(pk=loaded["big_campaign_id"])
    now = timezone.now()
    po_orders = figures.standing_orders(shop, big)
    connection.ensure_connection()
    results = {}

    def timed(name, func, times=runs, most=limit):
        results[name] = _time(func, times, most)
        print(f"  {name}: {_seconds(results[name], 'median')}", file=sys.stderr, flush=True)

    # Once: every PO and buyer counted from scratch (a shop's first look, or the worker's first
    # tick after an upgrade). Then what a refresh costs after a busy minute.
    timed("tallies: first count of the whole shop (once)", lambda: tallies.refresh(shop), 1, 900)
    timed("tallies: refresh with nothing changed", lambda: tallies.refresh(shop))
    timed(
        "tallies: refresh after 1,000 changed orders",
        lambda: (_touch(shop, big, 1000), tallies.refresh(shop)),
    )
    for name in segments.SEGMENTS:
        timed(
            f"segment members {name} (first 50)",
            lambda name=name: list(segments.members(shop, name, now)[:50]),
        )
    timed("next_po(shop)", lambda: next_po(shop))
    timed("backtest(shop)", lambda: backtest(shop))
    timed("PO: all its figures (tallies.count)", lambda: tallies.count(po_orders, shop.tzinfo))
    timed("PO: by_day", lambda: po.by_day(big, po_orders, min(po._end(big), now)))
    timed("PO: payment_speed", lambda: po.payment_speed(po_orders))
    timed("PO: moq_reached_at", lambda: po.moq_reached_at(big, po_orders))
    timed("PO: cash_before_production", lambda: po.cash_before_production(big))
    timed("page data: insights(shop)", lambda: insights(shop, now=now))
    timed(
        "page data: insights(shop, PO) + campaign_figures(PO)",
        lambda: (insights(shop, big, now=now), po.campaign_figures(big, now=now)),
    )

    # The pages through the test client, static URLs without a manifest (no collectstatic
    # here: the pages' own time is the point).
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
    client = Client()
    client.force_login(User.objects.get(pk=loaded["owner_id"]))
    shop_page = "/dashboard/insights/"
    pages = [
        ("page: /dashboard/insights/", shop_page, None),
        ("page: /dashboard/insights/ after 1,000 changed orders", shop_page, 1000),
        (f"page: /dashboard/po/{big.pk}/insights/", f"/dashboard/po/{big.pk}/insights/", None),
        *(
            (f"page: segment {name} (first 50)", f"/dashboard/insights/segments/{name}/", None)
            for name in segments.SEGMENTS
        ),
    ]
    statuses = {}
    for name, url, touched in pages:

        def get(url=url, name=name, touched=touched):
            if touched:
                _touch(shop, big, touched)
            response = client.get(url)
            statuses[name] = response.status_code

        with override_settings(STORAGES=storages):
            timed(name, get)
    return {"figures": results, "page_status": statuses}


def child(spec: dict) -> None:
    import django

    django.setup()
    loaded = load(spec["orders"], spec["campaigns"])
    print(f"  loaded in {loaded['load_s']} s: {loaded['counts']}", file=sys.stderr, flush=True)
    loaded.update(measure(loaded, spec.get("runs", RUNS), spec.get("limit", 30.0)))
    print(json.dumps(loaded))


# --- The databases (parent: no Django here) ---------------------------------------------------


def run_db(db: str, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"openpo-insights-{db}-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        pg = None
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPO_")}
        env.update(
            OPENPO_DATA_DIR=str(data_dir),
            OPENPO_SECRET_KEY=secrets.token_urlsafe(50),
            OPENPO_DEBUG="0",
            OPENPO_HTTPS="0",
            OPENPO_ALLOWED_HOSTS="testserver,127.0.0.1",
            DJANGO_SETTINGS_MODULE="openpo.settings",
        )
        try:
            if db == "postgres":
                sys.path.insert(0, str(ROOT))
                from tests.pgserver import PostgresServer

                pg = PostgresServer.start()
                env["OPENPO_DATABASE_URL"] = pg.url
                version = f"PostgreSQL {pg.version}"
            else:
                import sqlite3

                version = f"SQLite {sqlite3.sqlite_version}"
            print(f"{db}: migrating ({version})", file=sys.stderr, flush=True)
            cmd = [sys.executable, "-m", "openpo", "migrate", "--verbosity", "0"]
            subprocess.run(cmd, env=env, check=True)
            print(f"{db}: loading {args.orders:,} orders", file=sys.stderr, flush=True)
            spec = {"orders": args.orders, "campaigns": args.campaigns}
            spec.update(runs=args.runs, limit=args.limit)
            out = subprocess.run(
                [sys.executable, __file__, "--internal", json.dumps(spec)],
                env=env,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["version"] = version
            return result
        finally:
            if pg:
                pg.stop()


def _seconds(t: dict, key: str) -> str:
    return f"> {t['over']:g}" if t[key] is None else f"{t[key]:.3f}"


def report(db: str, result: dict) -> str:
    lines = [
        f"\n{db} ({result['version']}): {result['counts']['orders']:,} orders, "
        f"{result['counts']['campaigns']} POs, loaded in {result['load_s']} s; "
        f"big PO: {result['big_campaign_orders']:,} orders",
        f"{'figure':<58} {'min s':>8} {'median s':>9}  < 1 s",
    ]
    for name, t in result["figures"].items():
        ok = "yes" if t["median"] is not None and t["median"] < TARGET_S else "NO"
        lines.append(f"{name:<58} {_seconds(t, 'min'):>8} {_seconds(t, 'median'):>9}  {ok}")
    if result.get("page_status"):
        lines.append(f"page status codes: {result['page_status']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=200)
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of each figure")
    parser.add_argument(
        "--limit", type=float, default=30.0, help="cancel a run after this many seconds"
    )
    parser.add_argument("--json", type=Path, help="write every run here")
    parser.add_argument("--internal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal:
        sys.path.insert(0, str(ROOT / "src"))
        child(json.loads(args.internal))
        return
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    machine = f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}"
    results = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine}
    for db in dbs:
        results[db] = run_db(db, args)
        print(report(db, results[db]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
