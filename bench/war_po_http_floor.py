"""The HTTP floor of a war PO: the floor's order transaction behind `openpo serve`'s gunicorn.

A bare WSGI app, no Django in it, answers `POST /api/v1/public/<shop>/<campaign>/orders` (the
path of OpenPO's public API, so `bench/war_po.py` drives it with the same load generator) for
the campaigns of a plans file: `{path: plan}`, the plans `bench/war_po_floor.build_plan`
compiled from OpenPO's models. Per request it reads the JSON body (name, phone, one item of the
campaign's SKU), answers 409 `sold_out` when a read shows the variant sold out, else runs the
floor's transaction on its thread's own connection (opened on the thread's first request and
kept, as a floor may) and answers 201 with the order code, or 409 `sold_out` when the last unit
went meanwhile; an exception answers 500 with its message. `GET /health/` answers 200 for the
start-up check.

gunicorn runs it with the very settings `openpo serve` uses (`openpo.ops.serve`: gthread
workers, the workers and threads given, the app preloaded in the master, access log on
stdout): that module is imported for them, Django is never set up and no request touches it.
What OpenPO's API costs beyond this is what OpenPO does per request besides the transaction:
Django's request path, validation, the rate limit, the idempotency lookup, the unique-code
draw, reading the campaign, building the answer.

Order codes and unique codes follow a counter per campaign shared by the workers (shared
memory made in the master before the fork), so no two tries collide; a campaign takes at most
9,999 tries past the sold-out read (the unique code's range).

    python bench/war_po_http_floor.py --plans plans.json --target DB --port 8123 -w 3 -t 4
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import sys
import threading
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from war_po_floor import Connection, new_try

JSON = [("Content-Type", "application/json")]


def _e164(phone: str) -> str:
    """`0812-…` → `+62812…` (the buyers' numbers of the benchmark; no checking)."""
    digits = "".join(c for c in phone if c.isdigit())
    if phone.strip().startswith("+"):
        return "+" + digits
    return "+62" + (digits[1:] if digits.startswith("0") else digits.removeprefix("62"))


class FloorApp:
    """The WSGI application: one plan per order path, one raw connection per thread."""

    def __init__(self, plans: dict[str, dict], target: str) -> None:
        self.plans = plans
        self.target = target
        self.some_plan = next(iter(plans.values()))
        # Made before gunicorn forks its workers (the app is preloaded): shared by all of them.
        self.lock = multiprocessing.Lock()
        self.counters = {path: multiprocessing.RawValue("q", 0) for path in plans}
        self.local = threading.local()

    def _connection(self) -> Connection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = Connection(self.some_plan, self.target)
        return conn

    def _drop_connection(self) -> None:
        conn, self.local.conn = getattr(self.local, "conn", None), None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken
                conn.close()

    def _number(self, path: str) -> int:
        with self.lock:
            counter = self.counters[path]
            number = counter.value
            counter.value = number + 1
        return number

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        if path == "/health/" and method == "GET":
            self._connection()  # warm: the thread's connection is ready for its first order
            return _answer(start_response, "200 OK", {"status": "ok"})
        plan = self.plans.get(path)
        if plan is None or method != "POST":
            return _answer(start_response, "404 Not Found", {"code": "not_found"})
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            data = json.loads(environ["wsgi.input"].read(size))
            ((item),) = data["items"]
            if item["sku"].upper() != plan["sku"].upper() or item["quantity"] != 1:
                raise ValueError("one unit of the campaign's SKU")
            name, phone = str(data["name"]).strip(), _e164(str(data["phone"]))
        except (ValueError, KeyError, TypeError) as exc:
            return _answer(
                start_response, "422 Unprocessable Entity", {"code": "invalid", "message": str(exc)}
            )
        try:
            conn = self._connection()
            if conn.left(plan) <= 0:
                return _answer(start_response, "409 Conflict", {"code": "sold_out"})
            values = new_try(
                plan,
                self._number(path),
                name=name,
                phone=phone,
                key=environ.get("HTTP_IDEMPOTENCY_KEY", "")[:64],
            )
            if not conn.place(plan, values):
                return _answer(start_response, "409 Conflict", {"code": "sold_out"})
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            self._drop_connection()  # a broken connection is not used again
            message = f"{exc.__class__.__name__}: {exc}"
            return _answer(
                start_response, "500 Internal Server Error", {"code": "error", "message": message}
            )
        return _answer(
            start_response,
            "201 Created",
            {
                "code": values["code"],
                "status": "unpaid",
                "total": plan["total"],
                "transfer_amount": values["amount"],
                "payment_deadline": values["deadline"].isoformat(),
            },
        )


def _answer(start_response, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [*JSON, ("Content-Length", str(len(data)))])
    return [data]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", required=True, help="JSON file: {order path: plan}")
    parser.add_argument("--target", required=True, help="SQLite file or PostgreSQL URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", "-w", type=int, required=True)
    parser.add_argument("--threads", "-t", type=int, required=True)
    args = parser.parse_args()
    app = FloorApp(json.loads(Path(args.plans).read_text()), args.target)

    # `openpo serve`'s own gunicorn settings and runner; Django is imported, never set up.
    from openpo.ops.serve import _Gunicorn, gunicorn_settings, make_options

    options = make_options(
        host=args.host, port=args.port, workers=args.workers, threads=args.threads
    )

    def announce(line: str) -> None:
        print(line.replace("OpenPO", "the HTTP floor (bare WSGI)"), flush=True)

    _Gunicorn(app, gunicorn_settings(options, announce)).run()


if __name__ == "__main__":
    main()
