"""The shop's and a PO's insights pages in Chromium, on a phone and a laptop: every chart
drew (a canvas with a size), the browser refused nothing under the Content-Security-Policy and
logged no error, and the page fits the screen. Screenshots go to var/test-artifacts/e2e/."""

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_csp import demo, log_in_as_demo, watched  # noqa: F401  (fixtures)
from tests.e2e.test_seller_journey import MENU_ITEMS_OUT_OF_REACH, SHOP_MENU_ROWS, fits_the_screen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CANVAS_SIZES = """() => Array.from(document.querySelectorAll('canvas[data-chart]'),
  c => [c.getAttribute('data-chart'), c.width, c.height])"""


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_shop_insights_draw_their_charts(watched, demo, screenshot, screen):  # noqa: F811
    page = watched(**(PHONE if screen == "phone" else DESKTOP))
    # The shop's first look counts its tallies (two years of demo history); on a loaded CI
    # machine with PostgreSQL a page once took over the default 10 s.
    page.set_default_navigation_timeout(30_000)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in_as_demo(page)

    page.goto("/dashboard/insights/")
    page.locator("#insights-orders").wait_for()
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => c.width > 0)"
    )

    sizes = page.evaluate(CANVAS_SIZES)
    assert {key for key, _w, _h in sizes} == {"weekday", "hour", "months", "monthdays"}
    assert all(width > 0 and height > 0 for _key, width, height in sizes), sizes
    assert fits_the_screen(page)
    assert page.evaluate(SHOP_MENU_ROWS) <= 2, "the shop menu takes more than two rows"
    screenshot(page, screen)

    page.goto(f"/dashboard/po/{demo.pk}/insights/")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => c.width > 0)"
    )
    sizes = page.evaluate(CANVAS_SIZES)
    assert "days" in {key for key, _w, _h in sizes}
    assert all(width > 0 and height > 0 for _key, width, height in sizes), sizes
    assert fits_the_screen(page)
    assert page.evaluate(MENU_ITEMS_OUT_OF_REACH) == []
    assert errors == []
    screenshot(page, f"{screen}-po")
