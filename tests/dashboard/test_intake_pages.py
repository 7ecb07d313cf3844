"""Orders from chats and forms: paste a chat (or upload a WhatsApp export), check and correct the
orders read from it in the editable preview, import the ticked ones, answer each buyer from the
result; the same preview for a Google Forms CSV after its column choice."""

import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openpo.catalog.services import add_product, add_variant
from openpo.dashboard.intake import preview as preview_module
from openpo.dashboard.intake.forms import MAX_ORDERS, OrderRowForm
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment
from tests.conftest import make_campaign
from tests.core.test_csp import assert_strict

pytestmark = pytest.mark.django_db

TWO_ORDERS = """Nama: Budi Santoso
No. HP: 0812-3456-7890
Alamat: Jl. Melati No. 5, Bandung 40115
Pesanan: Kaos Polos M x2

Nama: Rina Ayu
No. HP: 0813-1111-2222
Pesanan: Kaos Polos S 1, Tote Bag 1
"""

EXPORT = """[12/08/25 19.01] Toko Alice: Silakan isi format order ya kak
[12/08/25 19.03] Budi: Nama: Budi Santoso
No. HP: 0812-3456-7890
Alamat: Jl. Melati No. 5, Bandung 40115
Pesanan: Kaos Polos M x2
[12/08/25 19.04] Toko Alice: Siap kak
"""


@pytest.fixture
def po(shop, now):
    """alice's PO: Kaos Polos S (3 slots) and M (unlimited), and a Tote Bag without options."""
    campaign = make_campaign(shop, now=now, quotas=(3, None))
    tote = add_product(campaign=campaign, name="Tote Bag")
    add_variant(product=tote, price=50_000)
    return campaign


def _url(campaign, suffix=""):
    return f"/dashboard/po/{campaign.pk}/intake/{suffix}"


def _paste(client, campaign, text):
    return client.post(_url(campaign), {"text": text})


class _Form(HTMLParser):
    """The preview form of a page as a browser reads it: each field a browser posts (a
    checkbox only when checked, no buttons) in page order, and every label's `for`."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.fields: list[dict] = []
        self.labels: set[str] = set()
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and a.get("id") == "intake-preview":
            self.inside = True
        if not self.inside:
            return
        if tag == "label":
            self.labels.add(a.get("for", ""))
        elif tag == "input" and a.get("name") and a.get("type") != "submit":
            checkbox = a.get("type") == "checkbox"
            value = ("on" if "checked" in a else None) if checkbox else a.get("value", "")
            self.fields.append({**a, "tag": tag, "value": value})
        elif tag == "textarea" and a.get("name"):
            self._textarea = {**a, "tag": tag, "value": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            value = self._textarea["value"]
            self._textarea["value"] = value[1:] if value.startswith("\n") else value
            self.fields.append(self._textarea)
            self._textarea = None


def _form(response) -> _Form:
    form = _Form()
    form.feed(response.content.decode())
    return form


def _posted(response, action="check", **changes):
    """The preview on the page as a browser posts it back when a button is pressed (every
    field written into the form, a checkbox only when ticked); `changes` maps
    `o<order number>_<field>` (1-based) to a new value, e.g. `o2_address="Jl. Mawar 1"`, and
    a tick to True or False."""
    data = {field["name"]: field["value"] for field in _form(response).fields}
    for key, value in changes.items():
        number, _, name = key.partition("_")
        data[f"orders-{int(number[1:]) - 1}-{name}"] = value
    for name, value in list(data.items()):
        if name.endswith("-selected"):
            data[name] = "on" if value not in (None, False) else None
    data = {name: value for name, value in data.items() if value is not None}
    data["action"] = action
    return data


def _states(response):
    return [row.state for row in response.context["preview"].rows]


def _ticked(response):
    """Each order's tick as the page shows it."""
    ticks = [f["value"] == "on" for f in _form(response).fields if f["name"].endswith("-selected")]
    assert ticks == [row.selected for row in response.context["preview"].rows]
    return ticks


