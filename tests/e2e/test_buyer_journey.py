"""A buyer on a phone, in a real browser: from the PO page through the order form (HTMX, live
total) to the order page with the exact amount and the QRIS, and the proof upload. Also what
a buyer sees when a PO is sold out or closed, and the two pages on a desktop screen.

Screenshots of each step land in var/test-artifacts/e2e/.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from openpo.catalog.models import Campaign
from openpo.catalog.services import add_product_photo, close_campaign
from openpo.core.money import format_rupiah
from openpo.orders.models import Order
from openpo.orders.services import place_order
from openpo.payments.models import PaymentProof
from tests.conftest import make_campaign
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUYER = {
    "name": "Sari Wulandari",
    "phone": "0813 2222 3333",
    "province": "Jawa Barat",
    "city": "Bandung",
    "address": "Jl. Melati No. 5, RT 02/RW 03, Coblong",
    "postal_code": "40115",
}


def indonesian(english: str) -> str:
    """The Indonesian catalog's text for `english`; fails while it has none."""
    with translation.override("id"):
        text = gettext(english)
    assert text != english, f"no Indonesian translation yet for {english!r}"
    return text


@pytest.fixture
def demo_campaign() -> Campaign:
    """The demo shop's open PO (two products, per-size quotas, a QRIS, photos)."""
    call_command("demo", stdout=io.StringIO())
    return Campaign.objects.get(shop__slug="demo", status="open")


def two_variants_in_stock(campaign: Campaign) -> list:
    """Two variants with more than one unit left, of different products where possible."""
    in_stock = [
        v
        for v in campaign.variants.select_related("product").order_by("product__position", "pk")
        if v.units_left is None or v.units_left > 1
    ]
    first = in_stock[0]
    second = next((v for v in in_stock if v.product_id != first.product_id), in_stock[1])
    return [first, second]


def fill_buyer(page) -> None:
    form = page.locator("#order-form")
    form.locator("#id_name").fill(BUYER["name"])
    form.locator("#id_phone").fill(BUYER["phone"])
    form.locator("#id_province").select_option(BUYER["province"])
    form.locator("#id_city").fill(BUYER["city"])
    form.locator("#id_address").fill(BUYER["address"])
    form.locator("#id_postal_code").fill(BUYER["postal_code"])


