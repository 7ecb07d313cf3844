"""Intake preview benchmark: a month of a busy seller's WhatsApp chat through the dashboard's
"Orders from chats" pages, from the paste to the imported orders.

The chat is `parse_orders.generate_chat` (seeded: ~5,000 messages, ~1,100 orders, Android and
iPhone prefixes, chatter, system lines, typos), pasted into the paste box of a PO whose
catalogue is that benchmark's `PRODUCTS`. Everything runs in this process on a throwaway
SQLite database (a temp OPENPO_DATA_DIR, migrated first; the cache in memory), through
Django's test `Client` with a logged-in shop member: the whole request (middleware, session,
CSRF, the view, the template) but no HTTP server and no network.

It times:

(a) the paste: POST the chat to the paste view, answered with the preview page (every order
    read, one editable form each); the orders shown are counted from the page;
(b) "Check again": the preview posted back as a browser posts it (the fields read from the
    page's HTML), every order read again from its fields;
(c) "Import ticked orders": the same post with the import button, every ready order ticked,
    answered with the result page; every run on a fresh PO (the orders are really placed,
    one `place_order` each).

For each it prints the seconds of each run and the median, the status, the page's size and
the size and number of fields of the post. Target: (a) under 2 s for 5,000 messages.

With `--browser` it also opens the preview page of (a) in headless Chromium (Playwright,
/usr/bin/chromium as the browser tests use it; the page saved to a file, its static files
read from src/openpo/static) as a phone (390 px) and a desktop (1280 px), and times the
load until the page has painted: what the seller waits for after the server answers.

    .venv/bin/python bench/intake_preview.py               # 5,000 messages, 3 runs, 1 import
    .venv/bin/python bench/intake_preview.py -m 1000 -r 5  # a smaller chat
    .venv/bin/python bench/intake_preview.py --imports 0   # the preview only
    .venv/bin/python bench/intake_preview.py --file        # upload it as the exported .txt
    .venv/bin/python bench/intake_preview.py --profile     # cProfile of one paste, top 25
    .venv/bin/python bench/intake_preview.py --browser     # and the page's load in Chromium
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import re
import statistics
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET_SECONDS = 2.0
CHROMIUM = Path("/usr/bin/chromium")
SCREENS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


class FormFields(HTMLParser):
    """The fields a browser posts for the form with the given id: its inputs (a checkbox only
    when checked, no buttons), textareas and selects, in page order, as (name, value)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.buttons: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                self.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind != "file":
                self.fields.append((name, a.get("value", "")))
        elif tag == "button" and name:
            self.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._option = name, None
        elif tag == "option" and self._select and ("selected" in a or self._option is None):
            self._option = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the newline right after <textarea>, and posts lines with CRLF.
            text = text[1:] if text.startswith("\n") else text
            self.fields.append((self._textarea, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select, self._option or ""))
            self._select = None


def browser_post(html: str, button: str) -> list[tuple[str, str]]:
    """The preview form as a browser posts it when `button` ("check", "import") is pressed."""
    parser = FormFields("intake-preview")
    parser.feed(html)
    pressed = [(n, v) for n, v in parser.buttons if v == button]
    assert pressed, f"no {button!r} button on the page"
    return [*parser.fields, pressed[0]]


def states(html: str) -> dict[str, int]:
    """Orders shown by state (data-state of each order)."""
    counts: dict[str, int] = {}
    for state in re.findall(r'<article class="intake-order[^"]*"[^>]*data-state="(\w+)"', html):
        counts[state] = counts.get(state, 0) + 1
    return counts