def test_it_shows_the_paste_box_and_the_order_format(client, alice, po):
    client.force_login(alice)

    response = client.get(_url(po))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="text"' in html and 'name="chat_file"' in html
    assert 'data-copy="intake-form-text"' in html
    assert "• Kaos Polos: S, M" in html and "• Tote Bag" in html
    assert "Kaos Polos S x2" in html  # the example line
    orders_page = client.get(f"/dashboard/po/{po.pk}/orders/").content.decode()
    assert f'href="{_url(po)}"' in orders_page


def test_it_previews_each_order_read_with_its_problems(client, alice, po):
    client.force_login(alice)

    response = _paste(client, po, TWO_ORDERS)

    assert response.status_code == 200
    preview = response.context["preview"]
    assert [row.order.name for row in preview.rows] == ["Budi Santoso", "Rina Ayu"]
    assert _states(response) == ["ready", "error"]
    assert _ticked(response) == [True, False]
    html = response.content.decode()
    assert "Alamat pengiriman belum ada." in html  # Rina's error, in red
    assert 'class="intake-errors"' in html
    assert "Rp 240.000" in html  # Budi: 2 × Rp 120.000, understood
    # The items are editable as lines the parser reads again.
    assert "Kaos Polos" in _posted(response)["orders-0-items"]
    assert not Order.objects.exists()


def test_an_edited_field_checked_again_clears_the_error_and_ticks_the_order(client, alice, po):
    client.force_login(alice)
    first = _paste(client, po, TWO_ORDERS)

    response = client.post(
        _url(po, "check/"),
        _posted(first, o2_address="Jl. Mawar 1, Depok 16411"),
    )

    assert response.status_code == 200
    assert _states(response) == ["ready", "ready"]
    assert _ticked(response) == [True, True]
    assert response.context["preview"].rows[1].order.address == "Jl. Mawar 1, Depok 16411"
    assert not Order.objects.exists()


def test_a_ready_order_the_seller_unticked_stays_unticked(client, alice, po):
    client.force_login(alice)
    first = _paste(client, po, TWO_ORDERS)

    response = client.post(_url(po, "check/"), _posted(first, o1_selected=False))

    assert _ticked(response) == [False, False]


def test_it_imports_the_ticked_orders_with_a_whatsapp_reply_each(client, alice, po):
    client.force_login(alice)
    first = _paste(client, po, TWO_ORDERS)
    fixed = client.post(_url(po, "check/"), _posted(first, o2_address="Jl. Mawar 1, Depok"))

    response = client.post(_url(po, "check/"), _posted(fixed, "import"))

    assert response.status_code == 200
    orders = list(Order.objects.order_by("id"))
    assert [o.buyer_name for o in orders] == ["Budi Santoso", "Rina Ayu"]
    assert {o.channel for o in orders} == {Order.Channel.WHATSAPP}
    amounts = [o.open_expected_payment.amount for o in orders]
    assert len(set(amounts)) == 2  # each with its own unique code
    assert response.context["summary"].startswith("2 diimpor")
    html = response.content.decode()
    for order, amount in zip(orders, amounts, strict=True):
        assert order.code in html
        link = re.search(rf'href="(https://wa\.me/{order.buyer_phone[1:]}\?text=[^"]+)"', html)
        assert link, order.code
        text = unquote(link.group(1))
        assert f"{amount:,}".replace(",", ".") in text  # the amount with its unique code
    assert f"/dashboard/orders/{orders[0].pk}/" in html


def test_importing_the_same_paste_twice_makes_each_order_once(client, alice, po):
    client.force_login(alice)
    data = _posted(_paste(client, po, TWO_ORDERS), "import")

    client.post(_url(po, "check/"), data)
    again = client.post(_url(po, "check/"), data)  # a double tap, or the same paste later

    assert Order.objects.count() == 1  # Budi; Rina was not ticked
    assert again.status_code == 200
    assert "1 sudah ada di PO ini" in again.context["summary"]
    code = Order.objects.get().code
    assert code in again.content.decode()
    # Pasted a third time, the preview says so and leaves the box unticked.
    third = _paste(client, po, TWO_ORDERS)
    assert third.context["preview"].rows[0].duplicate.code == code
    assert _ticked(third) == [False, False]
    assert "Sudah ada di PO ini sebagai pesanan" in third.content.decode()


