"""The cards of the intake preview: each order's problems under its heading with the fields they
are about marked, the count of orders already in the PO, each order's total with the shipping
fee, the empty email and notes behind "More fields", the links to the orders with errors, and
one script for the copy buttons of the paste and share pages.

The pages are asked for in English (the language cookie), so the words checked are the
English msgids whatever the Indonesian catalogue holds.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from openpo.dashboard.intake import preview as preview_module
from tests.conftest import make_campaign
from tests.dashboard import test_intake_pages as pages
from tests.dashboard.test_intake_pages import TWO_ORDERS, _form, _paste, _posted, _url

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[2] / "src" / "openpo" / "static" / "openpo"

WITHOUT_PHONE = """Nama: Sari Dewi
Alamat: Jl. Kenanga 7, Bekasi 17111
Pesanan: Kaos Polos S 1, Topi Merah 2
"""


po = pages.po  # alice's PO (shipping Rp 15.000): Kaos Polos S and M at Rp 120.000, a Tote Bag


@pytest.fixture
def seller(client, alice):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _card(html: str, number: int) -> str:
    match = re.search(
        rf'<article class="intake-order[^"]*" id="intake-order-{number}".*?</article>', html, re.S
    )
    assert match, f"no card for order #{number}"
    return match.group(0)


def _fields(response) -> dict[str, dict]:
    return {field["name"]: field for field in _form(response).fields}


def test_an_orders_problems_stand_under_its_heading_and_mark_their_fields(seller, po):
    response = _paste(seller, po, WITHOUT_PHONE)

    row = response.context["preview"].rows[0]
    assert {p.code for p in row.order.errors} >= {"missing_phone", "unknown_product"}
    card = _card(response.content.decode(), 1)
    # Under the heading, before the first field: the errors, each with its id.
    heading = card.index("Import order #1")
    problems = card.index('id="intake-problems-1"')
    assert heading < problems < card.index('name="orders-0-name"')
    assert card.index("No WhatsApp number.") < card.index('name="orders-0-name"')
    fields = _fields(response)
    phone, items = fields["orders-0-phone"], fields["orders-0-items"]
    assert phone["aria-invalid"] == "true" and items["aria-invalid"] == "true"
    for field in (phone, items):
        for problem_id in field["aria-describedby"].split():
            assert f'id="{problem_id}"' in card
    phone_problem = re.search(rf'id="{phone["aria-describedby"]}">([^<]*)<', card).group(1)
    assert phone_problem == "No WhatsApp number."
    for name in ("name", "address"):
        assert "aria-invalid" not in fields[f"orders-0-{name}"]
        assert "aria-describedby" not in fields[f"orders-0-{name}"]
    assert card.count('class="field has-error"') == 2
    assert 'role="alert"' not in card  # the form's own refusals keep theirs (other test)


def test_each_problem_code_marks_its_field():
    fields = preview_module.FIELD_OF_PROBLEM
    assert fields["missing_phone"] == fields["invalid_phone"] == "phone"
    assert fields["missing_address"] == "address"
    assert fields["missing_name"] == "name"
    assert fields["invalid_email"] == "email"
    for code in (
        "unknown_product",
        "ambiguous_product",
        "missing_variant",
        "unknown_variant",
        "bad_quantity",
        "missing_items",
    ):
        assert fields[code] == "items", code
    assert set(fields.values()) <= {name for _css, names in preview_module.GROUPS for name in names}


def test_a_warning_marks_its_field_amber_without_calling_it_invalid(seller, po):
    export = (
        "[12/08/25 19.03] Budi: Alamat: Jl. Melati No. 5, Bandung 40115\n"
        "[12/08/25 19.03] Budi: No. HP: 0812-3456-7890\n"
        "[12/08/25 19.04] Budi: Pesanan: Kaos Polos M x2\n"
    )

    response = _paste(seller, po, export)

    row = response.context["preview"].rows[0]
    assert [p.code for p in row.order.warnings] == ["name_from_sender"]
    assert row.state == "warning"
    name = _fields(response)["orders-0-name"]
    assert "aria-invalid" not in name
    assert name["aria-describedby"] == "intake-problems-1-w1"
    assert 'class="field has-warning"' in _card(response.content.decode(), 1)


def test_an_order_already_in_the_po_is_counted_and_its_note_is_not_the_cards_class(seller, po):
    seller.post(_url(po, "check/"), _posted(_paste(seller, po, TWO_ORDERS), "import"))

    again = _paste(seller, po, TWO_ORDERS)

    preview = again.context["preview"]
    assert [row.state for row in preview.rows] == ["duplicate", "error"]
    html = again.content.decode()
    assert (
        '<p class="intake-count" id="intake-count">2 orders read: 0 ready to import, '
        "1 with problems, 1 already in this PO.</p>"
    ) in html
    card = _card(html, 1)
    assert card.startswith('<article class="intake-order intake-duplicate"')
    assert card.count("intake-duplicate") == 1  # the card's state only
    assert '<p class="intake-already">Already in this PO as order' in card
    # In the stylesheet the card's state class is never used alone, so nothing but the card
    # takes its rule.
    css = (STATIC / "dashboard.css").read_text()
    uses = re.findall(r"[^\s,{}]*\.intake-duplicate\b[^\s,{]*", css)
    assert uses and all(use.startswith(".intake-order.intake-duplicate") for use in uses), uses


def test_without_duplicates_the_count_line_says_nothing_of_them(seller, po):
    response = _paste(seller, po, TWO_ORDERS)

    assert response.context["preview"].count_line == (
        "2 orders read: 1 ready to import, 1 with problems."
    )


def test_each_order_shows_its_total_with_the_pos_shipping_fee(seller, po):
    response = _paste(seller, po, TWO_ORDERS)

    budi = _card(response.content.decode(), 1)
    assert re.search(r"Items total</th><td[^>]*>Rp 240\.000<", budi)
    assert re.search(r"Shipping fee</th><td[^>]*>Rp 15\.000<", budi)
    assert re.search(r"Total</th><td[^>]*>Rp 255\.000<", budi)
    assert "Plus a unique code of a few rupiah, added at import." in budi


def test_without_a_shipping_fee_the_total_is_the_items(seller, shop, now):
    free = make_campaign(shop, now=now, title="PO Gratis Ongkir", shipping_fee=0)

    response = _paste(seller, free, TWO_ORDERS)

    budi = _card(response.content.decode(), 1)
    assert "Shipping fee" not in budi and "Items total" not in budi
    assert re.search(r"Total</th><td[^>]*>Rp 240\.000<", budi)


def test_empty_email_and_notes_wait_behind_more_fields_and_are_still_posted(seller, po):
    first = _paste(seller, po, TWO_ORDERS)
    card = _card(first.content.decode(), 1)
    more = re.search(r'<details class="intake-more">.*?</details>', card, re.S).group(0)
    assert "<summary>More fields</summary>" in more
    assert 'name="orders-0-email"' in more and 'name="orders-0-notes"' in more
    assert 'for="id_orders-0-email"' in more and 'for="id_orders-0-notes"' in more
    assert "orders-0-email" in _posted(first) and "orders-0-notes" in _posted(first)

    # Filled in, or wrong, they stand with the other fields.
    response = _paste(
        seller,
        po,
        TWO_ORDERS.replace("Pesanan: Kaos Polos M", "Email: budi@\nPesanan: Kaos Polos M"),
    )
    checked = seller.post(
        _url(po, "check/"), _posted(first, o1_notes="Pagar biru", o2_email="rina@example.com")
    )

    invalid = _card(response.content.decode(), 1)
    assert "invalid_email" in [p.code for p in response.context["preview"].rows[0].order.errors]
    assert 'name="orders-0-email"' not in _details(invalid)
    assert _fields(response)["orders-0-email"]["aria-invalid"] == "true"
    budi, rina = (_card(checked.content.decode(), n) for n in (1, 2))
    assert 'name="orders-0-notes"' not in _details(budi)
    assert 'name="orders-0-email"' in _details(budi)
    assert 'name="orders-1-email"' not in _details(rina)
    assert 'name="orders-1-notes"' in _details(rina)


def _details(card: str) -> str:
    found = re.search(r'<details class="intake-more">.*?</details>', card, re.S)
    return found.group(0) if found else ""


def test_the_orders_with_errors_are_linked_from_the_top(seller, po, monkeypatch):
    monkeypatch.setattr(preview_module, "MAX_LINKS", 3)  # 50 in earnest
    text = "\n\n".join(
        f"Nama: Pembeli {n}\nAlamat: Jl. Melati {n}, Bandung\nPesanan: Kaos Polos M x1"
        for n in range(1, 6)
    )

    response = _paste(seller, po, f"{TWO_ORDERS.split(chr(10) + chr(10))[0]}\n\n{text}")

    states = [row.state for row in response.context["preview"].rows]
    assert states == ["ready"] + ["error"] * 5
    html = response.content.decode()
    jumps = re.search(r'<nav class="intake-jumps".*?</nav>', html, re.S).group(0)
    assert html.index(jumps) < html.index('id="intake-order-1"')
    links = re.findall(r'<a href="#(intake-order-\d+)">([^<]*)</a>', jumps)
    assert links == [(f"intake-order-{n}", f"Order #{n}: No WhatsApp number.") for n in (2, 3, 4)]
    assert all(f'id="{anchor}"' in html for anchor, _text in links)
    assert "…and 2 more." in jumps
    # None when no order has an error.
    ready = _paste(seller, po, TWO_ORDERS.split("\n\n")[0])
    assert "intake-jumps" not in ready.content.decode()


def test_one_script_serves_the_copy_buttons_of_the_paste_and_share_pages(seller, po):
    pages = [seller.get(_url(po)), seller.get(f"/dashboard/po/{po.pk}/share/")]

    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "data-copy=" in html
        assert re.search(
            r'<script src="/static/openpo/dashboard_copy\.js" nonce="[^"]+" defer>', html
        )
    scripts = [path.name for path in STATIC.glob("*.js") if "[data-copy]" in path.read_text()]
    assert scripts == ["dashboard_copy.js"]