def _setup_django(data_dir: str) -> None:
    os.environ.update(
        OPENPO_DATA_DIR=data_dir,
        OPENPO_CACHE_URL="locmem://",
        OPENPO_DEBUG="0",
        OPENPO_HTTPS="0",
        OPENPO_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="openpo.settings",
    )
    os.environ.pop("OPENPO_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # No collectstatic: static files from the apps, unhashed (as the tests do).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)


def _world():
    """A shop, its owner and a function making an open PO that sells the bench's PRODUCTS."""
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.utils import timezone
    from parse_orders import PRODUCTS

    from openpo.catalog.services import (
        add_product,
        add_variant,
        create_campaign,
        create_shop,
        publish_campaign,
    )

    owner = User.objects.create_user("bench-seller")
    shop = create_shop(
        name="Toko Kaos Nusantara",
        slug="toko-kaos-nusantara",
        owner=owner,
        whatsapp_number="0812-2047-1987",
    )
    made = []

    def campaign():
        now = timezone.now()
        po = create_campaign(
            shop=shop,
            title=f"PO Batch {len(made) + 1}",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
            shipping_fee=15_000,
        )
        for spec in PRODUCTS:
            product = add_product(campaign=po, name=spec["name"])
            for variant in spec["variants"]:
                add_variant(
                    product=product,
                    price=variant["price"],
                    options=variant.get("options") or {},
                    sku=variant["sku"],
                )
        made.append(po)
        return publish_campaign(campaign=po, now=now)

    return owner, campaign


def _timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def browser_load(html: str, folder: str, runs: int) -> None:
    """Time the page's load in headless Chromium, as a phone and as a desktop."""
    from playwright.sync_api import sync_playwright

    static = (ROOT / "src" / "openpo" / "static").as_uri()
    page_file = Path(folder) / "preview.html"
    page_file.write_text(html.replace('"/static/', f'"{static}/'), encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM) if CHROMIUM.exists() else None,
            args=["--no-sandbox", "--disable-gpu"],
        )
        for screen, options in SCREENS.items():
            context = browser.new_context(**options)
            page = context.new_page()
            seconds = []
            for _run in range(runs):
                started = time.perf_counter()
                page.goto(page_file.as_uri(), wait_until="load")
                page.evaluate(
                    "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
                )
                seconds.append(time.perf_counter() - started)
            controls = page.evaluate("() => document.querySelectorAll('input, textarea').length")
            tall = page.evaluate("() => document.documentElement.scrollHeight")
            print(
                f"browser, {screen}: loaded and painted in "
                f"{', '.join(f'{s:.2f}' for s in seconds)} s (median "
                f"{statistics.median(seconds):.2f} s); {controls:,} inputs, {tall:,} px tall"
            )
            context.close()
        browser.close()


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", "-m", type=int, default=5000, help="messages to generate")
    parser.add_argument("--runs", "-r", type=int, default=3, help="runs of (a) and (b)")
    parser.add_argument("--imports", "-i", type=int, default=1, help="runs of (c), 0: none")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--file", action="store_true", help="upload the chat as a .txt export")
    parser.add_argument("--profile", action="store_true", help="cProfile one paste (a)")
    parser.add_argument("--browser", action="store_true", help="time the page in Chromium")
    args = parser.parse_args()

    sys.path.insert(0, str(BENCH))
    from parse_orders import generate_chat

    with tempfile.TemporaryDirectory(prefix="openpo-intake-bench-") as data_dir:
        _setup_django(data_dir)
        from django.conf import settings
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import Client

        from openpo.dashboard.intake.forms import MAX_ORDERS

        owner, new_campaign = _world()
        client = Client()
        client.force_login(owner)
        text, messages, written = generate_chat(args.messages, seed=args.seed)
        print(
            f"# intake_preview — {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.2f}; MAX_ORDERS {MAX_ORDERS}, "
            f"DATA_UPLOAD_MAX_NUMBER_FIELDS {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}, "
            f"DATA_UPLOAD_MAX_MEMORY_SIZE {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"
        )
        print(
            f"chat: {messages} messages, {_kib(len(text.encode()))}, {written} orders written "
            f"into it; {'uploaded as a .txt export' if args.file else 'pasted in the text box'}"
        )

        def paste(po):
            url = f"/dashboard/po/{po.pk}/intake/"
            if args.file:
                upload = SimpleUploadedFile("Chat WhatsApp.txt", text.encode(), "text/plain")
                return client.post(url, {"chat_file": upload})
            return client.post(url, {"text": text})

        def post_back(po, fields):
            body = urlencode(fields)
            return client.post(
                f"/dashboard/po/{po.pk}/intake/check/",
                body,
                content_type="application/x-www-form-urlencoded",
            )

        po = new_campaign()
        paste(po)  # warm: templates compiled, translations and the parser's caches loaded
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            paste(po)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)

        # (a) the paste → the preview
        seconds = []
        for run in range(1, args.runs + 1):
            response, took = _timed(lambda: paste(po))
            seconds.append(took)
            html = response.content.decode()
            shown = states(html)
            by_state = ", ".join(f"{state} {count}" for state, count in sorted(shown.items()))
            print(
                f"(a) paste run {run}: {took:.3f} s, status {response.status_code}, "
                f"{sum(shown.values())} orders shown ({by_state}), "
                f"page {_kib(len(response.content))}"
            )
        paste_median = statistics.median(seconds)
        fields = browser_post(html, "check")
        body = urlencode(fields)
        print(
            f"    the preview posts {len(fields):,} fields, {_kib(len(body))} "
            f"(limits: {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields, "
            f"{_kib(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)})"
        )

        # (b) "Check again"
        check_seconds = []
        for run in range(1, args.runs + 1):
            response, took = _timed(lambda: post_back(po, fields))
            check_seconds.append(took)
            shown = states(response.content.decode())
            print(
                f"(b) check again run {run}: {took:.3f} s, status {response.status_code}, "
                f"{sum(shown.values())} orders shown, page {_kib(len(response.content))}"
            )

        # (c) "Import ticked orders", each run on a fresh PO
        import_seconds = []
        from openpo.orders.models import Order

        for run in range(1, args.imports + 1):
            fresh = new_campaign()
            preview = paste(fresh)
            shown_html = preview.content.decode()
            ticked = shown_html.count('data-state="ready"') + shown_html.count(
                'data-state="warning"'
            )
            data = browser_post(shown_html, "import")
            response, took = _timed(lambda data=data, fresh=fresh: post_back(fresh, data))
            import_seconds.append(took)
            placed = Order.objects.filter(campaign=fresh).count()
            summary = re.search(r'id="intake-summary"[^>]*>([^<]*)<', response.content.decode())
            print(
                f"(c) import run {run}: {took:.3f} s for {placed} orders placed "
                f"({ticked} ticked; {took / max(placed, 1) * 1000:.0f} ms each), "
                f"status {response.status_code}, result page {_kib(len(response.content))}; "
                f"“{summary.group(1) if summary else '?'}”"
            )

        if args.browser:
            browser_load(html, data_dir, args.runs)

        verdict = "met" if paste_median < TARGET_SECONDS else "NOT met"
        print(
            f"median: (a) paste → preview {paste_median:.3f} s, (b) check again "
            f"{statistics.median(check_seconds):.3f} s"
            + (f", (c) import {statistics.median(import_seconds):.1f} s" if import_seconds else "")
            + f"; target (a) under {TARGET_SECONDS:.0f} s: {verdict}"
        )


if __name__ == "__main__":
    main()