def test_a_paste_past_the_quota_stops_there_and_names_the_orders_that_did_not_fit(
    client, alice, po
):
    client.force_login(alice)
    text = "\n\n".join(
        f"Nama: Pembeli {n}\nNo. HP: 0812-0000-00{n:02d}\nAlamat: Jl. Melati {n}, Bandung\n"
        f"Pesanan: Kaos Polos S x1"
        for n in range(1, 6)
    )
    shown = _paste(client, po, text)
    preview = shown.context["preview"]
    assert len(preview.rows) == 5 and _states_of(preview) == ["ready"] * 5

    response = client.post(_url(po, "check/"), _posted(shown, "import"))

    assert Order.objects.count() == 3  # S has 3 slots
    assert response.context["summary"] == "3 diimpor, 2 tidak muat di kuota"
    html = response.content.decode()
    assert html.count("Tidak diimpor:") == 2
    assert "Pembeli 4" in html and "Pembeli 5" in html


def _states_of(preview):
    return [row.state for row in preview.rows]


def test_a_ticked_order_with_an_error_blocks_the_import_until_corrected(client, alice, po):
    client.force_login(alice)
    shown = _paste(client, po, TWO_ORDERS)

    response = client.post(_url(po, "check/"), _posted(shown, "import", o2_selected=True))

    assert response.status_code == 422
    assert "#2" in response.context["preview"].problem
    assert not Order.objects.exists()


def test_a_field_with_a_control_character_is_refused_on_its_form(client, alice, po):
    client.force_login(alice)
    shown = _paste(client, po, TWO_ORDERS)

    response = client.post(_url(po, "check/"), _posted(shown, "import", o1_name="Budi\x00"))

    assert response.status_code == 422
    assert response.context["preview"].rows[0].order is None
    assert not Order.objects.exists()
    # The refused field shows what was posted, marked and with the focus; Rina as read.
    fields = {field["name"]: field for field in _form(response).fields}
    name = fields["orders-0-name"]
    assert name["value"] == "Budi\x00"
    assert "aria-invalid" in name and "autofocus" in name
    assert "autofocus" not in fields["orders-1-name"]
    assert response.context["preview"].rows[1].order.name == "Rina Ayu"
    assert 'class="field has-error"' in response.content.decode()


def _buyers(count, start=1):
    return "\n\n".join(
        f"Nama: Pembeli {n}\nNo. HP: 0812-7000-{n:04d}\nAlamat: Jl. Melati {n}, Bandung\n"
        "Pesanan: Kaos Polos M x1"
        for n in range(start, start + count)
    )


def test_a_long_paste_is_previewed_in_parts_leaving_out_the_orders_already_in(
    client, alice, po, monkeypatch
):
    monkeypatch.setattr(preview_module, "MAX_ORDERS", 10)  # 1,500 in earnest
    client.force_login(alice)
    text = _buyers(12)
    first = _paste(client, po, text)
    assert len(first.context["preview"].rows) == 10
    assert "10 pesanan pertama dari 12" in first.content.decode()

    imported = client.post(_url(po, "check/"), _posted(first, "import"))
    assert imported.context["summary"] == "10 diimpor"

    rest = _paste(client, po, text).context["preview"]
    assert [row.order.name for row in rest.rows] == ["Pembeli 11", "Pembeli 12"]
    assert rest.notes == ["10 pesanan yang sudah ada di PO ini tidak ditampilkan."]


def test_more_orders_than_django_takes_fields_by_default_preview_and_import_at_once(
    client, alice, po
):
    """120 orders post ~1,100 fields: more than Django's default of 1,000 (and than the 90
    orders a preview once held), all in one preview and one import."""
    client.force_login(alice)
    first = _paste(client, po, _buyers(120))
    assert len(first.context["preview"].rows) == 120 and not first.context["preview"].notes
    data = _posted(first, "import")
    assert len(data) > 1000

    imported = client.post(_url(po, "check/"), data)

    assert imported.status_code == 200
    assert imported.context["summary"] == "120 diimpor"
    assert Order.objects.count() == 120


