"""War-PO benchmark: many buyers at once against one limited variant, through `place_order`.

Prints, per database and concurrency: orders placed, sold-out answers, wall time, orders per
second and latency percentiles. Everything runs on this machine: SQLite in a temp directory
and, with `--db postgres` or `both`, a throwaway PostgreSQL server (tests/pgserver.py).

    .venv/bin/python bench/war_po.py --db both --buyers 16 64 --orders 400
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup_django(database_url: str | None, data_dir: str) -> None:
    os.environ["OPENPO_DATA_DIR"] = data_dir
    if database_url:
        os.environ["OPENPO_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world(quota: int):
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.utils import timezone

    from openpo.catalog import services

    now = timezone.now()
    owner, _ = User.objects.get_or_create(username=f"bench-{time.monotonic_ns()}")
    shop = services.create_shop(name="Bench", slug=f"bench-{owner.pk}", owner=owner)
    campaign = services.create_campaign(
        shop=shop,
        title="War PO",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
    )
    product = services.add_product(campaign=campaign, name="Photocard")
    variant = services.add_variant(product=product, price=50_000, quota=quota)
    services.add_variant(product=product, price=50_000, options={"Versi": "B"})
    campaign = services.publish_campaign(campaign=campaign)
    return campaign.pk, variant.pk


def _run(buyers: int, orders: int, quota: int) -> dict:
    from django.db import connections

    from openpo.catalog.models import Campaign
    from openpo.orders.errors import SoldOut
    from openpo.orders.services import BuyerDetails, place_order

    campaign_id, variant_id = _world(quota)
    per_buyer = orders // buyers
    latencies: list[float] = []
    outcome = {"ok": 0, "sold_out": 0, "error": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(buyers)

    def buyer(number: int) -> None:
        campaign = Campaign.objects.select_related("shop").get(pk=campaign_id)
        mine, result = [], {"ok": 0, "sold_out": 0, "error": 0}
        barrier.wait()
        for attempt in range(per_buyer):
            details = BuyerDetails(name="Pembeli", phone=f"0812{number:04d}{attempt:04d}")
            started = time.perf_counter()
            try:
                place_order(
                    terms_accepted=True, campaign=campaign, buyer=details, items={variant_id: 1}
                )
                result["ok"] += 1
            except SoldOut:
                result["sold_out"] += 1
            except Exception:  # counted and printed as errors
                result["error"] += 1
            mine.append(time.perf_counter() - started)
        connections.close_all()
        with lock:
            latencies.extend(mine)
            for key, value in result.items():
                outcome[key] += value

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(buyers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    from openpo.catalog.models import Variant

    reserved = Variant.objects.get(pk=variant_id).reserved_units
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        **outcome,
        "reserved": reserved,
        "wall_s": wall,
        "orders_per_s": outcome["ok"] / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


def _bench_one(db: str, buyer_counts: list[int], orders: int, quota: int) -> None:
    server = None
    url = None
    if db == "postgres":
        from tests.pgserver import PostgresServer

        server = PostgresServer.start(max_connections=300)
        url = server.url
    with tempfile.TemporaryDirectory(prefix="openpo-bench-") as data_dir:
        try:
            _setup_django(url, data_dir)
            for buyers in buyer_counts:
                r = _run(buyers, orders, quota)
                print(
                    f"{db:9} buyers={buyers:<4} placed={r['ok']:<5} sold_out={r['sold_out']:<5} "
                    f"errors={r['error']:<3} reserved={r['reserved']:<5} "
                    f"wall={r['wall_s']:.2f}s  {r['orders_per_s']:.0f} orders/s  "
                    f"p50={r['p50_ms']:.1f}ms p95={r['p95_ms']:.1f}ms p99={r['p99_ms']:.1f}ms",
                    flush=True,
                )
        finally:
            if server:
                from django.db import connections

                connections.close_all()
                server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--buyers", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--orders", type=int, default=640, help="attempts per run, in total")
    parser.add_argument("--quota", type=int, default=500, help="slots of the limited variant")
    args = parser.parse_args()
    if args.db == "both":
        # Django is set up once per process: run each database in its own process.
        import subprocess

        for db in ("sqlite", "postgres"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--db",
                    db,
                    "--orders",
                    str(args.orders),
                    "--quota",
                    str(args.quota),
                    "--buyers",
                    *map(str, args.buyers),
                ],
                check=True,
            )
        return
    print(f"# war PO: {args.orders} attempts per run, quota {args.quota}, 1 unit each", flush=True)
    _bench_one(args.db, args.buyers, args.orders, args.quota)


if __name__ == "__main__":
    main()
