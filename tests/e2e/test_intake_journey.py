"""Orders from chats and forms, in a real browser on a phone and on a desktop: the seller logs
in, opens a PO's orders page, follows "Orders from chat" and pastes a chat with three orders (a
plain block copied from a DM, a WhatsApp export with one field per message, and an order
without a WhatsApp number). The preview ticks the two good orders and marks the third in red:
its problem right under its heading, its number field outlined, and a link to it at the top of
the page; each order's total counts the PO's shipping fee, and the empty email and notes wait
behind "More fields". The seller types the number, checks again, imports all three and gets,
for each, the amount to transfer and a WhatsApp reply link carrying that amount. The same chat
pasted and imported again makes no new order: the preview counts them as already in this PO,
and the result says so. Then, once on a desktop, the Google Forms door: a CSV with Indonesian
column titles, its guessed columns confirmed, the preview, the import.

The page speaks the language a seller without a language cookie gets (Bahasa Indonesia), and
whatever words the translation gives it: the test looks for each label, button and message
through the same catalogue (`gettext`), so it finds the English text before the Indonesian
translation exists and the Indonesian one after. Elements are found by their labels and roles,
not by the preview's CSS classes. Screenshots land in var/test-artifacts/e2e/: full pages (taken
with the window as tall as the page, so that every order card is drawn) and, for the order to
correct, what the phone's screen shows.
"""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from openpo.catalog.services import add_product, add_variant
from openpo.core.money import format_rupiah
from openpo.orders.models import Order
from tests.conftest import make_campaign
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.e2e.test_buyer_journey import fits_the_screen
from tests.e2e.test_csp import Refusals

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A browser without the language cookie gets the default language (core/language.py).
LANGUAGE = settings.LANGUAGE_CODE

# What a seller pastes: an order copied from an Instagram DM, then a WhatsApp export (Android
# format) where Budi sends one field per message and Sari forgets her number.
CHAT = """Nama: Rina Ayu
No WA: 0813-1111-2222
Alamat: Jl. Mawar 1, Depok 16411
Pesanan: Kaos Polos S 1, Tote Bag 1

12/08/25, 19:01 - Toko Alice: Halo kak, silakan isi format order ya 🙏
12/08/25, 19:03 - Budi: Nama: Budi Santoso
12/08/25, 19:03 - Budi: No. HP: 0812-3456-7890
12/08/25, 19:04 - Budi: Alamat: Jl. Melati No. 5, Bandung 40115
12/08/25, 19:04 - Budi: Pesanan: Kaos Polos M x2
12/08/25, 19:05 - Toko Alice: Siap kak, dicatat ya
12/08/25, 19:31 - Sari: Nama: Sari Dewi
12/08/25, 19:31 - Sari: Alamat: Jl. Kenanga 7, Bekasi 17111
12/08/25, 19:32 - Sari: Pesanan: Kaos Polos S 1
12/08/25, 19:40 - Toko Alice: Kak Sari, nomor WA-nya berapa ya?
"""
# (name, phone as E.164) in the order of the chat; Sari's number is typed in the preview.
BUYERS = [
    ("Rina Ayu", "+6281311112222"),
    ("Budi Santoso", "+6281234567890"),
    ("Sari Dewi", "+6285722223333"),
]
SARI_TYPED = "0857-2222-3333"

# A Google Forms download of an Indonesian form: its own column titles, day-first timestamps.
FORM_CSV = (
    "Cap waktu,Nama,No. WhatsApp,Alamat lengkap,Pesanan\n"
    '12/08/2025 19:03:11,Dewi Lestari,081298765432,"Jl. Anggrek 3, Bogor 16111",Kaos Polos M x1\n'
    '12/08/2025 20:10:45,Agus Salim,085611112222,"Jl. Cemara 8, Malang 65111",'
    '"Kaos Polos S 2, Tote Bag 1"\n'
)
FORM_COLUMNS = {
    "Cap waktu": "timestamp",
    "Nama": "name",
    "No. WhatsApp": "phone",
    "Alamat lengkap": "address",
    "Pesanan": "items",
}