def test_the_preview_reads_the_database_the_same_few_times_for_any_number_of_orders(
    client, alice, po
):
    client.force_login(alice)
    # Some orders already in the PO, so the previews show duplicates (linked to their order).
    client.post(_url(po, "check/"), _posted(_paste(client, po, _buyers(3)), "import"))

    def queries(text):
        with CaptureQueriesContext(connection) as shown:
            first = _paste(client, po, text)
        with CaptureQueriesContext(connection) as checked:
            again = client.post(_url(po, "check/"), _posted(first))
        assert "duplicate" in _states(again)
        return len(shown), len(checked)

    assert queries(_buyers(4)) == queries(_buyers(40))


def test_the_largest_preview_fits_the_fields_django_takes():
    # At most every field of each order, with the formset's count, the token and the button.
    assert MAX_ORDERS * len(OrderRowForm.base_fields) + 10 <= (
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    )


def test_a_preview_that_would_post_more_than_django_takes_comes_in_parts(
    client, alice, po, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 8_000
    client.force_login(alice)

    first = _paste(client, po, _buyers(40))

    shown = len(first.context["preview"].rows)
    assert 0 < shown < 40
    assert f"{shown} pesanan pertama dari 40" in first.content.decode()
    data = _posted(first, "import")
    assert len(urlencode(data)) <= 8_000
    imported = client.post(_url(po, "check/"), data)
    assert imported.context["summary"] == f"{shown} diimpor"


def test_the_preview_writes_each_field_labelled_and_escaped(client, alice, po):
    client.force_login(alice)
    first = _paste(client, po, TWO_ORDERS)
    notes = 'Pintu "biru" <b>&amp;</b> pagar'

    response = client.post(_url(po, "check/"), _posted(first, o1_notes=notes))

    assert_strict(response)  # nothing inline for the Content-Security-Policy to refuse
    form = _form(response)
    fields = {field["name"]: field for field in form.fields}
    assert fields["orders-0-notes"]["value"] == notes  # as typed, back from the page
    assert "<b>&amp;</b>" not in response.content.decode()
    # Every field the seller types into has its label; the original message is read-only.
    typed = [f for f in form.fields if f.get("type") != "hidden" and "readonly" not in f]
    assert {f["name"].split("-")[-1] for f in typed} == {
        "selected", "name", "phone", "email", "address", "notes", "items"
    }  # fmt: skip
    assert all(f["id"] in form.labels for f in typed)
    assert fields["orders-0-items"]["spellcheck"] == "false"
    assert fields["orders-0-name"]["maxlength"] == "100"
    source = fields["orders-0-source"]
    assert "readonly" in source and source["value"].startswith("Nama: Budi Santoso")


def test_a_preview_posted_without_its_orders_is_refused(client, alice, po):
    client.force_login(alice)

    response = client.post(_url(po, "check/"), {"action": "import"})

    assert response.status_code == 422
    assert not Order.objects.exists()


def test_a_po_not_taking_orders_says_so_before_the_paste(client, alice, shop, now):
    closed = make_campaign(shop, now=now, publish=False, title="PO Draf")
    client.force_login(alice)

    response = client.get(_url(closed))

    assert response.status_code == 200
    assert 'id="intake-closed"' in response.content.decode()


def test_it_reads_an_uploaded_whatsapp_export(client, alice, po):
    client.force_login(alice)
    export = SimpleUploadedFile("Chat WhatsApp dengan Budi.txt", EXPORT.encode(), "text/plain")

    response = client.post(_url(po), {"chat_file": export})

    assert response.status_code == 200
    rows = response.context["preview"].rows
    assert [(r.order.name, r.order.phone) for r in rows] == [("Budi Santoso", "+6281234567890")]


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("chat.zip", b"PK\x03\x04", "application/zip"), "Tanpa media"),
        (SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff", "image/jpeg"), "file teks"),
        (SimpleUploadedFile("chat.txt", b"x" * (2 * 1024 * 1024 + 1), "text/plain"), "2 MB"),
        (SimpleUploadedFile("chat.txt", b"\xff\xfe\x00a", "text/plain"), "UTF-8"),
    ],
)
def test_it_refuses_a_chat_file_that_is_not_a_text_export(client, alice, po, upload, message):
    client.force_login(alice)

    response = client.post(_url(po), {"chat_file": upload})

    assert response.status_code == 422
    assert message in response.content.decode()


