"""War-PO benchmark: `openpo serve` under a war PO, against the floor of the same machine.

For each database (SQLite in a temp directory, a throwaway PostgreSQL from tests/pgserver.py)
it migrates a fresh database, creates shops whose campaign sells one variant of quota Q
(through OpenPO's services), starts `python -m openpo serve` on a free port of 127.0.0.1 with
the production settings (rate limit on, at its default; this script plays the proxy in front,
`OPENPO_TRUSTED_PROXIES=127.0.0.1`, sends each buyer's own address in X-Forwarded-For and,
like nginx without upstream keep-alive, each request on a new connection; `--keepalive` reuses
them), and then measures, each load from its own process:

1. floor: the same reservation-and-insert transaction issued through the raw driver by C
   threads (bench/war_po_floor.py: SQL compiled once by Django from OpenPO's models, replayed
   with no HTTP and no Django); median of a few runs. A floor run with an error stops the
   benchmark with the error's message;
2. HTTP floor: the same transaction in a bare WSGI app (bench/war_po_http_floor.py, no
   Django) behind gunicorn with `openpo serve`'s settings, workers and threads, driven by the
   API's load generator; median of a few runs;
3. API: N buyers, C at a time, each POSTing one order to the public JSON API;
4. web flow: N buyers each GET the campaign page, POST its form, follow the redirect to the
   order page;
5. the campaign page under load: C clients GET it while another N buyers flood the API.

The table gives every load's orders/s as a ratio to both floors.

Everything is bounded in count and time and only talks to 127.0.0.1; the fake buyer
addresses (10.x.y.z) are header strings, no packet goes to them.

    .venv/bin/python bench/war_po.py                  # both databases, N=1000, C=64, Q=200
    .venv/bin/python bench/war_po.py --db sqlite --quick
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import math
import multiprocessing as mp
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from war_po_floor import FloorFailed, check_floor  # noqa: E402  (no Django in it)

HOST = "127.0.0.1"
SOLD_OUT_ID = "sudah habis"  # in "Maaf, “…” sudah habis." (SoldOut, in Indonesian)
CLOSED_ID = "tidak menerima pesanan"  # in "PO ini sedang tidak menerima pesanan." (closed)
BUYER = {
    "address": "Jl. Melati No. 5, RT 01/RW 02, Kel. Sukajadi",
    "city": "Bandung",
    "province": "Jawa Barat",
    "postal_code": "40115",
}
ADDRESS = ("address", "city", "province", "postal_code")
LOADS = ("api", "web", "page")  # one campaign each; the floors get one per run
# A buyer's address and phone name the phase.
PHASES = {"api": 1, "web": 2, "page": 3, "httpfloor": 4}


# --- Setting up (in a subprocess: Django is set up there, never in this process) -------------


def _setup_world(spec: dict) -> dict:
    """Create one shop per campaign in `spec` (quota `quota`), through OpenPO's services."""
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.utils import timezone

    from openpo.catalog import services
    from openpo.catalog.terms import po_terms
    from openpo.payments.qris import DEMO_STATIC_QRIS

    sys.path.insert(0, str(BENCH))
    from war_po_floor import build_plan

    now = timezone.now()
    owner = User.objects.create_user("war-owner")
    world = {}
    for number, name in enumerate(spec["campaigns"]):
        shop = services.create_shop(
            name=f"Toko {name}",
            slug=f"toko-{name}",
            owner=owner,
            whatsapp_number="0812-2047-1987",
            static_qris=DEMO_STATIC_QRIS,
        )
        services.add_bank_account(
            shop=shop, bank_name="BCA", account_number="7310458921", account_holder="Kirana"
        )
        campaign = services.create_campaign(
            shop=shop,
            title="Photocard Season 3 — limited",
            slug="war-po",
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(days=1),
        )
        product = services.add_product(campaign=campaign, name="Photocard Season 3")
        # One base amount per shop run, so the floor's transfer amounts never collide.
        price = 50_000 + 1_000 * number
        variant = services.add_variant(product=product, price=price, quota=spec["quota"])
        campaign = services.publish_campaign(campaign=campaign)
        world[name] = {
            "shop": shop.slug,
            "campaign": campaign.slug,
            "shop_id": shop.pk,
            "campaign_id": campaign.pk,
            "variant_id": variant.pk,
            "sku": variant.sku,
            "price": price,
            "product": product.name,
            "terms": po_terms(campaign),
            "status": campaign.status,
        }
        if name in spec.get("plans", ()):
            # The floor's transaction for this campaign, compiled by Django from the models.
            world[name]["plan"] = build_plan(campaign.pk, **{k: BUYER[k] for k in ADDRESS})
    return world