def t(message: str, **values) -> str:
    """`message` as the page says it (the catalogue's translation, if any), filled in."""
    with translation.override(LANGUAGE):
        text = gettext(message)
    return text % values if values else text


def tn(singular: str, plural: str, count: int, **values) -> str:
    with translation.override(LANGUAGE):
        text = ngettext(singular, plural, count)
    return text % values


def log_in(page, username: str = "alice", password: str = "password") -> None:
    page.goto("/accounts/login/")
    page.get_by_label(t("Username"), exact=True).fill(username)
    page.get_by_label(t("Password"), exact=True).fill(password)
    submit(page, page.get_by_role("button", name=t("Log in"), exact=True))
    assert page.url.endswith("/dashboard/")


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def button(page, label: str):
    return page.get_by_role("button", name=t(label), exact=True)


def tick_box(page, number: int):
    """The "Import order #n" checkbox of the preview."""
    name = t("Import order #%(number)s", number=number)
    return page.get_by_role("checkbox", name=name, exact=True)


def order_box(page, number: int):
    """Everything the preview shows of order #n, whatever its markup: the outermost element
    around its checkbox that holds no other order's checkbox."""
    return (
        tick_box(page, number)
        .locator("xpath=ancestor::*[count(.//input[@type='checkbox']) = 1]")
        .first
    )


def phone_field(page, number: int):
    return order_box(page, number).get_by_label(t("Buyer's WhatsApp number"), exact=True)


def count_line(total: int, ready: int, errors: int, duplicates: int = 0) -> str:
    if duplicates:
        return tn(
            "%(total)s order read: %(ready)s ready to import, %(errors)s with problems, "
            "%(duplicates)s already in this PO.",
            "%(total)s orders read: %(ready)s ready to import, %(errors)s with problems, "
            "%(duplicates)s already in this PO.",
            total,
            total=total,
            ready=ready,
            errors=errors,
            duplicates=duplicates,
        )
    return tn(
        "%(total)s order read: %(ready)s ready to import, %(errors)s with problems.",
        "%(total)s orders read: %(ready)s ready to import, %(errors)s with problems.",
        total,
        total=total,
        ready=ready,
        errors=errors,
    )


def whole_page(page, screenshot, step: str) -> None:
    """A full-page screenshot with every order card drawn: the browser draws a card only near
    the window (content-visibility), so the window is made as tall as the page first."""
    size = page.viewport_size
    try:
        for _attempt in range(3):  # drawn, the cards take their own height: measure again
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": size["width"], "height": height})
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            if page.evaluate("document.documentElement.scrollHeight") == height:
                break
        screenshot(page, step)
    finally:
        page.set_viewport_size(size)