def test_an_empty_paste_or_one_without_orders_says_so(client, alice, po):
    client.force_login(alice)

    assert _paste(client, po, "   ").status_code == 422
    response = _paste(client, po, "halo kak, masih ada?")
    assert response.status_code == 422
    assert "Tidak ada pesanan yang ditemukan" in response.content.decode()


# Google Forms --------------------------------------------------------------------------------

GRID_CSV = (
    "Timestamp,Nama lengkap,Nomor WhatsApp,Alamat lengkap,"
    "Jumlah pesanan [Kaos Polos S],Jumlah pesanan [Kaos Polos M],Catatan\n"
    '2025/08/12 19:03:11 GMT+7,Budi Santoso,081234567890,"Jl. Melati No. 5, Bandung 40115",,2,\n'
    '2025/08/12 20:10:45 GMT+7,Rina Ayu,081311112222,"Jl. Mawar 1, Depok 16411",1,1,cepat\n'
)
ITEMS_CSV = (
    "Cap waktu,Nama,No HP,Alamat,Pesanan\n"
    '12/08/2025 19:03:11,Budi Santoso,081234567890,"Jl. Melati No. 5, Bandung",Kaos Polos M x2\n'
    "12/08/2025 20:10:45,Rina Ayu,081311112222,"
    '"Jl. Mawar 1, Depok","Kaos Polos S (1), Tote Bag (1)"\n'
)


def _upload_csv(client, campaign, content, name="Formulir PO (Jawaban).csv"):
    return client.post(
        _url(campaign, "form/"), {"file": SimpleUploadedFile(name, content.encode(), "text/csv")}
    )


def _columns_post(response, **override):
    form = response.context["form"]
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(override)
    data["upload"] = response.context["token"]
    return data


@pytest.mark.parametrize("content", [GRID_CSV, ITEMS_CSV], ids=["column per variant", "pesanan"])
def test_a_google_forms_export_goes_through_columns_preview_and_import(client, alice, po, content):
    client.force_login(alice)

    uploaded = _upload_csv(client, po, content)
    assert uploaded.status_code == 302
    columns = client.get(uploaded["Location"])
    assert columns.status_code == 200
    guessed = columns.context["form"].initial
    assert guessed["col_0"] == "timestamp" and guessed["col_1"] == "name"
    assert guessed["col_2"] == "phone" and guessed["col_3"] == "address"

    shown = client.post(_url(po, "form/columns/"), _columns_post(columns))
    assert shown.status_code == 200
    preview = shown.context["preview"]
    assert [row.order.name for row in preview.rows] == ["Budi Santoso", "Rina Ayu"]
    assert [row.order.row for row in preview.rows] == [2, 3]
    assert _states_of(preview) in (["ready", "ready"], ["ready", "warning"])
    assert _posted(shown)["orders-1-row"] == "3"

    imported = client.post(_url(po, "form/check/"), _posted(shown, "import"))

    assert imported.status_code == 200
    orders = list(Order.objects.order_by("id"))
    assert [o.buyer_name for o in orders] == ["Budi Santoso", "Rina Ayu"]
    assert {o.channel for o in orders} == {Order.Channel.IMPORT}
    assert orders[1].units == 2
    assert imported.context["summary"] == "2 diimpor"
    # The upload is gone once every order of it was imported; a second tap still answers.
    again = client.post(_url(po, "form/check/"), _posted(shown, "import"))
    assert again.status_code == 200 and "2 sudah ada di PO ini" in again.context["summary"]
    assert Order.objects.count() == 2


