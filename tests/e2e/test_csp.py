"""The Content-Security-Policy in headless Chromium: on the buyer's pages and every main
dashboard page the browser refuses nothing (no `securitypolicyviolation` event, no console
error about the policy), and the pages' interactive bits still work under it: the order
form's live total and its HTMX swap, the dashboard's live counters, the orders table's "select
all", the share page's copy button, the payments queue's first Confirm in focus and the
recap's print button. The header itself is checked in tests/core/test_csp.py.
"""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from openpo.catalog.models import Campaign
from openpo.core.money import format_rupiah
from openpo.orders.models import Order
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_buyer_journey import fill_buyer, two_variants_in_stock
from tests.e2e.test_seller_journey import MAIN_PAGES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any page script, in every document of the context (not subject to the page's
# policy: Playwright injects it), and reports each refusal to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportCspViolation([event.violatedDirective, event.blockedURI,
    event.sourceFile + ":" + event.lineNumber, event.sample].join(" "));
}, true);
"""


class Refusals(list):
    """What the browser refused on the page, as `url: directive blocked source sample`."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list = []

    def watch(self, page) -> None:
        self.pages.append(page)
        page.context.expose_binding(
            "reportCspViolation", lambda _source, text: self.append(f"{page.url}: {text}")
        )
        page.context.add_init_script(REPORT_VIOLATIONS)
        page.on("console", lambda message: self._console(page, message))

    def _console(self, page, message) -> None:
        # Chromium also logs each refusal on the console: a second witness, for a document
        # the init script did not reach.
        if "Content Security Policy" in message.text:
            self.append(f"{page.url}: console: {message.text}")


@pytest.fixture
def demo() -> Campaign:
    call_command("demo", stdout=io.StringIO())
    return Campaign.objects.get(shop__slug="demo", status="open")


@pytest.fixture
def watched(new_page):
    """`watched(**context_options)`: a page whose refusals the test asserts empty at the end."""
    refusals = Refusals()

    def open_page(**options):
        page = new_page(**options)
        refusals.watch(page)
        return page

    yield open_page
    for page in refusals.pages:
        page.evaluate("0")  # a round trip, so the last page's reports have arrived
    assert refusals == [], "refused by the Content-Security-Policy:\n" + "\n".join(refusals)


def log_in_as_demo(page) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "demo")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/dashboard/")


def test_the_buyer_orders_under_the_policy(watched, demo):
    page = watched(**PHONE)
    first, second = two_variants_in_stock(demo)
    page.goto(f"/demo/{demo.slug}/")

    # The live total (site.js) follows the quantities.
    page.locator(f"#id_qty_{first.pk}").fill("2")
    page.locator(f"#id_qty_{second.pk}").fill("1")
    total = 2 * first.price + second.price + demo.shipping_fee
    assert page.locator("[data-live-total]").inner_text() == format_rupiah(total)

    # Without the terms ticked, HTMX swaps the form with its error in; the total survives.
    fill_buyer(page)
    with page.expect_response(lambda r: r.url.endswith("/order/")) as answer:
        page.locator("#order-form button[type=submit]").click()
    page.locator("#order-form .checkbox .error").wait_for()
    assert answer.value.status == 422
    assert page.locator("[data-live-total]").inner_text() == format_rupiah(total)

    page.locator("#id_terms").check()
    page.locator("#order-form button[type=submit]").click()
    page.wait_for_url("**/o/*/")
    assert page.locator(".qris svg").is_visible()


def test_every_main_dashboard_page_loads_under_the_policy(watched, demo):
    order = demo.orders.filter(status=Order.Status.ACTIVE).first()
    page = watched(**DESKTOP)
    log_in_as_demo(page)
    for name, url in MAIN_PAGES.items():
        response = page.goto(url.format(campaign=demo.pk, order=order.pk, secret=order.secret))
        assert response.status == 200, name
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"], name
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info").wait_for()  # Swagger UI rendered from our static files

    # The live counters (HTMX, every 30 s): the same swap, asked for now.
    page.goto(f"/dashboard/po/{demo.pk}/")
    with page.expect_response(lambda r: r.url.endswith("/live/")):
        page.evaluate(
            "htmx.ajax('GET', document.querySelector('#po-live').getAttribute('hx-get'),"
            " {target: '#po-live', swap: 'outerHTML'})"
        )
    page.locator("#po-live .progress rect").first.wait_for(state="attached")
    share = page.locator("#po-live #money .progress rect").evaluate(
        "rect => rect.getBoundingClientRect().width"
        " / rect.ownerSVGElement.getBoundingClientRect().width"
    )
    assert 0 < share <= 1  # the payments bar is drawn, as wide as its share


def test_the_dashboard_scripts_still_work_under_the_policy(watched, demo, live_server):
    page = watched(**DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in_as_demo(page)

    # Orders table: "select all on this page" ticks every row (dashboard_orders.js).
    page.goto(f"/dashboard/po/{demo.pk}/orders/")
    page.locator("[data-select-all]").check()
    rows = page.locator("input[name=ids]")
    assert rows.count() > 1
    assert all(rows.nth(i).is_checked() for i in range(rows.count()))

    # Share page: the copy button puts the link on the clipboard and says so
    # (dashboard_copy.js); "Share image" stays hidden where files cannot be shared.
    page.goto(f"/dashboard/po/{demo.pk}/share/")
    copy = page.locator("[data-copy=share-url]")
    copy.click()
    expect(copy).to_have_text("Tersalin!")  # the clipboard answers asynchronously
    link = page.locator("#share-url").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.locator("[data-share-image]").first.is_hidden()

    # Payments queue: the first Confirm has the focus (site.js, was an inline script).
    page.goto("/dashboard/payments/")
    assert page.locator("[data-autofocus]").count() == 1
    assert page.evaluate("document.activeElement.matches('[data-autofocus]')")

    # Recap: the Print button prints (site.js, was onclick="window.print()").
    page.goto(f"/dashboard/po/{demo.pk}/recap/")
    page.evaluate("window.print = function () { window.printed = true; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.printed") is True


def test_the_rate_limited_answer_replaces_the_page_under_the_policy(watched, campaign, settings):
    # HTMX does not swap a 429; site.js writes the whole answer page over the form's page.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "order": (1, 60)}
    page = watched(**PHONE)
    page.goto(f"/{campaign.shop.slug}/{campaign.slug}/")
    variant = campaign.variants.order_by("position").first()
    page.locator(f"#id_qty_{variant.pk}").fill("1")
    fill_buyer(page)
    for status in (422, 429):  # no terms ticked: refused, then past the limit
        with page.expect_response(lambda r: r.url.endswith("/order/")) as answer:
            page.locator("#order-form button[type=submit]").click()
        assert answer.value.status == status
    page.locator("h1", has_text="Terlalu banyak percobaan").wait_for()