def fits_the_screen(page) -> bool:
    """No sideways scrolling: nothing is wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def proof_png(tmp_path):
    path = tmp_path / "bukti-transfer.png"
    Image.new("RGB", (320, 480), (32, 120, 200)).save(path)
    return path


def test_it_takes_a_buyer_from_the_po_page_to_a_paid_proof(
    page, demo_campaign, screenshot, tmp_path
):
    first, second = two_variants_in_stock(demo_campaign)
    quantities = {first: 2, second: 1}
    page.goto(f"/demo/{demo_campaign.slug}/")
    screenshot(page, "1-campaign")
    assert page.locator("h1").inner_text() == demo_campaign.title
    assert fits_the_screen(page)

    for variant, quantity in quantities.items():
        page.locator(f"#id_qty_{variant.pk}").fill(str(quantity))
    fill_buyer(page)
    page.locator("#id_terms").check()
    subtotal = sum(v.price * q for v, q in quantities.items())
    live_total = page.locator("[data-live-total]")
    assert live_total.inner_text() == format_rupiah(subtotal + demo_campaign.shipping_fee)
    screenshot(page, "2-form-filled")

    page.locator("#order-form button[type=submit]").click()
    page.wait_for_url("**/o/*/")
    order = Order.objects.get(campaign=demo_campaign, buyer_name=BUYER["name"])
    assert page.url.endswith(f"/o/{order.secret}/")
    assert {line.variant_id: line.quantity for line in order.lines.all()} == {
        v.pk: q for v, q in quantities.items()
    }
    assert order.total == subtotal + demo_campaign.shipping_fee
    expected = order.open_expected_payment
    amount = page.locator(".pay .amount")
    assert amount.is_visible()
    assert amount.inner_text() == format_rupiah(expected.amount)
    assert page.locator(".qris svg").is_visible()
    assert fits_the_screen(page)
    screenshot(page, "3-order-page")

    page.locator("form.proof input[type=file]").set_input_files(proof_png(tmp_path))
    with page.expect_navigation() as sent:
        page.locator("form.proof button[type=submit]").click()
    assert sent.value.status == 200, f"the proof upload answered {page.title()!r}"
    assert page.url.endswith(f"/o/{order.secret}/#payment")
    message = page.locator(".message-success")
    assert message.inner_text() == indonesian(
        "Thank you! The seller will check your proof of transfer."
    )
    proof = PaymentProof.objects.get(order=order)
    assert (proof.expected_payment, proof.content_type) == (expected, "image/png")
    screenshot(page, "4-proof-sent")


def test_it_speaks_indonesian_on_the_po_page(page, campaign, screenshot):
    page.goto(f"/{campaign.shop.slug}/{campaign.slug}/")
    screenshot(page, "campaign")

    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("#order-form button[type=submit]").inner_text() == "Pesan sekarang"
    assert "sisa" in page.locator(".qty-row").first.inner_text()


def test_it_shows_the_first_photo_whole_on_a_phone(page, campaign, screenshot):
    product = campaign.products.get()
    for colour in [(200, 80, 120), (220, 200, 140)]:
        image = io.BytesIO()
        Image.new("RGB", (600, 600), colour).save(image, format="PNG")
        add_product_photo(product=product, image=ContentFile(image.getvalue(), name="foto.png"))

    page.goto(f"/{campaign.shop.slug}/{campaign.slug}/")
    screenshot(page, "photos")

    first = page.locator(".photos img").first.bounding_box()
    viewport = page.viewport_size
    assert first["x"] >= 0 and first["x"] + first["width"] <= viewport["width"], (
        f"the first photo spans x={first['x']}..{first['x'] + first['width']} "
        f"on a {viewport['width']} px wide screen"
    )


def test_it_keeps_the_buyer_on_the_form_until_the_terms_are_accepted(page, campaign, screenshot):
    variant = campaign.variants.order_by("position").first()
    page.goto(f"/{campaign.shop.slug}/{campaign.slug}/")
    page.evaluate("window.stillThisPage = true")  # gone if the browser navigates
    page.locator(f"#id_qty_{variant.pk}").fill("2")
    fill_buyer(page)

    with page.expect_response(lambda r: r.url.endswith("/order/")) as answer:
        page.locator("#order-form button[type=submit]").click()
    error = page.locator("#order-form .checkbox .error")
    error.wait_for()
    screenshot(page, "terms-error")

    assert answer.value.status == 422
    assert answer.value.request.headers.get("hx-request") == "true"
    assert page.evaluate("window.stillThisPage") is True
    assert page.url.endswith(f"/{campaign.slug}/")
    assert error.inner_text() == "Mohon baca dan setujui ketentuan PO."
    # What the buyer typed survives the swap, and so does the live total.
    assert page.locator(f"#id_qty_{variant.pk}").input_value() == "2"
    assert page.locator("#id_city").input_value() == BUYER["city"]
    expected_total = 2 * variant.price + campaign.shipping_fee
    assert page.locator("[data-live-total]").inner_text() == format_rupiah(expected_total)
    assert not Order.objects.exists()


def in_view(page, locator) -> bool:
    """The element is wholly inside the window, where the buyer is looking."""
    box = locator.bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_it_brings_a_buyer_at_the_button_to_the_first_missing_field(
    new_page, campaign, screenshot, javascript
):
    """A phone at the button of a long form: the answer must not leave the buyer there with
    every message far above (issue 12). With JavaScript the form is swapped by HTMX and
    site.js scrolls; without, the browser scrolls to the field the server marked autofocus."""
    page = new_page(**PHONE, java_script_enabled=javascript)
    variant = campaign.variants.order_by("position").first()
    page.goto(f"/{campaign.shop.slug}/{campaign.slug}/")
    page.locator(f"#id_qty_{variant.pk}").fill("1")
    fill_buyer(page)
    page.locator("#id_city").fill("")
    page.locator("#id_postal_code").fill("")
    page.locator("#id_terms").check()
    button = page.locator("#order-form button[type=submit]")
    button.scroll_into_view_if_needed()

    with page.expect_response(lambda r: r.url.endswith("/order/")) as answer:
        button.click()
    city = page.locator("#id_city[aria-invalid=true]")
    city.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_city'")
    screenshot(page, "first-error")

    assert answer.value.status == 422
    assert in_view(page, city), "the first missing field is off the screen"
    assert in_view(page, page.locator("#id_city-error"))
    # Near the button too, each problem a link to its field.
    summary = page.locator("#order-form .error-summary")
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_city",
        "#id_postal_code",
    ]
    assert page.locator("#order-form .error-summary + button[type=submit]").count() == 1
    assert not Order.objects.exists()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_it_shows_a_refusal_of_the_shop_where_the_buyer_is(
    new_page, campaign, screenshot, javascript
):
    """More than is left is refused by place_order, not the form: the message lands in the
    summary right above the button, which takes the focus."""
    page = new_page(**PHONE, java_script_enabled=javascript)
    variant = campaign.variants.order_by("position").first()  # quota 20
    page.goto(f"/{campaign.shop.slug}/{campaign.slug}/")
    page.locator(f"#id_qty_{variant.pk}").fill("21")
    fill_buyer(page)
    page.locator("#id_terms").check()

    with page.expect_response(lambda r: r.url.endswith("/order/")) as answer:
        page.locator("#order-form button[type=submit]").click()
    summary = page.locator("#order-form .error-summary")
    summary.wait_for()
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    screenshot(page, "refusal")

    assert answer.value.status == 409
    assert "20" in summary.inner_text()
    assert in_view(page, summary)
    assert in_view(page, page.locator("#order-form button[type=submit]"))
    assert not Order.objects.exists()


def test_it_shows_a_sold_out_po_without_an_order_button(page, shop, now, buyer, screenshot):
    campaign = make_campaign(shop, now=now, quotas=(2,), title="PO Topi Rajut")
    variant = campaign.variants.get()
    place_order(campaign=campaign, buyer=buyer, items={variant.pk: 2}, terms_accepted=True)

    page.goto(f"/{shop.slug}/{campaign.slug}/")
    screenshot(page, "sold-out")

    order_card = page.locator("#order")
    assert "Habis terjual" in page.locator(".campaign-head .state").inner_text()
    assert "Semua slot" in order_card.inner_text()
    assert page.locator("#order-form").count() == 0
    assert page.locator("button[type=submit]", has_text="Pesan").count() == 0


def test_it_shows_a_closed_po_without_an_order_button(page, shop, now, screenshot):
    campaign = make_campaign(shop, now=now, title="PO Kaos Juli")
    close_campaign(campaign=campaign, now=now)

    page.goto(f"/{shop.slug}/{campaign.slug}/")
    screenshot(page, "closed")

    assert page.locator(".campaign-head .state").inner_text() == indonesian("This PO is closed")
    assert page.locator("#order h2").inner_text() == indonesian("Orders are closed")
    assert page.locator("#order-form").count() == 0


def test_it_lays_out_the_po_and_order_pages_on_a_desktop(
    new_page, demo_campaign, buyer, screenshot
):
    first, second = two_variants_in_stock(demo_campaign)
    order = place_order(
        campaign=demo_campaign,
        buyer=buyer,
        items={first.pk: 1, second.pk: 1},
        terms_accepted=True,
    )
    page = new_page(**DESKTOP)

    page.goto(f"/demo/{demo_campaign.slug}/")
    screenshot(page, "campaign")
    assert fits_the_screen(page)

    page.goto(f"/o/{order.secret}/")
    screenshot(page, "order-page")
    assert fits_the_screen(page)
    assert page.locator(".pay .amount").inner_text() == format_rupiah(
        order.open_expected_payment.amount
    )
    assert page.locator(".qris svg").is_visible()


def test_an_open_po_page_keeps_its_slots_left_fresh_and_shows_the_sell_out(
    page, shop, now, buyer, screenshot
):
    from playwright.sync_api import expect

    campaign = make_campaign(shop, now=now, quotas=(3,), title="PO Gantungan Kunci")
    variant = campaign.variants.get()
    page.goto(f"/{shop.slug}/{campaign.slug}/")
    slots = page.locator("[data-live=slots]")
    expect(slots).to_have_text("Sisa 3 slot")

    place_order(campaign=campaign, buyer=buyer, items={variant.pk: 1}, terms_accepted=True)
    expect(slots).to_have_text("Sisa 2 slot", timeout=8000)  # polled every 5 s
    expect(page.locator("[data-live=ordered]")).to_have_text("1 pcs sudah dipesan")
    for beside_variant in page.locator(f'[data-live-variant="{variant.pk}"]').all():
        expect(beside_variant).to_have_text("sisa 2")  # the product list and the form
    screenshot(page, "slots-left-live")

    other = buyer.__class__(**{**buyer.__dict__, "phone": "0813 4444 5555"})
    place_order(campaign=campaign, buyer=other, items={variant.pk: 2}, terms_accepted=True)
    # Sold out: the page loads itself again and shows it, without an order button.
    expect(page.locator(".campaign-head .state")).to_have_text("Habis terjual", timeout=8000)
    assert page.locator("#order-form").count() == 0