def test_a_form_export_longer_than_a_preview_is_imported_in_parts(client, alice, po, monkeypatch):
    monkeypatch.setattr(preview_module, "MAX_ORDERS", 10)  # 1,500 in earnest
    client.force_login(alice)
    rows = "".join(
        f'12/08/2025 19:{n:02d}:00,Pembeli {n},0812700{n:05d},"Jl. Melati {n}, Bandung",'
        "Kaos Polos M x1\n"
        for n in range(1, 13)
    )
    columns = client.get(
        _upload_csv(client, po, ITEMS_CSV.splitlines()[0] + "\n" + rows)["Location"]
    )

    first = client.post(_url(po, "form/columns/"), _columns_post(columns))
    assert len(first.context["preview"].rows) == 10
    imported = client.post(_url(po, "form/check/"), _posted(first, "import"))
    assert imported.context["summary"] == "10 diimpor"
    next_url = imported.context["next_url"]

    rest = client.post(_url(po, "form/columns/"), _columns_post(client.get(next_url)))
    assert [row.order.name for row in rest.context["preview"].rows] == [
        "Pembeli 11",
        "Pembeli 12",
    ]
    last = client.post(_url(po, "form/check/"), _posted(rest, "import"))
    assert last.context["summary"] == "2 diimpor" and "next_url" not in last.context
    assert Order.objects.count() == 12
    assert client.get(next_url).status_code == 302  # the file is gone once all is imported


def test_the_column_choice_can_be_corrected(client, alice, po):
    client.force_login(alice)
    columns = client.get(_upload_csv(client, po, ITEMS_CSV)["Location"])

    # The seller says the address column is notes: every order then lacks an address.
    shown = client.post(_url(po, "form/columns/"), _columns_post(columns, col_3="notes"))

    rows = shown.context["preview"].rows
    assert [row.state for row in rows] == ["error", "error"]
    assert rows[0].order.notes.startswith("Jl. Melati")


def test_the_column_choice_needs_the_items(client, alice, po):
    client.force_login(alice)
    columns = client.get(_upload_csv(client, po, ITEMS_CSV)["Location"])

    response = client.post(_url(po, "form/columns/"), _columns_post(columns, col_4="ignore"))

    assert response.status_code == 422
    assert not Order.objects.exists()


def test_a_file_that_is_not_a_sheet_is_refused(client, alice, po):
    client.force_login(alice)

    wrong_type = client.post(
        _url(po, "form/"), {"file": SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff", "image/jpeg")}
    )
    not_csv = _upload_csv(client, po, "\x00\x01\x02 not a sheet", name="x.csv")

    assert wrong_type.status_code == 422 and not_csv.status_code == 422


def test_the_upload_is_tied_to_the_session_and_the_po(client, alice, po, shop, now):
    client.force_login(alice)
    token = _upload_csv(client, po, ITEMS_CSV)["Location"].split("upload=")[1]
    other_po = make_campaign(shop, now=now, title="PO Lain")

    response = client.get(f"/dashboard/po/{other_po.pk}/intake/form/columns/?upload={token}")

    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/po/{other_po.pk}/intake/form/"


# Access --------------------------------------------------------------------------------------


def test_another_shops_member_gets_404_everywhere(client, charlie, other_shop, po):
    client.force_login(charlie)

    for suffix in ("", "check/", "form/", "form/columns/", "form/check/"):
        assert client.get(_url(po, suffix)).status_code in (404, 405), suffix
        assert client.post(_url(po, suffix), {"text": TWO_ORDERS}).status_code == 404, suffix
    assert not Order.objects.exists()


def test_staff_can_import(client, bob, po):
    client.force_login(bob)
    client.post(_url(po, "check/"), _posted(_paste(client, po, TWO_ORDERS), "import"))

    assert Order.objects.count() == 1
    assert ExpectedPayment.objects.filter(order__campaign=po).count() == 1
