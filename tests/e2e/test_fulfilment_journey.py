"""After the PO closes (issue 14), in a real browser on a phone and on a desktop: the seller
posts a production update with a photo and sends it to the buyers, starts shipping, imports the
resi of three orders from a CSV (preview, then apply), and prints the 100×150 mm thermal labels;
each buyer's order page then shows the update with its photo, the courier, the resi and the
courier's tracking link. The browser refuses nothing under the Content-Security-Policy.

The print preview is checked twice: a screenshot of the page under print media, and the PDF
Chromium prints with the page's own CSS page size: one 100×150 mm page per label.
Screenshots and the PDF land in var/test-artifacts/e2e/.
"""

import re

import pytest
from django.urls import reverse

from openpo.catalog.services.lifecycle import close_campaign, start_production
from openpo.fulfillment.couriers import courier_label, tracking_url
from openpo.fulfillment.models import ProductionUpdate, Shipment
from openpo.orders.models import Order
from tests import factories
from tests.conftest import make_campaign
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.e2e.test_csp import Refusals

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UPDATE_TEXT = "Bahan kaos sudah datang, mulai dipotong besok."
# (what the seller types in the courier column, the courier's key, a resi of its shape)
PARCELS = [
    ("jne", "jne", "CGK1234567890123"),
    ("J&T", "jnt", "JP1234567890"),
    ("sicepat", "sicepat", "004512345678"),
]
# 100×150 mm in PostScript points (72 per inch).
LABEL_POINTS = (100 / 25.4 * 72, 150 / 25.4 * 72)
POINTS_TOLERANCE = 2
IMAGE_LOADED = "img => img.complete && img.naturalWidth > 0"


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The width and height (points) of each page of a PDF Chromium printed: its page objects
    are plain dictionaries (`/Type /Page … /MediaBox [0 0 w h]`), not compressed."""
    text = pdf.decode("latin-1")
    pages = re.findall(r"/Type\s*/Page(?![a-zA-Z])", text)
    boxes = [
        (float(x1) - float(x0), float(y1) - float(y0))
        for x0, y0, x1, y1 in re.findall(
            r"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", text
        )
    ]
    assert len(boxes) == len(pages), "a page without its own MediaBox"
    return boxes


def log_in(page, username: str = "alice", password: str = "password") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/dashboard/")


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


@pytest.fixture
def producing(shop, now):
    """alice's PO, closed early and in production, with three paid orders of three buyers."""
    campaign = make_campaign(shop, now=now, quotas=(20, None))
    orders = [
        factories.paid_order(campaign, buyer=factories.buyer(n, address=f"Jl. Melati {n}"))
        for n in (1, 2, 3)
    ]
    campaign = close_campaign(campaign=campaign, now=now)
    campaign = start_production(campaign=campaign, now=now)
    return campaign, orders


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_seller_produces_ships_and_prints_and_buyers_follow(
    new_page, screenshot, producing, screen
):
    campaign, orders = producing
    viewport = PHONE if screen == "phone" else DESKTOP
    refusals = Refusals()
    page = new_page(**viewport)
    refusals.watch(page)
    log_in(page)

    # 1. The production page: the usual stages, then an update with a photo, sent to buyers.
    page.goto(reverse("dashboard:production", kwargs={"campaign_id": campaign.pk}))
    usual = page.locator(
        f"form[action='{reverse('dashboard:production_stage_defaults', args=[campaign.pk])}']"
    )
    if usual.count():
        submit(page, usual.locator("button[type=submit]"))
    assert page.locator("#stages li.stage").count() >= 5
    page.fill("#id_text", UPDATE_TEXT)
    photo = factories.png(320, 240, colour=(200, 90, 40))
    page.set_input_files(
        "#id_photos", {"name": "bahan.png", "mimeType": "image/png", "buffer": photo}
    )
    submit(page, page.locator("form.update-add button[type=submit]"))
    update = ProductionUpdate.objects.get(campaign=campaign)
    assert update.photos.count() == 1 and not update.sent_to_buyers
    item = page.locator(f"#update-{update.pk}")
    submit(page, item.locator("form[action$='/send/'] button[type=submit]"))
    update.refresh_from_db()
    assert update.sent_to_buyers
    item = page.locator(f"#update-{update.pk}")
    assert UPDATE_TEXT in item.inner_text()
    assert item.locator(".badge-completed").is_visible()  # "sent to buyers"
    image = item.locator("img")
    image.scroll_into_view_if_needed()
    assert image.evaluate(IMAGE_LOADED), "the production photo does not load"
    screenshot(page, "01-production")

    # 2. Shipping starts (the PO's status), from the shipping page's button.
    page.goto(reverse("dashboard:shipping", args=[campaign.pk]))
    start = page.locator("a[href$='?action=start_shipping']")
    if start.count():
        start.first.click()
        submit(page, page.locator("form[action$='/step/'] button[type=submit]"))
    campaign.refresh_from_db()
    assert campaign.status == "shipping"

    # 3. The resi of the three orders from a CSV: the preview first, then applied.
    page.goto(reverse("dashboard:resi_import"))
    lines = ["kode pesanan,kurir,resi"]
    lines += [
        f"{o.code},{typed},{resi}" for o, (typed, _key, resi) in zip(orders, PARCELS, strict=True)
    ]
    page.set_input_files(
        "#id_file",
        {
            "name": "resi.csv",
            "mimeType": "text/csv",
            "buffer": ("\n".join(lines) + "\n").encode(),
        },
    )
    submit(page, page.locator("#resi-upload button[type=submit]"))
    preview = page.locator("#resi-preview")
    assert preview.locator("#resi-errors").count() == 0, preview.inner_text()
    assert preview.locator("#resi-warnings").count() == 0, preview.inner_text()
    assert preview.locator("tbody tr.resi-ship").count() == 3
    assert Shipment.objects.filter(shop=campaign.shop).count() == 0  # a dry run
    screenshot(page, "02-resi-preview")
    submit(page, page.locator("#resi-apply button[type=submit]"))
    assert "3 pesanan dikirim dalam 3 paket" in page.locator(".messages").inner_text()
    for order, (_typed, key, resi) in zip(orders, PARCELS, strict=True):
        shipment = Shipment.objects.get(orders=order)
        assert (shipment.courier, shipment.tracking_number) == (key, resi)
        assert Order.objects.get(pk=order.pk).fulfillment_status == "shipped"
    screenshot(page, "03-resi-applied")

    # 4. The thermal labels of the three orders, as printed: one 100×150 mm page each.
    query = "&".join(f"order={o.pk}" for o in orders)
    page.goto(f"{reverse('dashboard:print_labels', args=[campaign.pk])}?size=thermal&{query}")
    labels = page.locator("article.label")
    assert labels.count() == 3
    for order, (_typed, _key, resi) in zip(orders, PARCELS, strict=True):
        label = page.locator(f"article.label[data-order='{order.code}']")
        assert resi in label.inner_text()
        assert label.locator("svg").count() == 1  # the order code's QR
    page.emulate_media(media="print")
    assert not page.locator(".print-bar").is_visible()
    screenshot(page, "04-labels-print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / f"fulfilment-labels-{screen}.pdf").write_bytes(pdf)
    pages = pdf_pages(pdf)
    assert len(pages) == 3, f"3 labels printed on {len(pages)} pages"
    for width, height in pages:
        assert abs(width - LABEL_POINTS[0]) <= POINTS_TOLERANCE, pages
        assert abs(height - LABEL_POINTS[1]) <= POINTS_TOLERANCE, pages
    page.emulate_media(media="screen")

    # 5. Each buyer's order page: the update and its photo, the courier, the resi, the link.
    buyer = new_page(**viewport)
    refusals.watch(buyer)
    for index, (order, (_typed, key, resi)) in enumerate(
        zip(orders, PARCELS, strict=True), start=1
    ):
        buyer.goto(f"/o/{order.secret}/")
        news = buyer.locator(f"#production #update-{update.pk}")
        assert UPDATE_TEXT in news.inner_text()
        photo_shown = news.locator("img")
        photo_shown.scroll_into_view_if_needed()
        assert photo_shown.evaluate(IMAGE_LOADED), "the buyer does not see the photo"
        parcel = buyer.locator(".order-shipping .parcel")
        assert parcel.count() == 1
        assert parcel.locator(".parcel-courier").inner_text().strip() == courier_label(key)
        assert parcel.locator(".parcel-resi").inner_text().strip() == resi
        expected = tracking_url(key, resi)
        link = parcel.locator("a.parcel-track")
        if expected:
            assert link.get_attribute("href") == expected
        else:
            assert link.count() == 0
        screenshot(buyer, f"05-buyer-{index}")

    for watched in (page, buyer):
        watched.evaluate("0")  # a round trip, so the last page's reports have arrived
    assert list(refusals) == [], "refused by the Content-Security-Policy:\n" + "\n".join(refusals)