def top(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["y"]


def is_red(locator) -> bool:
    """The element's text is drawn in a red (the preview's colour for a problem)."""
    colour = locator.evaluate("element => getComputedStyle(element).color")
    red, green, blue = (int(n) for n in re.findall(r"\d+", colour)[:3])
    return red > green + 60 and red > blue + 60


def paste(page) -> None:
    page.get_by_label(
        t("Paste the buyers' chat: one order, several, or a WhatsApp chat export")
    ).fill(CHAT)


def read(page) -> None:
    submit(page, button(page, "Read the orders"))


@pytest.fixture
def po(shop, now):
    """alice's open PO: Kaos Polos S (20 slots) and M (unlimited), and a Tote Bag."""
    campaign = make_campaign(shop, now=now, quotas=(20, None))
    tote = add_product(campaign=campaign, name="Tote Bag")
    add_variant(product=tote, price=50_000)
    return campaign


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_seller_pastes_a_chat_checks_corrects_and_imports_it_once(
    new_page, screenshot, request, po, screen
):
    refusals = Refusals()
    page = new_page(**(PHONE if screen == "phone" else DESKTOP))
    refusals.watch(page)
    not_fitting = []

    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)  # as the screenshot fixture has it

    def in_view(step: str) -> Path:
        """A screenshot of the screen only (not the full page), beside the full-page ones."""
        return ARTIFACTS / f"{test_name}-{step}.png"

    def look(step: str) -> None:
        if not fits_the_screen(page):
            not_fitting.append(step)
        whole_page(page, screenshot, step)

    # 1. From the dashboard to the PO's orders, then "Orders from chat".
    log_in(page)
    page.get_by_role("link", name=po.title).first.click()
    page.wait_for_url(f"**{reverse('dashboard:campaign', args=[po.pk])}")
    tabs = page.get_by_role("navigation", name=t("PO menu"))
    tabs.get_by_role("link", name=t("Orders"), exact=True).click()
    page.wait_for_url(f"**{reverse('dashboard:orders', args=[po.pk])}")
    page.get_by_role("link", name=t("Orders from chat"), exact=True).click()
    page.wait_for_url(f"**{reverse('dashboard:intake_paste', args=[po.pk])}")

    # 2. The chat pasted and read: two orders ready and ticked, Sari's in red, unticked.
    paste(page)
    look("00-paste")
    read(page)
    expect(page.get_by_role("heading", name=t("Check the orders"))).to_be_visible()
    expect(page.get_by_text(count_line(3, 2, 1))).to_be_visible()
    for number, (name, _phone) in enumerate(BUYERS, start=1):
        box = order_box(page, number)
        expect(box.get_by_label(t("Name"), exact=True)).to_have_value(name)
    expect(tick_box(page, 1)).to_be_checked()
    expect(tick_box(page, 2)).to_be_checked()
    expect(tick_box(page, 3)).not_to_be_checked()
    expect(phone_field(page, 3)).to_have_value("")
    problem = order_box(page, 3).get_by_text(t("No WhatsApp number."), exact=True)
    expect(problem).to_be_visible()
    assert is_red(problem), "the order's problem is not shown in red"
    for number in (1, 2):
        expect(order_box(page, number).get_by_text(t("No WhatsApp number."))).to_have_count(0)
        expect(phone_field(page, number)).not_to_have_attribute("aria-invalid", "true")
    # The field the problem is about is marked, and the problem stands under the order's
    # heading, above its fields, not at the foot of its card.
    expect(phone_field(page, 3)).to_have_attribute("aria-invalid", "true")
    expect(order_box(page, 3).get_by_label(t("Name"), exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )
    name_field = order_box(page, 3).get_by_label(t("Name"), exact=True)
    assert top(tick_box(page, 3)) < top(problem) < top(name_field) <= top(phone_field(page, 3))
    # Each order's total is its items and the PO's shipping fee; the unique code comes later.
    rina = order_box(page, 1)
    expect(rina.get_by_text(format_rupiah(170_000 + po.shipping_fee), exact=True)).to_be_visible()
    hint = t("Plus a unique code of a few rupiah, added at import.")
    expect(rina.get_by_text(hint, exact=True)).to_be_visible()
    # The empty email and notes wait behind "More fields" (still in the form).
    email = rina.get_by_label(t("Email"), exact=True)
    expect(email).to_be_hidden()
    rina.get_by_text(t("More fields"), exact=True).click()
    expect(email).to_be_visible()
    expect(rina.get_by_label(t("Buyer's notes"), exact=True)).to_be_visible()
    if screen == "desktop":
        # The number's box level with the name's, however its label wraps.
        name_box = rina.get_by_label(t("Name"), exact=True).bounding_box()
        phone_box = phone_field(page, 1).bounding_box()
        assert abs(name_box["y"] - phone_box["y"]) < 1, (name_box, phone_box)
        assert abs(name_box["height"] - phone_box["height"]) < 1
    assert not Order.objects.exists()  # a preview saves nothing
    look("01-preview")
    # From the top of the page, a link to the order with a problem: what the seller sees then.
    link = t("Order #%(number)s: %(problem)s", number=3, problem=t("No WhatsApp number."))
    page.get_by_role("link", name=link, exact=True).click()
    expect(tick_box(page, 3)).to_be_in_viewport()
    expect(problem).to_be_in_viewport()
    expect(phone_field(page, 3)).to_be_in_viewport()
    page.screenshot(path=str(in_view("01b-preview-in-view")))

    # 3. Sari's number typed in, checked again: ready, and now ticked.
    phone_field(page, 3).fill(SARI_TYPED)
    submit(page, button(page, "Check again"))
    expect(page.get_by_text(count_line(3, 3, 0))).to_be_visible()
    expect(page.get_by_text(t("No WhatsApp number."))).to_have_count(0)
    for number in (1, 2, 3):
        expect(tick_box(page, number)).to_be_checked()
    expect(phone_field(page, 3)).to_have_value(SARI_TYPED)
    assert not Order.objects.exists()
    look("02-checked-again")

    # 4. Imported: each order with its amount to transfer and a WhatsApp reply carrying it.
    submit(page, button(page, "Import ticked orders"))
    expect(page.get_by_text(t("%(count)s imported", count=3), exact=True)).to_be_visible()
    orders = list(Order.objects.filter(campaign=po).order_by("id"))
    assert [(o.buyer_name, o.buyer_phone) for o in orders] == BUYERS
    assert {o.channel for o in orders} == {Order.Channel.WHATSAPP}
    replies = page.get_by_role("link", name=t("Reply on WhatsApp"))
    expect(replies).to_have_count(3)
    links = [unquote(replies.nth(i).get_attribute("href")) for i in range(3)]
    body = page.locator("body").inner_text()
    for order in orders:
        amount = order.open_expected_payment.amount  # with its unique code
        expect(page.get_by_role("link", name=order.code, exact=True)).to_be_visible()
        assert format_rupiah(amount) in body, f"{order.code}: no {format_rupiah(amount)} shown"
        to_buyer = f"https://wa.me/{order.buyer_phone[1:]}?"
        link = next((href for href in links if href.startswith(to_buyer)), None)
        assert link, f"{order.code}: no WhatsApp reply to {order.buyer_phone}"
        assert f"{amount:,}".replace(",", ".") in link, f"{order.code}: {link}"
    look("03-result")

    # 5. The same chat pasted again: Rina and Budi are recognised, unticked; Sari again lacks
    #    her number (the chat never had it): typed in, she is recognised too.
    page.get_by_role("link", name=t("Import more"), exact=True).click()
    page.wait_for_url(f"**{reverse('dashboard:intake_paste', args=[po.pk])}")
    paste(page)
    read(page)
    expect(page.get_by_text(count_line(3, 0, 1, duplicates=2))).to_be_visible()
    codes = {order.buyer_name: order.code for order in orders}
    for number, (name, _phone) in enumerate(BUYERS[:2], start=1):
        box = order_box(page, number)
        expect(box.get_by_role("link", name=codes[name], exact=True)).to_be_visible()
        expect(tick_box(page, number)).not_to_be_checked()
    expect(order_box(page, 3).get_by_text(t("No WhatsApp number."), exact=True)).to_be_visible()
    look("04-preview-again")
    phone_field(page, 3).fill(SARI_TYPED)
    submit(page, button(page, "Check again"))
    expect(page.get_by_text(count_line(3, 0, 0, duplicates=3))).to_be_visible()
    for number, (name, _phone) in enumerate(BUYERS, start=1):
        expect(order_box(page, number).get_by_role("link", name=codes[name])).to_be_visible()
        expect(tick_box(page, number)).not_to_be_checked()
        # An order already in the PO is a card like the others: its fields in plain type, its
        # number whole in its box.
        box = order_box(page, number)
        box.scroll_into_view_if_needed()
        assert box.evaluate("e => getComputedStyle(e).fontWeight") == "400"
        assert phone_field(page, number).evaluate("e => e.scrollWidth <= e.clientWidth")
    look("05-checked-again-duplicates")

    # 6. Ticked and imported anyway: nothing new, each named as already in this PO.
    for number in (1, 2, 3):
        tick_box(page, number).check()
    submit(page, button(page, "Import ticked orders"))
    summary = ", ".join(
        [t("%(count)s imported", count=0), t("%(count)s already in this PO", count=3)]
    )
    expect(page.get_by_text(summary, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=t("Already in this PO"))).to_be_visible()
    expect(page.get_by_role("link", name=t("Reply on WhatsApp"))).to_have_count(0)
    body = page.locator("body").inner_text()
    for code in codes.values():
        assert code in body
    assert Order.objects.filter(campaign=po).count() == 3
    look("06-result-again")

    # 7. The orders page lists the three orders, once each.
    page.get_by_role("link", name=t("See the orders"), exact=True).click()
    page.wait_for_url(f"**{reverse('dashboard:orders', args=[po.pk])}")
    found = tn(
        "%(counter)s order found (of %(all)s).",
        "%(counter)s orders found (of %(all)s).",
        3,
        counter=3,
        all=3,
    )
    expect(page.get_by_text(found)).to_be_visible()
    for code in codes.values():
        expect(page.get_by_role("link", name=code).first).to_be_visible()
    look("07-orders")

    page.evaluate("0")  # a round trip, so the last page's reports have arrived
    assert list(refusals) == [], "refused by the Content-Security-Policy:\n" + "\n".join(refusals)
    assert not_fitting == [], f"wider than the {screen} screen: {not_fitting}"


def test_the_seller_imports_a_google_form_csv(new_page, screenshot, po):
    refusals = Refusals()
    page = new_page(**DESKTOP)
    refusals.watch(page)
    log_in(page)

    # 1. From the paste page to the form upload; the CSV as Google Forms downloads it.
    page.goto(reverse("dashboard:intake_paste", args=[po.pk]))
    page.get_by_role("link", name=t("Import a Google Form (CSV)"), exact=True).click()
    page.wait_for_url(f"**{reverse('dashboard:intake_form', args=[po.pk])}")
    page.get_by_label(t("Google Forms responses (CSV)"), exact=True).set_input_files(
        {
            "name": "Formulir PO Kaos (Jawaban).csv",
            "mimeType": "text/csv",
            "buffer": FORM_CSV.encode(),
        }
    )
    submit(page, button(page, "Next: the columns"))

    # 2. Each column guessed from its Indonesian title; the seller confirms.
    expect(page.get_by_role("heading", name=t("What each column holds"))).to_be_visible()
    for title, role in FORM_COLUMNS.items():
        expect(page.get_by_label(title, exact=True)).to_have_value(role)
    whole_page(page, screenshot, "01-columns")
    submit(page, button(page, "Next: check the orders"))

    # 3. The preview: both responses ready and ticked, with their rows of the sheet.
    expect(page.get_by_text(count_line(2, 2, 0))).to_be_visible()
    for number, (name, row) in enumerate([("Dewi Lestari", 2), ("Agus Salim", 3)], start=1):
        box = order_box(page, number)
        expect(box.get_by_label(t("Name"), exact=True)).to_have_value(name)
        expect(box.get_by_text(t("Row %(row)s", row=row), exact=True)).to_be_visible()
        expect(tick_box(page, number)).to_be_checked()
    assert not Order.objects.exists()
    whole_page(page, screenshot, "02-preview")

    # 4. Imported as orders from a form export, each with its reply.
    submit(page, button(page, "Import ticked orders"))
    expect(page.get_by_text(t("%(count)s imported", count=2), exact=True)).to_be_visible()
    orders = list(Order.objects.filter(campaign=po).order_by("id"))
    assert [(o.buyer_name, o.buyer_phone) for o in orders] == [
        ("Dewi Lestari", "+6281298765432"),
        ("Agus Salim", "+6285611112222"),
    ]
    assert {o.channel for o in orders} == {Order.Channel.IMPORT}
    assert orders[1].units == 3
    expect(page.get_by_role("link", name=t("Reply on WhatsApp"))).to_have_count(2)
    whole_page(page, screenshot, "03-result")

    page.evaluate("0")
    assert list(refusals) == [], "refused by the Content-Security-Policy:\n" + "\n".join(refusals)
