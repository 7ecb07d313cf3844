"""Scale-out benchmark: the war PO on several web processes and two workers, beside one of each.

One throwaway PostgreSQL (tests/pgserver.py) holds a fresh database per run. Two runs, the
same load:

- scaled: 3 `openpo serve --workers 1` processes (each on its own port and data directory, as
  if on three machines), 2 `openpo worker` processes, Redis as the shared cache
  (`OPENPO_CACHE_URL=redis://…`; `redis-server` from Debian, started here on a free loopback
  port in a temp directory, no persistence);
- single: 1 `openpo serve --workers 1`, 1 `openpo worker`, no Redis (the database cache);
- one-serve (with `--only … one-serve`, for reference): the scaled run's gunicorn processes
  under one `openpo serve --workers 3` (one machine), 2 workers, Redis.

Each run migrates, creates the war PO's shop through OpenPO's services (bench/war_po.py's
set-up: one variant of quota Q), starts a real SMTP server here (aiosmtpd) that every worker
sends to, and then:

1. the war PO: N buyers, C at a time, each POSTs one order with their own email address to
   the public API, requests spread round-robin over the servers (war_po.py's client: a new
   connection per request, each buyer's address in X-Forwarded-For, this script playing the
   proxy); meanwhile another process enqueues T tasks (`messaging.tasks.deliver_outbox`, the
   django-tasks database queue) for the workers;
2. the order rate limit: one client address sends LIMIT + 10 orders round-robin over the
   servers; with the count shared, exactly LIMIT are taken and the rest refused (429) by
   whichever server they reach; with a count per process each server would take LIMIT;
3. it waits until the outbox is drained (every confirmation email sent) and the task queue is
   empty, stops everything and counts: every accepted order's confirmation must arrive once
   at the SMTP server (counted per recipient and order, from the envelope and the outbox's
   Message-ID), no task may have been claimed by two workers, units sold ≤ quota.

Printed side by side: orders placed, units sold vs quota, oversold, sold-out answers, orders/s
until sold out, latency p50/p95/p99, messages sent and duplicates, time until the outbox
drained, tasks run twice, the rate limit, the CPU of each part (100% = one core) and the peak
of PostgreSQL connections. Exits 1 if anything was oversold, sent twice, lost, run twice, or
the rate limit was not shared.

    .venv/bin/python bench/scale_out.py                 # N=1000, C=64, Q=200, both runs
    .venv/bin/python bench/scale_out.py --quick --json /tmp/scale.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))
import war_po as war  # noqa: E402  (the war PO's set-up, server, client and summaries)

HOST = war.HOST
LIMIT = 20  # orders per client address per minute (OPENPO_RATE_LIMIT_ORDERS, the default)
RATE_ADDRESS = "10.250.0.1"  # the one client of the rate-limit check (a header, never a target)
# The outbox's Message-ID: <outbox-PK.EVENT-KEY@openpo> (":" in the event key as "-").
MESSAGE_ID = re.compile(r"<outbox-(\d+)\.([^@>]+)@openpo>")


# --- Redis and SMTP ---------------------------------------------------------------------------


class RedisServer:
    """`redis-server` on a free port of 127.0.0.1, in its own temp dir, nothing written to
    disk; stopped with SIGTERM to the pid started here."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            sys.exit(
                "scale_out: redis-server is not installed (Debian: apt-get install -y redis-server)"
            )
        self.dir = workdir / "redis"
        self.dir.mkdir()
        self.port = war._free_port()
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--dir",
                str(self.dir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(host=HOST, port=self.port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        self.version = client.info()["redis_version"]

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Mailbox:
    """aiosmtpd's handler: every message accepted, with its recipients and Message-ID."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[tuple[str, str, float]] = []  # recipient, Message-ID, time

    async def handle_DATA(self, server, session, envelope) -> str:
        match = re.search(rb"^Message-ID:\s*(\S+)", envelope.original_content, re.M | re.I)
        message_id = match.group(1).decode() if match else ""
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.arrivals.append((rcpt, message_id, time.time()))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)


# --- One deployment ---------------------------------------------------------------------------


def _env(db_url: str, data_dir: Path, *, cache_url: str, smtp_port: int, key: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPO_")}
    data_dir.mkdir(parents=True, exist_ok=True)
    env.update(
        OPENPO_DATABASE_URL=db_url,
        OPENPO_DATA_DIR=str(data_dir),
        OPENPO_SECRET_KEY=key,
        OPENPO_DEBUG="0",
        OPENPO_HTTPS="0",
        OPENPO_TRUSTED_PROXIES=HOST,
        OPENPO_EMAIL_URL=f"smtp://{HOST}:{smtp_port}",
        OPENPO_RATE_LIMIT_ORDERS=f"{LIMIT}/60",
        DJANGO_SETTINGS_MODULE="openpo.settings",
        PYTHONUNBUFFERED="1",
    )
    if cache_url:
        env["OPENPO_CACHE_URL"] = cache_url
    return env


class Worker:
    """`python -m openpo worker`, its output in a log; SIGTERM to stop."""

    def __init__(self, env: dict, log: Path, interval: float) -> None:
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "openpo", "worker", "--interval", str(interval)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def started(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"worker exited:\n{self.log.read_text(errors='replace')}")
        return " started" in self.log.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def _database(pg, name: str) -> str:
    """A fresh database `name` on the server; its URL."""
    import psycopg

    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return pg.url.rsplit("/", 1)[0] + f"/{name}"


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "openpo", *args],
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return out.stdout if capture else ""


def _state(db_url: str, campaign: dict) -> dict:
    """war_po's check of the campaign (reserved units, active orders, open payments), read
    through psycopg (`Target.state` needs only `.pg.url`)."""
    return war.Target.state(SimpleNamespace(pg=SimpleNamespace(url=db_url)), campaign)


def _query(db_url: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(db_url) as conn:
        return conn.execute(sql, params).fetchall()


def _outbox(db_url: str) -> dict[str, int]:
    rows = _query(
        db_url,
        "SELECT status, count(*) FROM messaging_outboxmessage WHERE channel = 'email' "
        "GROUP BY status",
    )
    return dict(rows)


def _tasks(db_url: str) -> dict:
    (table,) = _query(
        db_url,
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE %s",
        ("%dbtaskresult",),
    )[0]
    rows = _query(
        db_url,
        f"SELECT status, count(*), count(*) FILTER (WHERE jsonb_array_length(worker_ids) > 1), "
        f"count(DISTINCT worker_ids->>0) FROM {table} GROUP BY status",
    )
    return {
        "by_status": {status: count for status, count, _twice, _w in rows},
        "claimed_twice": sum(twice for _s, _c, twice, _w in rows),
        "workers": max((w for *_x, w in rows), default=0),
    }


class ConnectionPeak:
    """The most PostgreSQL backends connected to one database at once (sampled)."""

    def __init__(self, admin_url: str, name: str) -> None:
        self.admin_url, self.name = admin_url, name
        self.peak = 0
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            while not self.stop_event.wait(0.25):
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.name,)
                ).fetchone()
                self.peak = max(self.peak, count)

    def stop(self) -> int:
        self.stop_event.set()
        self.thread.join(5)
        return self.peak


# --- Load (in processes of their own, like war_po's) -----------------------------------------


def round_robin_flood(cfg: dict) -> dict:
    """war_po's API flood, buyer n's request to server n mod S; every buyer gives an email."""
    w = cfg["campaign"]
    path = war.api_path(w)
    ports = cfg["ports"]

    def work(state: dict, number: int) -> dict:
        port = ports[number % len(ports)]
        client = state.setdefault(
            port, war.Client(port, keepalive=cfg["keepalive"], timeout=cfg["timeout"])
        )
        body = json.dumps(
            {
                "name": f"Pembeli {number}",
                "phone": war.buyer_phone("api", number),
                "email": f"pembeli{number}@example.com",
                **war.BUYER,
                "items": [{"sku": w["sku"], "quantity": 1}],
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
            "X-Forwarded-For": war.buyer_ip("api", number),
        }
        started = time.perf_counter()
        try:
            response, data = client.request("POST", path, body, headers)
            status = response.status
        except TimeoutError:
            status, data = "timeout", b""
        except OSError:
            status, data = "conn_error", b""
        ended = time.perf_counter()
        kind = war._api_kind(status, data)
        record = {
            "kind": kind,
            "status": status,
            "latency": ended - started,
            "end": time.time(),
            "port": port,
            "number": number,
        }
        if kind == "error" and data:
            record["detail"] = data[:160].decode(errors="replace")
        return record

    return war._run_clients(
        cfg["concurrency"], cfg["buyers"], work, deadline=time.monotonic() + cfg["max_seconds"]
    )


def rate_limit_check(ports: list[int], campaign: dict, count: int) -> dict:
    """`count` orders from one client address, one after another, round-robin."""
    path = war.api_path(campaign)
    answers: list[tuple[int, object]] = []
    for number in range(count):
        port = ports[number % len(ports)]
        client = war.Client(port, keepalive=False, timeout=30)
        body = json.dumps(
            {
                "name": f"Pelanggan {number}",
                "phone": f"08139{number:07d}",
                **war.BUYER,
                "items": [{"sku": campaign["sku"], "quantity": 1}],
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
            "X-Forwarded-For": RATE_ADDRESS,
        }
        try:
            response, _data = client.request("POST", path, body, headers)
            answers.append((port, response.status))
        except OSError as exc:
            answers.append((port, exc.__class__.__name__))
    accepted = sum(1 for _p, s in answers if s == 201)
    refused = [p for p, s in answers if s == 429]
    return {
        "sent": count,
        "accepted": accepted,
        "refused": len(refused),
        "other": sorted({str(s) for _p, s in answers if s not in (201, 429)}),
        "refused_by_server": [refused.count(p) for p in ports],
        "accepted_by_server": [sum(1 for q, s in answers if q == p and s == 201) for p in ports],
    }


# --- Setting up and counting (subprocesses with Django) ---------------------------------------


def _enqueue_tasks(count: int) -> None:
    import django

    django.setup()
    from openpo.messaging.tasks import deliver_outbox

    for _ in range(count):
        deliver_outbox.enqueue()


# --- One run ----------------------------------------------------------------------------------


def modes(args: argparse.Namespace) -> dict[str, tuple[int, int, int, bool]]:
    """name -> (serve processes, gunicorn workers each, openpo workers, Redis)."""
    return {
        "single": (1, 1, 1, False),
        "scaled": (args.servers, 1, args.workers, True),
        # For reference: the same gunicorn processes under one `openpo serve` (one machine).
        "one-serve": (1, args.servers, args.workers, True),
    }


def run(name: str, pg, workdir: Path, args: argparse.Namespace) -> dict:
    servers_n, gunicorn_n, workers_n, scaled = modes(args)[name]
    db_name = "openpo_" + name.replace("-", "_")
    db_url = _database(pg, db_name)
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname=HOST, port=war._free_port())
    smtp.start()
    redis = RedisServer(workdir) if scaled else None
    key = secrets.token_urlsafe(50)
    cache_url = redis.url if redis else ""

    def env(part: str) -> dict:
        return _env(db_url, workdir / part, cache_url=cache_url, smtp_port=smtp.port, key=key)

    servers: list[war.Server] = []
    workers: list[Worker] = []
    peak = None
    try:
        base_env = env("setup")
        _manage(base_env, "migrate", "--verbosity", "0")
        out = subprocess.run(
            [
                sys.executable,
                war.__file__,
                "--internal-setup",
                json.dumps({"quota": args.quota, "campaigns": ["api", "ratelimit"]}),
            ],
            env=base_env,
            check=True,
            capture_output=True,
            text=True,
        )
        world = json.loads(out.stdout.strip().splitlines()[-1])
        for number in range(servers_n):
            part = f"serve-{number + 1}"
            target = SimpleNamespace(env=env(part), workdir=workdir)
            server = war.Server(
                target, gunicorn_n, args.threads, name=f"{name} openpo serve {number + 1}"
            )
            server.start()
            servers.append(server)
        for number in range(workers_n):
            log = workdir / f"{name}-worker-{number + 1}.log"
            workers.append(Worker(env(f"worker-{number + 1}"), log, args.worker_interval))
        deadline = time.monotonic() + 60
        while not all(w.started() for w in workers):
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start in 60 s")
            time.sleep(0.1)
        ports = [s.port for s in servers]
        print(
            f"  [{name}] {servers_n} x openpo serve --workers {gunicorn_n} (ports {ports}), "
            f"{workers_n} x openpo worker"
            + (f", Redis {redis.version} on {redis.port}" if redis else ", database cache"),
            flush=True,
        )

        # 1. The war PO, and tasks enqueued for the workers meanwhile.
        pids = lambda procs: [p.proc.pid for p in procs]  # noqa: E731
        pg_pid = int((pg.datadir / "postmaster.pid").read_text().split()[0])
        parts = {
            "servers": lambda: war.tree_cpu(pids(servers)),
            "workers": lambda: war.tree_cpu(pids(workers)),
            "postgres": lambda: war.tree_cpu([pg_pid]),
            "redis": lambda: war.tree_cpu([redis.proc.pid]) if redis else 0.0,
        }
        cpu0 = {k: f() for k, f in parts.items()}
        peak = ConnectionPeak(pg.url, db_name)
        cfg = {
            "ports": ports,
            "campaign": world["api"],
            "buyers": args.buyers,
            "concurrency": args.concurrency,
            "timeout": args.timeout,
            "max_seconds": args.max_seconds,
            "keepalive": False,
        }
        load = war.Load(round_robin_flood, cfg)
        enqueue = subprocess.Popen(
            [sys.executable, __file__, "--internal-enqueue", str(args.tasks)], env=base_env
        )
        flood = load.result()
        cpu = {k: f() - cpu0[k] for k, f in parts.items()}
        flood_end = time.time()
        if enqueue.wait(120) != 0:
            raise RuntimeError("enqueueing the tasks failed")
        state = _state(db_url, world["api"])
        summary = war.summarize(flood, quota=args.quota, state=state)
        accepted_numbers = {r["number"] for r in flood["records"] if r["kind"] == "accepted"}
        last_accept = max(
            (r["end"] for r in flood["records"] if r["kind"] == "accepted"), default=0
        )
        print(
            f"  [{name}] war PO: {summary['accepted']} accepted, {summary['orders_per_s']:.0f} "
            f"orders/s, p99 {summary['p99']:.0f} ms",
            flush=True,
        )

        # 2. The rate limit, shared (or not) by the servers.
        rate = rate_limit_check(ports, world["ratelimit"], LIMIT + 10)

        # 3. The outbox drained, the task queue empty.
        drained_at = None
        deadline = time.monotonic() + args.drain_timeout
        while time.monotonic() < deadline:
            outbox = _outbox(db_url)
            tasks = _tasks(db_url)
            waiting = outbox.get("queued", 0) + outbox.get("sending", 0)
            tasks_waiting = sum(
                n for s, n in tasks["by_status"].items() if s not in ("SUCCESSFUL", "FAILED")
            )
            if waiting == 0 and mailbox.count() >= outbox.get("sent", 0):
                drained_at = drained_at or time.time()
                if tasks_waiting == 0:
                    break
            time.sleep(0.1)
        time.sleep(args.settle)  # a message sent twice would arrive now
        connections_peak = peak.stop()
        peak = None
    finally:
        if peak:
            peak.stop()
        codes = [w.stop() for w in workers]
        for server in servers:
            server.stop()
        smtp.stop()
        if redis:
            redis.stop()

    # Counting.
    outbox = _outbox(db_url)
    tasks = _tasks(db_url)
    per_message: Counter = Counter()  # (recipient, outbox row): deliveries
    confirmations: Counter = Counter()  # (recipient, order): "order received" deliveries
    events: Counter = Counter()
    for rcpt, message_id, _at in mailbox.arrivals:
        match = MESSAGE_ID.match(message_id)
        pk, key = match.groups() if match else (message_id, "?")
        per_message[(rcpt, pk)] += 1
        events[key.split("-", 1)[0]] += 1
        if key.startswith("order_received-"):
            confirmations[(rcpt, key.split("-", 1)[1])] += 1
    buyers = {f"pembeli{n}@example.com" for n in accepted_numbers}
    confirmed = {rcpt for rcpt, _order in confirmations}
    arrivals = [at for _r, _m, at in mailbox.arrivals]
    worker_logs = [w.log.read_text(errors="replace") for w in workers]
    sent_by_worker = [
        sum(int(n) for n in re.findall(r"(?:sent |messages_sent=)(\d+)", text))
        for text in worker_logs
    ]
    total_cpu = sum(cpu.values()) + flood["client_cpu"]
    return {
        "name": name,
        "servers": servers_n,
        "gunicorn_workers": gunicorn_n,
        "workers": workers_n,
        "threads": args.threads,
        "cache": f"Redis {redis.version}" if redis else "database",
        "flood": summary,
        "units_sold": state["reserved"],
        "quota": args.quota,
        "oversold": summary["oversold"],
        "db_ok": summary["db_ok"],
        "requests_by_server": [sum(1 for r in flood["records"] if r["port"] == p) for p in ports],
        "messages": len(mailbox.arrivals),
        "messages_distinct": len(per_message),
        "messages_by_event": dict(events),
        "duplicates": sum(n - 1 for n in per_message.values() if n > 1),
        "confirmations": sum(confirmations.values()),
        "confirmation_duplicates": sum(n - 1 for n in confirmations.values() if n > 1),
        "confirmations_missing": len(buyers - confirmed),
        "confirmations_unexpected": len(confirmed - buyers),
        "outbox": outbox,
        "sent_by_worker": sent_by_worker,
        "drain_after_flood": (drained_at - flood_end) if drained_at else None,
        "drain_after_last_order": (drained_at - last_accept) if drained_at else None,
        "last_message_after_last_order": (max(arrivals) - last_accept) if arrivals else None,
        "tasks": tasks,
        "tasks_enqueued": args.tasks,
        "rate": rate,
        "cpu": {k: v / flood["wall"] for k, v in cpu.items()},
        "client_cpu": flood["client_cpu"] / flood["wall"],
        "total_cpu": total_cpu / flood["wall"],
        "pg_connections_peak": connections_peak,
        "tracebacks": sum(s.log_text().count("Traceback") for s in servers)
        + sum(t.count("Traceback") for t in worker_logs),
        "worker_exit_codes": codes,
    }


def rate_control(pg, workdir: Path, args: argparse.Namespace) -> dict:
    """The rate-limit check against servers that do not share their counts (each its own
    memory cache, `OPENPO_CACHE_URL=locmem://`): it must fail there, or it proves nothing."""
    db_url = _database(pg, "openpo_control")
    key = secrets.token_urlsafe(50)

    def env(part: str) -> dict:
        # No email leaves in this run (its orders give none); port 1 is never dialled.
        return _env(db_url, workdir / part, cache_url="locmem://", smtp_port=1, key=key)

    base_env = env("setup")
    _manage(base_env, "migrate", "--verbosity", "0")
    out = subprocess.run(
        [
            sys.executable,
            war.__file__,
            "--internal-setup",
            json.dumps({"quota": args.quota, "campaigns": ["ratelimit"]}),
        ],
        env=base_env,
        check=True,
        capture_output=True,
        text=True,
    )
    world = json.loads(out.stdout.strip().splitlines()[-1])
    servers: list[war.Server] = []
    try:
        for number in range(args.servers):
            target = SimpleNamespace(env=env(f"serve-{number + 1}"), workdir=workdir)
            servers.append(war.Server(target, 1, args.threads, name=f"control serve {number}"))
            servers[-1].start()
        return rate_limit_check([s.port for s in servers], world["ratelimit"], LIMIT + 10)
    finally:
        for server in servers:
            server.stop()


# --- Report -----------------------------------------------------------------------------------


def checks(r: dict) -> list[tuple[str, bool]]:
    rate = r["rate"]
    return [
        ("oversold 0", r["oversold"] == 0 and r["db_ok"]),
        ("no error answers", r["flood"]["errors"] == 0),
        ("no message sent twice", r["duplicates"] == 0),
        (
            "one confirmation per accepted order",
            r["confirmations"] == r["flood"]["accepted"]
            and r["confirmation_duplicates"] == 0
            and r["confirmations_missing"] == 0
            and r["confirmations_unexpected"] == 0,
        ),
        (
            "every email of the outbox arrived",
            r["messages_distinct"] == r["outbox"].get("sent", 0) == sum(r["outbox"].values()),
        ),
        ("no task run twice", r["tasks"]["claimed_twice"] == 0),
        (
            "every task ran",
            r["tasks"]["by_status"].get("SUCCESSFUL", 0) == r["tasks_enqueued"],
        ),
        (
            f"rate limit shared: {LIMIT} of {rate['sent']} taken",
            rate["accepted"] == LIMIT and rate["refused"] == rate["sent"] - LIMIT,
        ),
        ("outbox drained", r["drain_after_flood"] is not None),
        ("workers stopped cleanly", all(code == 0 for code in r["worker_exit_codes"])),
    ]


def _ms(value) -> str:
    return "" if value is None else f"{value:.0f}"


def _s(value) -> str:
    return "—" if value is None else f"{value:.1f} s"


def report(results: list[dict], args: argparse.Namespace) -> str:
    head = "| | " + " | ".join(
        f"{r['name']}: {r['servers']} × serve --workers {r['gunicorn_workers']} × "
        f"{r['threads']} threads, {r['workers']} worker"
        + ("s" if r["workers"] > 1 else "")
        + f", {r['cache']} cache"
        for r in results
    )
    rows = [
        ("orders placed (201)", lambda r: r["flood"]["accepted"]),
        ("units sold / quota", lambda r: f"{r['units_sold']} / {r['quota']}"),
        ("oversold", lambda r: r["oversold"]),
        ("sold-out answers (409)", lambda r: r["flood"]["sold_out"]),
        ("errors", lambda r: r["flood"]["errors"]),
        ("orders/s until sold out", lambda r: f"{r['flood']['orders_per_s']:.0f}"),
        ("requests/s (all answers)", lambda r: f"{r['flood']['requests_per_s']:.0f}"),
        (
            "latency p50 / p95 / p99 ms",
            lambda r: (
                f"{_ms(r['flood']['p50'])} / {_ms(r['flood']['p95'])} / {_ms(r['flood']['p99'])}"
            ),
        ),
        ("sold out after", lambda r: f"{r['flood']['sell_time']:.2f} s"),
        ("requests per server", lambda r: ", ".join(map(str, r["requests_by_server"]))),
        (
            "emails received (order confirmations + PO closed)",
            lambda r: (
                f"{r['messages']} ({r['messages_by_event'].get('order_received', 0)} + "
                f"{r['messages_by_event'].get('po_closed', 0)})"
            ),
        ),
        (
            "sent twice / confirmations missing",
            lambda r: f"{r['duplicates']} / {r['confirmations_missing']}",
        ),
        (
            "sent by each worker's own rounds (the rest by the tasks)",
            lambda r: ", ".join(map(str, r["sent_by_worker"])),
        ),
        ("outbox drained, after the flood", lambda r: _s(r["drain_after_flood"])),
        ("last email after the last order", lambda r: _s(r["last_message_after_last_order"])),
        (
            "tasks run / enqueued / run twice",
            lambda r: (
                f"{r['tasks']['by_status'].get('SUCCESSFUL', 0)} / {r['tasks_enqueued']}"
                f" / {r['tasks']['claimed_twice']}"
            ),
        ),
        (
            f"rate limit ({LIMIT}/min): taken / refused of {LIMIT + 10}",
            lambda r: (
                f"{r['rate']['accepted']} / {r['rate']['refused']} (refused per server: "
                + ", ".join(map(str, r["rate"]["refused_by_server"]))
                + ")"
            ),
        ),
        (
            "CPU during the flood: servers / workers / PostgreSQL / Redis / load",
            lambda r: (
                " / ".join(
                    f"{v * 100:.0f}%"
                    for v in (*(r["cpu"][k] for k in ("servers", "workers", "postgres", "redis")),)
                )
                + f" / {r['client_cpu'] * 100:.0f}%"
            ),
        ),
        ("CPU, all parts (200% = both cores)", lambda r: f"{r['total_cpu'] * 100:.0f}%"),
        ("PostgreSQL connections, peak", lambda r: r["pg_connections_peak"]),
        ("tracebacks in the logs", lambda r: r["tracebacks"]),
    ]
    lines = [
        f"N={args.buyers} buyers, C={args.concurrency} at once, Q={args.quota} units, "
        f"{args.tasks} tasks, a new connection per request",
        "",
        head + " |",
        "|---|" + "---:|" * len(results),
    ]
    for label, get in rows:
        lines.append(f"| {label} | " + " | ".join(str(get(r)) for r in results) + " |")
    lines += ["", "Checks:"]
    for r in results:
        for label, ok in checks(r):
            lines.append(f"- [{'x' if ok else ' '}] {r['name']}: {label}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", "-n", type=int, default=1000, help="buyers (N)")
    parser.add_argument("--quota", "-q", type=int, default=200, help="units (Q)")
    parser.add_argument("--concurrency", "-c", type=int, default=64, help="buyers at once (C)")
    parser.add_argument("--servers", type=int, default=3, help="openpo serve processes, scaled")
    parser.add_argument("--workers", type=int, default=2, help="openpo worker processes, scaled")
    parser.add_argument("--threads", "-t", type=int, default=4, help="threads per serve process")
    parser.add_argument("--tasks", type=int, default=100, help="tasks enqueued during the war")
    parser.add_argument(
        "--worker-interval", type=float, default=2.0, help="openpo worker --interval (default 2)"
    )
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request")
    parser.add_argument("--max-seconds", type=float, default=300, help="cap for the flood")
    parser.add_argument("--drain-timeout", type=float, default=180, help="cap for the outbox")
    parser.add_argument("--settle", type=float, default=2.0, help="wait for late duplicates")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["single", "scaled", "one-serve"],
        default=["single", "scaled"],
        help="runs, in this order (one-serve: --servers gunicorn workers under one openpo serve)",
    )
    parser.add_argument(
        "--no-control",
        action="store_true",
        help="skip the control run (the rate-limit check against servers that share nothing)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: N=200, Q=40, C=16")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--internal-enqueue", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal_enqueue is not None:
        _enqueue_tasks(args.internal_enqueue)
        return
    if args.quick:
        args.buyers, args.quota, args.concurrency, args.tasks = 200, 40, 16, 20
    from tests.pgserver import PostgresServer

    print(f"# scale-out — {war.machine()}", flush=True)
    pg = PostgresServer.start(max_connections=300)
    results = []
    control = None
    try:
        print(f"  PostgreSQL {pg.version} on 127.0.0.1:{pg.port}", flush=True)
        with tempfile.TemporaryDirectory(prefix="openpo-scale-") as tmp:
            for name in args.only:
                workdir = Path(tmp) / name
                workdir.mkdir()
                results.append(run(name, pg, workdir, args))
            if not args.no_control:
                workdir = Path(tmp) / "control"
                workdir.mkdir()
                control = rate_control(pg, workdir, args)
    finally:
        pg.stop()
    print("\n" + report(results, args) + "\n", flush=True)
    if control:
        print(
            f"Control: {args.servers} servers, each counting alone (locmem:// cache): "
            f"{control['accepted']} of {control['sent']} taken from one address (per server: "
            + ", ".join(map(str, control["accepted_by_server"]))
            + f"); refused {control['refused']}. The check above tells shared from not: "
            + ("yes" if control["accepted"] > LIMIT else "NO")
            + "\n",
            flush=True,
        )
    print(f"# load average after the run {os.getloadavg()[0]:.2f}", flush=True)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "args": vars(args),
                    "postgres": pg.version,
                    "results": results,
                    "rate_control": control,
                },
                indent=1,
            )
        )
    failed = [(r["name"], label) for r in results for label, ok in checks(r) if not ok]
    if control and control["accepted"] <= LIMIT:
        failed.append(("control", "the rate-limit check cannot tell shared counts from not"))
    if failed:
        sys.exit("scale_out: failed: " + "; ".join(f"{n}: {label}" for n, label in failed))


if __name__ == "__main__":
    main()