# --- The database and the server --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Target:
    """A fresh database (SQLite in a temp dir, or a throwaway PostgreSQL) and its environment."""

    def __init__(self, db: str, workdir: Path) -> None:
        self.db = db
        self.workdir = workdir
        self.pg = None
        self.data_dir = workdir / "data"
        self.data_dir.mkdir()
        if db == "postgres":
            sys.path.insert(0, str(ROOT))
            from tests.pgserver import PostgresServer

            self.pg = PostgresServer.start(max_connections=300)
        # Production settings, but plain HTTP on 127.0.0.1; nothing inherited from the caller.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPO_")}
        self.env.update(
            OPENPO_DATA_DIR=str(self.data_dir),
            OPENPO_SECRET_KEY=secrets.token_urlsafe(50),
            OPENPO_DEBUG="0",
            OPENPO_HTTPS="0",
            OPENPO_TRUSTED_PROXIES=HOST,
            DJANGO_SETTINGS_MODULE="openpo.settings",
        )
        if self.pg:
            self.env["OPENPO_DATABASE_URL"] = self.pg.url

    @property
    def driver_target(self) -> str:
        """What the raw driver connects to: the SQLite file or the PostgreSQL URL."""
        return self.pg.url if self.pg else str(self.data_dir / "openpo.sqlite3")

    @property
    def version(self) -> str:
        if self.pg:
            return f"PostgreSQL {self.pg.version}"
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "openpo", *args], env=self.env, check=True)

    def setup_world(self, spec: dict) -> dict:
        out = subprocess.run(
            [sys.executable, __file__, "--internal-setup", json.dumps(spec)],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def state(self, campaign: dict) -> dict:
        """Reserved units and what the orders say, read through the raw driver."""
        queries = [
            ("SELECT reserved_units, quota FROM catalog_variant WHERE id = {p}", "variant_id"),
            ("SELECT reserved_units FROM catalog_campaign WHERE id = {p}", "campaign_id"),
            (
                "SELECT COUNT(*), COALESCE(SUM(units), 0) FROM orders_order"
                " WHERE campaign_id = {p} AND status = 'active'",
                "campaign_id",
            ),
            (
                "SELECT COUNT(*) FROM payments_expectedpayment WHERE shop_id = {p}"
                " AND status = 'open'",
                "shop_id",
            ),
            ("SELECT status FROM catalog_campaign WHERE id = {p}", "campaign_id"),
        ]
        rows = []
        if self.pg:
            import psycopg

            with psycopg.connect(self.pg.url) as conn:
                for sql, key in queries:
                    rows.append(conn.execute(sql.format(p="%s"), (campaign[key],)).fetchone())
        else:
            import sqlite3

            conn = sqlite3.connect(self.driver_target)
            try:
                for sql, key in queries:
                    rows.append(conn.execute(sql.format(p="?"), (campaign[key],)).fetchone())
            finally:
                conn.close()
        (reserved, quota), (campaign_reserved,), (orders, units), (payments,), (status,) = rows
        return {
            "reserved": reserved,
            "quota": quota,
            "campaign_reserved": campaign_reserved,
            "active_orders": orders,
            "active_units": units,
            "open_payments": payments,
            "status": status,
        }

    def pids(self) -> list[int]:
        """The PostgreSQL postmaster (its backends are counted with it), if any."""
        if not self.pg:
            return []
        pid_file = self.pg.datadir / "postmaster.pid"
        return [int(pid_file.read_text().split()[0])]

    def stop(self) -> None:
        if self.pg:
            self.pg.stop()


def _proc_table() -> dict[int, tuple[int, float, float]]:
    """pid -> (parent pid, own CPU seconds, CPU seconds of reaped children)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rpartition(")")[2].split()
        except OSError:
            continue
        table[int(entry)] = (
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / tick,
            (int(fields[13]) + int(fields[14])) / tick,
        )
    return table


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by `roots`, their live descendants and their reaped children."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _own, _reaped) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [r for r in roots if r in table]
    for root in todo:
        total += table[root][2]
    while todo:
        pid = todo.pop()
        total += table[pid][1]
        todo.extend(children.get(pid, []))
    return total


class Server:
    """`python -m openpo serve` (or, given `command`, another server taking the same --host,
    --port, --workers and --threads) on a free port; stopped with SIGTERM to the pid it
    started."""

    def __init__(
        self,
        target: Target,
        workers: int,
        threads: int,
        *,
        command: list[str] | None = None,
        name: str = "openpo serve",
    ) -> None:
        self.target = target
        self.workers = workers
        self.threads = threads
        self.command = command or [sys.executable, "-m", "openpo", "serve"]
        self.name = name
        self.port = _free_port()
        self.log = target.workdir / f"{name.replace(' ', '-')}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    *self.command,
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                ],
                env=self.target.env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    conn.close()
                    # Every worker answers once before the clock starts (imports, connections).
                    self._warm()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /health/ in 90 s:\n{self.tail()}")

    def _warm(self) -> None:
        def hit() -> None:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
            for _ in range(4):
                conn.request("GET", "/health/", headers={"Connection": "close"})
                conn.getresponse().read()
                conn.close()

        threads = [threading.Thread(target=hit) for _ in range(self.workers * self.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def cpu(self) -> float:
        return tree_cpu([self.proc.pid]) if self.proc else 0.0

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 30) -> str:
        """The server's last messages, without the access log."""
        text = [line for line in self.log_text().splitlines() if '" ' not in line]
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- Load generators (each runs in a process of its own) ---------------------------------------


def buyer_ip(phase: str, number: int) -> str:
    """A distinct fake address per buyer: 10.<phase>.x.y (a header only, never a target)."""
    return str(ipaddress.IPv4Address("10.0.0.0") + (PHASES[phase] << 20) + number + 1)


def buyer_phone(phase: str, number: int) -> str:
    return f"0812{PHASES[phase]}{number:07d}"


class Client:
    """One buyer's HTTP/1.1 connection; a request that finds a kept-alive connection closed by
    the server before it answered is sent again once (safe: orders carry an Idempotency-Key)."""

    def __init__(self, port: int, *, keepalive: bool, timeout: float) -> None:
        self.port = port
        self.keepalive = keepalive
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.used = False
        self.resent = 0

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if not self.keepalive:
            headers["Connection"] = "close"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
                self.used = False
            reused = self.used
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused and attempt == 1:
                    self.resent += 1
                    continue
                raise
            except BaseException:
                self.close()
                raise
            self.used = True
            if not self.keepalive or response.will_close:
                self.close()
            return response, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _run_clients(concurrency: int, items: int, work, *, stop=None, deadline: float) -> dict:
    """Run `work(client_state, item)` for items 0..items-1 (or until `stop`) on `concurrency`
    threads released together; returns the records, wall time and this process's CPU."""
    lock = threading.Lock()
    counter = iter(range(items))
    records: list[dict] = []
    resent = [0]
    barrier = threading.Barrier(concurrency + 1)

    def loop() -> None:
        state: dict = {}
        mine = []
        barrier.wait()
        while time.monotonic() < deadline and not (stop is not None and stop.is_set()):
            with lock:
                item = next(counter, None)
            if item is None:
                break
            mine.append(work(state, item))
        for client in state.values():
            if isinstance(client, Client):
                client.close()
        with lock:
            records.extend(mine)
            resent[0] += sum(c.resent for c in state.values() if isinstance(c, Client))

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu0 = time.process_time()
    barrier.wait()
    t0_wall, t0 = time.time(), time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    return {
        "records": records,
        "t0": t0_wall,
        "wall": wall,
        "client_cpu": time.process_time() - cpu0,
        "resent": resent[0],
    }


def api_flood(cfg: dict) -> dict:
    """N buyers, C at a time, each POSTs one order for one unit to the public API."""
    w = cfg["campaign"]
    path = f"/api/v1/public/{w['shop']}/{w['campaign']}/orders"

    def work(state: dict, number: int) -> dict:
        client = state.setdefault(
            "client", Client(cfg["port"], keepalive=cfg["keepalive"], timeout=cfg["timeout"])
        )
        body = json.dumps(
            {
                "name": f"Pembeli {number}",
                "phone": buyer_phone(cfg["phase"], number),
                **BUYER,
                "items": [{"sku": w["sku"], "quantity": 1}],
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
            "X-Forwarded-For": buyer_ip(cfg["phase"], number),
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
        kind = _api_kind(status, data)
        record = {"kind": kind, "status": status, "latency": ended - started, "end": time.time()}
        if kind == "error" and data:
            record["detail"] = data[:160].decode(errors="replace")
        return record

    return _run_clients(
        cfg["concurrency"], cfg["buyers"], work, deadline=time.monotonic() + cfg["max_seconds"]
    )


def _api_kind(status, data: bytes) -> str:
    if status == 201:
        return "accepted"
    if status == 409:
        try:
            code = json.loads(data).get("code")
        except ValueError:
            code = None
        return {"sold_out": "sold_out", "closed": "closed"}.get(code, "error")
    return "error"


def _alert(html: bytes) -> str:
    """The error box of a re-rendered form, for the report."""
    found = re.search(rb'<div class="errors" role="alert">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", (found.group(1) if found else html[:200]).decode()).strip()


_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_IDEM = re.compile(rb'<input[^>]*name="idempotency_key"[^>]*>')
_VALUE = re.compile(rb'value="([^"]*)"')


def web_flow(cfg: dict) -> dict:
    """N buyers, C at a time: GET the campaign page, POST its form, GET the order page."""
    w = cfg["campaign"]
    page = f"/{w['shop']}/{w['campaign']}/"
    action = f"/{w['shop']}/{w['campaign']}/order/"
    qty_field = f"qty_{w['variant_id']}".encode()
    origin = f"http://{HOST}:{cfg['port']}"

    def work(state: dict, number: int) -> dict:
        # A phone: its own connection (kept alive between its three requests) and cookies.
        client = Client(cfg["port"], keepalive=cfg["keepalive"], timeout=cfg["timeout"])
        ip = buyer_ip(cfg["phase"], number)
        record = {"kind": "error", "steps": {}, "start": time.time()}
        started = time.perf_counter()
        try:
            t = time.perf_counter()
            response, html = client.request("GET", page, headers={"X-Forwarded-For": ip})
            record["steps"]["page"] = time.perf_counter() - t
            if response.status != 200:
                record["status"] = f"page {response.status}"
                return record
            cookies = SimpleCookie()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookies.load(value)
            csrf, idem = _CSRF.search(html), _IDEM.search(html)
            qty = re.search(rb'<input[^>]*name="' + qty_field + rb'"[^>]*>', html)
            if not (csrf and idem and qty) or b"disabled" in qty.group(0):
                # No form (or the variant greyed out): the page itself says it is sold out.
                record["kind"] = "page_sold_out" if b"state-sold_out" in html else "page_closed"
                return record
            form = {
                "csrfmiddlewaretoken": csrf.group(1).decode(),
                "idempotency_key": _VALUE.search(idem.group(0)).group(1).decode(),
                qty_field.decode(): "1",
                "name": f"Pembeli {number}",
                "phone": buyer_phone(cfg["phase"], number),
                "email": "",
                **BUYER,
                "notes": "",
                "terms": "on",
            }
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={m.value}" for k, m in cookies.items()),
                "Origin": origin,
                "Referer": origin + page,
                "X-Forwarded-For": ip,
            }
            t = time.perf_counter()
            response, html = client.request("POST", action, urlencode(form).encode(), headers)
            record["steps"]["post"] = time.perf_counter() - t
            record["status"] = response.status
            if response.status == 409:
                # The form's error, or (once the PO closed) the page without a form.
                if SOLD_OUT_ID.encode() in html or b"state-sold_out" in html:
                    record["kind"] = "sold_out"
                elif CLOSED_ID.encode() in html:
                    record["kind"] = "closed"
                else:
                    record["detail"] = _alert(html)
                return record
            location = response.getheader("Location", "")
            if response.status != 302 or not location.startswith("/o/"):
                return record
            t = time.perf_counter()
            response, html = client.request(
                "GET", location, headers={"Cookie": headers["Cookie"], "X-Forwarded-For": ip}
            )
            record["steps"]["order_page"] = time.perf_counter() - t
            if response.status == 200 and b"PO-" in html:
                record["kind"] = "accepted"
            else:
                record["status"] = f"order page {response.status}"
            return record
        except TimeoutError:
            record["status"] = "timeout"
            return record
        except OSError as exc:
            record["status"] = f"conn_error {exc.__class__.__name__}"
            return record
        finally:
            client.close()
            record["latency"] = time.perf_counter() - started
            record["end"] = time.time()

    return _run_clients(
        cfg["concurrency"], cfg["buyers"], work, deadline=time.monotonic() + cfg["max_seconds"]
    )


def page_load(cfg: dict, stop) -> dict:
    """C clients GET the campaign page (kept-alive connections) until `stop` is set."""
    w = cfg["campaign"]
    path = f"/{w['shop']}/{w['campaign']}/"

    def work(state: dict, number: int) -> dict:
        client = state.setdefault(
            "client", Client(cfg["port"], keepalive=cfg["keepalive"], timeout=cfg["timeout"])
        )
        start = time.time()
        started = time.perf_counter()
        try:
            response, _html = client.request(
                "GET", path, headers={"X-Forwarded-For": buyer_ip("page", 100_000 + number)}
            )
            status = response.status
        except TimeoutError:
            status = "timeout"
        except OSError:
            status = "conn_error"
        return {
            "kind": "ok" if status == 200 else "error",
            "status": status,
            "latency": time.perf_counter() - started,
            "start": start,
            "end": time.time(),
        }

    return _run_clients(
        cfg["concurrency"], 10**9, work, stop=stop, deadline=time.monotonic() + cfg["max_seconds"]
    )


def floor(cfg: dict) -> dict:
    sys.path.insert(0, str(BENCH))
    from war_po_floor import run_floor

    return run_floor(
        plan=cfg["campaign"]["plan"],
        target=cfg["target"],
        attempts=cfg["buyers"],
        threads=cfg["concurrency"],
        seed=cfg["seed"],
    )


def _child(func, cfg, queue, stop) -> None:
    try:
        queue.put(func(cfg, stop) if stop is not None else func(cfg))
    except BaseException as exc:  # reported by the parent
        queue.put({"failed": f"{exc.__class__.__name__}: {exc}"})
        raise


class Load:
    """A load generator in a process of its own (spawned: no state shared with this one)."""

    context = mp.get_context("spawn")

    def __init__(self, func, cfg: dict, *, stoppable: bool = False) -> None:
        self.queue = self.context.Queue()
        self.stop_event = self.context.Event() if stoppable else None
        self.proc = self.context.Process(
            target=_child, args=(func, cfg, self.queue, self.stop_event), daemon=True
        )
        self.proc.start()

    def stop(self) -> None:
        if self.stop_event is not None:
            self.stop_event.set()

    def result(self, timeout: float = 900) -> dict:
        result = self.queue.get(timeout=timeout)
        self.proc.join(timeout=30)
        if "failed" in result:
            raise RuntimeError(f"load generator failed: {result['failed']}")
        return result


# --- Measuring one database ---------------------------------------------------------------------


def _sold_out_rate(load: dict) -> float:
    """Answers per second once the last slot went (they are nearly all "sold out")."""
    after = load["wall"] - load["sell_time"]
    return (load["requests"] - load["accepted"]) / after if after > 0 else 0.0


def _cpu_ms_per_order(load: dict) -> float:
    """Server CPU ms per accepted order: its CPU share times the time to sell out, per order
    (the share is the whole run's, sold-out answers included, so this is an upper bound)."""
    if not load["accepted"]:
        return 0.0
    return load["server_cpu"] * load["sell_time"] * 1000 / load["accepted"]


def _ratio(value: float, floor: float) -> float | None:
    """value ÷ floor; None when the floor has no figure (never a division by zero)."""
    return value / floor if floor else None


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), in milliseconds; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def summarize(run: dict, *, quota: int, state: dict | None = None) -> dict:
    records = run["records"]
    kinds: dict[str, int] = {}
    for record in records:
        kinds[record["kind"]] = kinds.get(record["kind"], 0) + 1
    latencies = [r["latency"] for r in records]
    accepted = [r for r in records if r["kind"] == "accepted"]
    last_accept = max((r["end"] for r in accepted), default=run["t0"]) - run["t0"]
    out = {
        "requests": len(records),
        "accepted": len(accepted),
        "sold_out": kinds.get("sold_out", 0) + kinds.get("page_sold_out", 0),
        "closed": kinds.get("closed", 0) + kinds.get("page_closed", 0),
        "errors": kinds.get("error", 0),
        "error_statuses": sorted(
            {
                f"{r.get('status')} {r.get('detail', '')}".strip()
                for r in records
                if r["kind"] == "error"
            }
        ),
        "wall": run["wall"],
        "sell_time": last_accept,
        "orders_per_s": len(accepted) / last_accept if last_accept > 0 else 0.0,
        "requests_per_s": len(records) / run["wall"] if run["wall"] else 0.0,
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "p99_accepted": pct([r["latency"] for r in accepted], 99),
        "client_cpu": run["client_cpu"] / run["wall"] if run["wall"] else 0.0,
        "resent": run.get("resent", 0),
    }
    if "steps" in (records[0] if records else {}):
        for step in ("page", "post", "order_page"):
            values = [r["steps"][step] for r in records if step in r["steps"]]
            out[f"{step}_p50"], out[f"{step}_p99"] = pct(values, 50), pct(values, 99)
        # An error page while stock remained: before the first buyer was told "sold out".
        first_no = min(
            (r["end"] for r in records if r["kind"] not in ("accepted", "error")), default=None
        )
        out["errors_while_stock"] = sum(
            1 for r in records if r["kind"] == "error" and (first_no is None or r["end"] < first_no)
        )
    if state is not None:
        out["state"] = state
        out["oversold"] = max(0, state["reserved"] - quota)
        out["db_ok"] = (
            state["active_units"] == min(quota, out["accepted"])
            and state["reserved"] == state["active_units"] == state["campaign_reserved"]
            and state["open_payments"] == state["active_orders"]
        )
    return out


def _floor_summary(run: dict, cpu_db: float, state: dict, quota: int) -> dict:
    answered = run["accepted"] + run["sold_out"] + run["errors"]
    return {
        "requests": answered,
        "accepted": run["accepted"],
        "sold_out": run["sold_out"],
        "errors": run["errors"],
        "wall": run["wall"],
        "sell_time": run["sell_time"],
        "orders_per_s": run["accepted"] / run["sell_time"] if run["sell_time"] else 0.0,
        "requests_per_s": answered / run["wall"] if run["wall"] else 0.0,
        "p50": pct(run["latencies"], 50),
        "p95": pct(run["latencies"], 95),
        "p99": pct(run["latencies"], 99),
        "p99_accepted": pct(run["accepted_latencies"], 99),
        "client_cpu": run["client_cpu"] / run["wall"] if run["wall"] else 0.0,
        "db_cpu": cpu_db / run["wall"] if run["wall"] else 0.0,
        "oversold": max(0, state["reserved"] - quota),
        "db_ok": (
            state["reserved"]
            == state["campaign_reserved"]
            == state["active_units"]
            == state["active_orders"]
            == state["open_payments"]
            == run["accepted"]
        ),
    }


def api_path(campaign: dict) -> str:
    return f"/api/v1/public/{campaign['shop']}/{campaign['campaign']}/orders"


def measure_http_floor(
    target: Target, args: argparse.Namespace, base: dict, world: dict, names: list[str], timed
) -> dict:
    """The HTTP floor's runs (one campaign each, one server for all): the median run."""
    plans = target.workdir / "http_floor_plans.json"
    plans.write_text(json.dumps({api_path(world[n]): world[n]["plan"] for n in names}))
    command = [
        sys.executable,
        str(BENCH / "war_po_http_floor.py"),
        "--plans",
        str(plans),
        "--target",
        target.driver_target,
    ]
    serving = Server(target, args.workers, args.threads, command=command, name="http floor")
    serving.start()
    try:
        runs = []
        for i, name in enumerate(names):
            cfg = {**base, "port": serving.port, "campaign": world[name], "phase": "httpfloor"}
            run, cpu_server, cpu_db = timed(Load(api_flood, cfg), serving)
            row = summarize(run, quota=args.quota, state=target.state(world[name]))
            label = f"[{target.db}] HTTP floor run {i + 1}"
            if row["errors"] or not row["accepted"]:
                raise FloorFailed(
                    f"{label}: {row['errors']} errors in {row['requests']} requests, "
                    f"{row['accepted']} accepted: {row['error_statuses']}\n{serving.tail()}"
                )
            row["server_cpu"], row["db_cpu"] = cpu_server / run["wall"], cpu_db / run["wall"]
            runs.append(row)
            print(f"  {label}: {row['orders_per_s']:.0f} orders/s", flush=True)
    finally:
        serving.stop()
    runs.sort(key=lambda r: r["orders_per_s"])
    return {
        "http_floor": runs[len(runs) // 2],
        "http_floor_runs": [r["orders_per_s"] for r in runs],
    }


def measure(db: str, args: argparse.Namespace) -> dict:
    only = set(args.only)
    with tempfile.TemporaryDirectory(prefix=f"openpo-war-{db}-") as workdir:
        target = Target(db, Path(workdir))
        server = None
        try:
            target.manage("migrate", "--verbosity", "0")
            floors = [f"floor{i}" for i in range(2 * args.floor_runs if "floor" in only else 0)]
            runs_ = args.floor_runs if "httpfloor" in only else 0
            http_floors = [f"httpfloor{i}" for i in range(runs_)]
            world = target.setup_world(
                {
                    "quota": args.quota,
                    "campaigns": [*LOADS, *floors, *http_floors],
                    "plans": [*floors, *http_floors],
                }
            )
            server = Server(target, args.workers, args.threads)
            server.start()
            result: dict = {"db": db, "version": target.version}
            base = {
                "port": server.port,
                "buyers": args.buyers,
                "concurrency": args.concurrency,
                "timeout": args.timeout,
                "max_seconds": args.max_seconds,
                "keepalive": args.keepalive,
            }

            def timed(load: Load, serving: Server | None = None) -> tuple[dict, float, float]:
                serving = serving or server
                cpu_server, cpu_db = serving.cpu(), tree_cpu(target.pids())
                out = load.result()
                return out, serving.cpu() - cpu_server, tree_cpu(target.pids()) - cpu_db

            def flood(name: str) -> tuple[dict, float, float]:
                return timed(Load(api_flood, {**base, "campaign": world[name], "phase": name}))

            # 1. The floor, with the server idle: the median of a few runs with C threads, and
            #    (for reference) with as many threads as the server has request threads.
            def floor_runs(threads: int, names: list[str], label: str) -> list[dict]:
                runs = []
                for i, name in enumerate(names):
                    cfg = {**base, "db": db, "target": target.driver_target}
                    # The seed keeps order codes and phone numbers apart between runs.
                    cfg.update(concurrency=threads, campaign=world[name], seed=int(name[5:]))
                    run, _cpu_server, cpu_db = timed(Load(floor, cfg))
                    check_floor(run, label=f"[{db}] floor ({label}) run {i + 1}")
                    runs.append(_floor_summary(run, cpu_db, target.state(world[name]), args.quota))
                    print(
                        f"  [{db}] floor ({label}) run {i + 1}: "
                        f"{runs[-1]['orders_per_s']:.0f} orders/s",
                        flush=True,
                    )
                runs.sort(key=lambda f: f["orders_per_s"])
                return runs

            if floors:
                half = len(floors) // 2
                runs = floor_runs(args.concurrency, floors[:half], f"C={args.concurrency}")
                result["floor"] = runs[len(runs) // 2]
                result["floor_runs"] = [f["orders_per_s"] for f in runs]
                server_threads = args.workers * args.threads
                runs = floor_runs(server_threads, floors[half:], f"{server_threads} threads")
                result["floor_server_threads"] = {
                    "threads": server_threads,
                    "orders_per_s": runs[len(runs) // 2]["orders_per_s"],
                    "runs": [f["orders_per_s"] for f in runs],
                }

            # 2. The HTTP floor: the same transaction in a bare WSGI app behind the same gunicorn
            #    settings, driven like the API; OpenPO's server idle meanwhile.
            if http_floors:
                result.update(measure_http_floor(target, args, base, world, http_floors, timed))

            # 3. The API flood.
            if "api" in only:
                run, cpu_server, cpu_db = flood("api")
                api = summarize(run, quota=args.quota, state=target.state(world["api"]))
                api["server_cpu"], api["db_cpu"] = cpu_server / run["wall"], cpu_db / run["wall"]
                result["api"] = api
                print(
                    f"  [{db}] API: {api['accepted']} accepted, {api['orders_per_s']:.0f} "
                    f"orders/s, p99 {api['p99']:.0f} ms",
                    flush=True,
                )
                if floors:
                    result["ratio"] = _ratio(api["orders_per_s"], result["floor"]["orders_per_s"])
                if http_floors:
                    http_floor = result["http_floor"]
                    result["ratio_http"] = _ratio(api["orders_per_s"], http_floor["orders_per_s"])
                    result["p99_ratio_http"] = _ratio(api["p99"], http_floor["p99"])

            # 4. The buyer's web flow.
            if "web" in only:
                run, cpu_server, cpu_db = timed(
                    Load(web_flow, {**base, "campaign": world["web"], "phase": "web"})
                )
                web = summarize(run, quota=args.quota, state=target.state(world["web"]))
                web["server_cpu"], web["db_cpu"] = cpu_server / run["wall"], cpu_db / run["wall"]
                result["web"] = web
                print(f"  [{db}] web flow: {web['accepted']} accepted", flush=True)

            # 5. The campaign page while another flood of orders pours in.
            if "page" in only:
                readers = Load(
                    page_load,
                    {**base, "campaign": world["page"], "phase": "page"},
                    stoppable=True,
                )
                time.sleep(1.0)  # the readers are on before the flood starts
                run, cpu_server, cpu_db = flood("page")
                readers.stop()
                pages = readers.result()
                during = [
                    r for r in pages["records"] if run["t0"] <= r["start"] < run["t0"] + run["wall"]
                ]
                flooded = summarize(run, quota=args.quota, state=target.state(world["page"]))
                flooded["server_cpu"] = cpu_server / run["wall"]
                flooded["db_cpu"] = cpu_db / run["wall"]
                result["flood_with_readers"] = flooded
                result["page"] = {
                    "requests": len(during),
                    "requests_per_s": len(during) / run["wall"],
                    "errors": sum(1 for r in during if r["kind"] != "ok"),
                    "p50": pct([r["latency"] for r in during], 50),
                    "p95": pct([r["latency"] for r in during], 95),
                    "p99": pct([r["latency"] for r in during], 99),
                    "client_cpu": pages["client_cpu"] / pages["wall"],
                }
            result["server_errors_logged"] = server.log_text().count("Traceback")
            return result
        finally:
            if server:
                server.stop()
            target.stop()


# --- Reporting ----------------------------------------------------------------------------------


def _times(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _row(name: str, r: dict, floors: list[dict | None]) -> str:
    oversold = r.get("oversold", "")
    ok = {True: "yes", False: "NO"}.get(r.get("db_ok"), "")
    ratios = " | ".join(
        _times(_ratio(r["orders_per_s"], f["orders_per_s"]) if f else None) for f in floors
    )
    return (
        f"| {name} | {r.get('accepted', '')} | {r.get('sold_out', '')} | {r.get('closed', '')} "
        f"| {r.get('errors', '')} | {oversold} | {ok} | {r['orders_per_s']:.0f} | {ratios} "
        f"| {r['requests_per_s']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
        f"| {r['client_cpu'] * 100:.0f}% |"
    )


def report(result: dict, args: argparse.Namespace) -> str:
    db = result["db"]
    floor_, api, web = result.get("floor"), result.get("api"), result.get("web")
    flooded, page = result.get("flood_with_readers"), result.get("page")
    http_floor = result.get("http_floor")
    lines = [
        f"### {db} ({result['version']}): {args.workers} workers x {args.threads} threads, "
        f"N={args.buyers}, C={args.concurrency}, Q={args.quota}"
        + (", kept-alive connections" if args.keepalive else ", a new connection per request"),
        "",
        "| load | accepted | sold out | closed | errors | oversold | DB ok | orders/s "
        "| ÷ raw floor | ÷ HTTP floor | req/s | p50 ms | p95 ms | p99 ms | client CPU |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in (
        ("floor: raw driver", floor_),
        ("floor: HTTP, bare WSGI app", http_floor),
        ("API orders", api),
        ("web flow (3 requests/buyer)", web),
        ("API orders + page readers", flooded),
    ):
        if row:
            lines.append(_row(name, row, [floor_, http_floor]))
    lines.append("")
    if floor_:
        runs = ", ".join(f"{v:.0f}" for v in result["floor_runs"])
        lines.append(
            f"- floor: median of {len(result['floor_runs'])} runs ({runs} orders/s); sold out "
            f"after {floor_['sell_time'] * 1000:.0f} ms"
            + (f"; PostgreSQL CPU {floor_['db_cpu'] * 100:.0f}%" if db == "postgres" else "")
        )
        other = result["floor_server_threads"]
        lines.append(
            f"- floor with {other['threads']} threads (as many as the server's request threads): "
            f"{other['orders_per_s']:.0f} orders/s (runs: "
            + ", ".join(f"{v:.0f}" for v in other["runs"])
            + ")"
        )
    if http_floor:
        runs = ", ".join(f"{v:.0f}" for v in result["http_floor_runs"])
        lines.append(
            f"- HTTP floor (the floor's transaction in a WSGI app without Django, gunicorn with "
            f"`openpo serve`'s settings, the API's load generator): median of "
            f"{len(result['http_floor_runs'])} runs ({runs} orders/s); p99 of accepted orders "
            f"{http_floor['p99_accepted']:.0f} ms; sold out after {http_floor['sell_time']:.2f} s, "
            f"all {http_floor['requests']} answered in {http_floor['wall']:.2f} s; CPU: server "
            f"{http_floor['server_cpu'] * 100:.0f}%"
            + (f", PostgreSQL {http_floor['db_cpu'] * 100:.0f}%" if db == "postgres" else "")
            + f", load generator {http_floor['client_cpu'] * 100:.0f}%"
        )
    if floor_ and http_floor:
        other = result["floor_server_threads"]
        lines.append(
            "- HTTP floor ÷ raw floor: "
            f"{_times(_ratio(http_floor['orders_per_s'], floor_['orders_per_s']))} "
            f"(C={args.concurrency} threads), "
            f"{_times(_ratio(http_floor['orders_per_s'], other['orders_per_s']))} "
            f"({other['threads']} threads): HTTP and gunicorn cost the transaction CPU, and the "
            f"server's {other['threads']} request threads cap how many transactions queue on the "
            "database at once"
        )
    if api and (floor_ or http_floor):
        parts = []
        if floor_:
            parts.append(
                f"÷ raw floor **{_times(result.get('ratio'))}** "
                f"({api['orders_per_s']:.0f} / {floor_['orders_per_s']:.0f})"
            )
        if http_floor:
            parts.append(
                f"÷ HTTP floor **{_times(result.get('ratio_http'))}** "
                f"({api['orders_per_s']:.0f} / {http_floor['orders_per_s']:.0f}); API p99 = "
                f"{_times(result.get('p99_ratio_http'))} × the HTTP floor's "
                f"({api['p99']:.0f} / {http_floor['p99']:.0f} ms)"
            )
        lines.append("- API accepted orders/s " + "; ".join(parts))
    if api:
        lines.append(
            f"- API: p99 of accepted orders {api['p99_accepted']:.0f} ms; sold out after "
            f"{api['sell_time']:.2f} s, all {api['requests']} answered in {api['wall']:.2f} s; "
            f"{_sold_out_rate(api):.0f} sold-out answers/s after that; "
            f"CPU: server {api['server_cpu'] * 100:.0f}% "
            f"(≈ {_cpu_ms_per_order(api):.1f} ms per accepted order)"
            + (f", PostgreSQL {api['db_cpu'] * 100:.0f}%" if db == "postgres" else "")
            + f", load generator {api['client_cpu'] * 100:.0f}% (100% = one core)"
            + (
                f"; {api['resent']} sent again on a closed kept-alive connection"
                if api["resent"]
                else ""
            )
        )
    if web:
        lines.append(
            f"- web flow: campaign page p50/p99 {web['page_p50']:.0f}/{web['page_p99']:.0f} ms, "
            f"form post {web['post_p50']:.0f}/{web['post_p99']:.0f} ms, order page "
            f"{web['order_page_p50']:.0f}/{web['order_page_p99']:.0f} ms (the table's latency "
            f"is a buyer's three requests); error pages while stock remained: "
            f"{web['errors_while_stock']}"
        )
    if page:
        lines.append(
            f"- campaign page while the flood ran: {page['requests']} GETs, "
            f"{page['requests_per_s']:.0f} req/s, p50 {page['p50']:.0f} ms, "
            f"p99 {page['p99']:.0f} ms, errors {page['errors']}"
        )
    loads = (("API", api), ("web", web), ("flood", flooded))
    errors = {k: r["error_statuses"] for k, r in loads if r and r.get("error_statuses")}
    if errors or result["server_errors_logged"]:
        lines.append(
            f"- error answers: {errors}; tracebacks in the server log: "
            f"{result['server_errors_logged']}"
        )
    rows = [r for _k, r in loads if r]
    floor_rows = [r for r in (floor_, http_floor) if r]
    checks = [
        ("oversold 0", all(r.get("oversold", 0) == 0 for r in [*rows, *floor_rows])),
        ("errors 0", all(r["errors"] == 0 for r in [*rows, page or {"errors": 0}])),
        ("sold units match the orders", all(r.get("db_ok") for r in [*rows, *floor_rows])),
    ]
    if floor_ and api and result.get("ratio") is not None:
        checks.append((f"API ≥ ½ floor ({result['ratio']:.2f})", result["ratio"] >= 0.5))
    if http_floor and api and result.get("ratio_http") is not None:
        checks.append(
            (f"API ≥ ½ HTTP floor ({result['ratio_http']:.2f})", result["ratio_http"] >= 0.5)
        )
    if api:
        checks.append((f"API p99 < 1 s ({api['p99']:.0f} ms)", api["p99"] < 1000))
        rate = _sold_out_rate(api)
        checks.append((f"sold-out answers ≥ 1,000/s ({rate:.0f})", rate >= 1000))
        cpu = _cpu_ms_per_order(api)
        checks.append((f"server CPU per accepted order ≤ 5 ms ({cpu:.1f})", cpu <= 5))
    if api and web:
        share = web["orders_per_s"] / api["orders_per_s"] if api["orders_per_s"] else 0
        checks.append((f"web flow ≥ ½ API orders/s ({share:.2f})", share >= 0.5))
    if page:
        checks.append(
            (
                f"campaign page ≥ 400 req/s with p99 < 1 s during the flood "
                f"({page['requests_per_s']:.0f}, {page['p99']:.0f} ms)",
                page["requests_per_s"] >= 400 and page["p99"] < 1000,
            )
        )
    if web:
        checks.append(
            (
                f"web flow sells exactly Q ({web['accepted']}), no error page while stock "
                f"remained ({web['errors_while_stock']})",
                web["accepted"] == args.quota and web["errors_while_stock"] == 0,
            )
        )
    lines += ["", "Targets:"] + [f"- [{'x' if ok else ' '}] {name}" for name, ok in checks]
    return "\n".join(lines)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"load average before the run {load[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--buyers", "-n", type=int, default=1000, help="buyers per load (N)")
    parser.add_argument("--quota", "-q", type=int, default=200, help="units of the variant (Q)")
    parser.add_argument("--concurrency", "-c", type=int, default=64, help="buyers at once (C)")
    parser.add_argument("--workers", "-w", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", "-t", type=int, default=4, help="threads per process")
    parser.add_argument("--floor-runs", type=int, default=3, help="floor runs (median kept)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request")
    parser.add_argument("--max-seconds", type=float, default=300, help="cap per load")
    parser.add_argument(
        "--keepalive",
        action="store_true",
        help="reuse each client's connection (default: a new one per request, like a proxy "
        "without upstream keep-alive)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["floor", "httpfloor", "api", "web", "page"],
        default=["floor", "httpfloor", "api", "web", "page"],
        help="which loads to run (default all)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: N=100, Q=20, C=16")
    parser.add_argument("--json", help="also write every number to this file")
    parser.add_argument("--internal-setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal_setup:
        print(json.dumps(_setup_world(json.loads(args.internal_setup))))
        return
    if args.quick:
        args.buyers, args.quota, args.concurrency, args.floor_runs = 100, 20, 16, 1
    print(f"# war PO — {machine()}", flush=True)
    results = []
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        try:
            results.append(measure(db, args))
        except FloorFailed as exc:  # the floor's numbers would mean nothing: stop, saying why
            sys.exit(f"war_po: stopped, the floor failed. {exc}")
        print("\n" + report(results[-1], args) + "\n", flush=True)
    print(f"# load average after the run {os.getloadavg()[0]:.2f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "results": results}, indent=1))


if __name__ == "__main__":
    main()
