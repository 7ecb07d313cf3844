"""The chat-order parser on the shapes a corpus rarely holds: exports, templates, edits."""

import pytest

from openpo.intake.catalogue import Catalogue
from openpo.intake.items import item_line, items_text, parse_items
from openpo.intake.parser import order_from_fields, parse_text

CATALOGUE = Catalogue.from_products(
    [
        {
            "name": "Kaos Polos Premium",
            "variants": [
                {"options": {"Warna": colour, "Ukuran": size}, "sku": f"K-{colour}-{size}"}
                for colour in ("Hitam", "Broken White")
                for size in ("M", "L", "XL")
            ],
        },
        {"name": "Tote Bag Kanvas", "variants": [{"sku": "TOTE"}]},
        {
            "name": "Donat Kentang",
            "variants": [{"options": {"Isi": v}, "sku": f"D-{v}"} for v in ("Coklat", "Keju")],
        },
        {
            "name": "Roti Coklat & Keju",
            "variants": [{"sku": "ROTI"}],
        },
    ]
)


def _items(text):
    items, errors, _warnings = parse_items(text, CATALOGUE)
    return [(i.sku, i.quantity) for i in items], [p.code for p in errors]


def test_a_whatsapp_export_skips_what_whatsapp_wrote_itself():
    text = (
        "12/08/25, 19:00 - Messages and calls are end-to-end encrypted. Tap to learn more.\n"
        "12/08/25, 19:01 - Sari joined using this group's invite link\n"
        "[12/08/25 19.03.22] Budi: Nama: Budi\n"
        "[12/08/25 19.03.40] Budi: <Media omitted>\n"
        "[12/08/25 19.03.41] Budi: Pesan ini telah dihapus\n"
        "[12/08/25 19.03.50] Budi: HP 0812 3456 7890\n"
        "[12/08/25 19.04.10] Budi: Alamat: Jl. Mawar 3\nDepok 16412\n"
        "[12/08/25 19.04.30] Budi: kaos hitam L 2 pcs <This message was edited>\n"
        "[12/08/25 19.05.00] Toko: Siap kak, ditunggu transfernya ya 🙏\n"
    )
    (order,) = parse_text(text, CATALOGUE)

    assert (order.name, order.phone, order.address) == (
        "Budi",
        "+6281234567890",
        "Jl. Mawar 3, Depok 16412",
    )
    assert [(i.sku, i.quantity) for i in order.items] == [("K-Hitam-L", 2)]
    assert order.ok


def test_the_sellers_blank_format_is_not_an_order():
    text = "Format order:\nNama:\nNo. WA:\nPesanan (produk - ukuran - jumlah):\nAlamat:\n"
    assert parse_text(text, CATALOGUE) == []


def test_a_field_sent_later_joins_the_senders_order():
    text = (
        "12/08/25, 19:03 - Rina: Nama: Rina\n"
        "12/08/25, 19:03 - Rina: WA 0857 1111 2222\n"
        "12/08/25, 19:03 - Rina: donat keju 1 lusin\n"
        "12/08/25, 19:04 - Toko: alamatnya kak?\n"
        "12/08/25, 19:09 - Rina: Jl. Anggrek 7, Bekasi\n"
    )
    (order,) = parse_text(text, CATALOGUE)

    assert order.address == "Jl. Anggrek 7, Bekasi"
    assert [(i.sku, i.quantity) for i in order.items] == [("D-Keju", 12)]


def test_a_sender_shown_as_a_number_gives_the_phone():
    text = "12/08/25, 19:08 - +62 812-9999-0000: tote bag x1, kirim ke jl. cempaka 2 bogor an Dodi"
    (order,) = parse_text(text, CATALOGUE)

    assert (order.name, order.phone) == ("Dodi", "+6281299990000")
    assert [w.code for w in order.warnings] == ["phone_from_sender"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("setengah lusin donat coklat + sekodi donat keju", [("D-Coklat", 6), ("D-Keju", 20)]),
        ("2 lusin donat keju", [("D-Keju", 24)]),
        ("kaos broken white xl tiga", [("K-Broken White-XL", 3)]),
        ("kaos hitam M dan XL", [("K-Hitam-M", 1), ("K-Hitam-XL", 1)]),
        ("kaos hitam, L, 2 pcs", [("K-Hitam-L", 2)]),
        ("roti coklat & keju 2", [("ROTI", 2)]),
        ("2x tote bag @35rb = 70.000", [("TOTE", 2)]),
        ("kaos htam L (2)", [("K-Hitam-L", 2)]),
    ],
)
def test_quantities_and_variants_as_buyers_write_them(text, expected):
    assert _items(text) == (expected, [])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("kaos hitam", "missing_variant"),
        ("kaos ungu L", "unknown_variant"),
        ("topi bucket 2", "unknown_product"),
        ("kaos hitam L 0 pcs", "bad_quantity"),
        ("kaos hitam L qty -1", "bad_quantity"),
    ],
)
def test_what_cannot_be_read_is_an_error_quoting_the_text(text, code):
    items, errors, _warnings = parse_items(text, CATALOGUE)

    assert [p.code for p in errors] == [code]
    assert text in str(errors[0])
    assert len(items) == 1  # kept, to be corrected, never dropped


def test_matched_items_are_written_back_so_they_read_the_same():
    items, _errors, _warnings = parse_items("kaos brokn white xl 2, tote bag", CATALOGUE)
    text = items_text(items)

    assert item_line(items[0]) == "Kaos Polos Premium Broken White / XL x2"
    assert _items(text) == ([("K-Broken White-XL", 2), ("TOTE", 1)], [])


def test_an_edited_preview_row_is_checked_again():
    order = order_from_fields(
        name="Budi", phone="0812 3456", address="", items="kaos hitam L 2", catalogue=CATALOGUE
    )
    assert sorted(order.error_codes()) == ["invalid_phone", "missing_address"]

    fixed = order_from_fields(
        name="Budi",
        phone="0812 3456 7890",
        address="Jl. Melati 5\nBandung",
        items="kaos hitam L 2",
        catalogue=CATALOGUE,
    )
    assert fixed.ok and fixed.address == "Jl. Melati 5\nBandung"
    assert fixed.as_json()["items"][0]["variant"] == "Hitam / L"


def test_an_iphone_notice_under_the_groups_name_is_not_an_order():
    text = (
        "[12/08/25 19.00.01] PO Kaos Batch 5: \u200eAnda menambahkan Budi\n"
        "[12/08/25 19.00.05] PO Kaos Batch 5: \u200eSari keluar\n"
    )
    assert parse_text(text, CATALOGUE) == []


def test_small_talk_after_an_order_does_not_join_it_and_a_second_order_is_its_own():
    text = (
        "12/08/25, 19:03 - Ayu: Nama: Ayu\nHP: 0852 0000 0008\nAlamat: Jl. Mawar 46, Medan\n"
        "Pesanan: tote bag 1\n"
        "12/08/25, 19:04 - Ayu: wah keren banget hehe\n"
        "12/08/25, 19:30 - Ayu: order kak\nkaos hitam M 2\nAyu Lestari\n0852 0000 0009\n"
        "Jl. Melati 3, Medan\n"
    )
    first, second = parse_text(text, CATALOGUE)

    assert [(i.sku, i.quantity) for i in first.items] == [("TOTE", 1)] and first.ok
    assert (second.name, second.phone) == ("Ayu Lestari", "+6285200000009")
    assert [(i.sku, i.quantity) for i in second.items] == [("K-Hitam-M", 2)] and second.ok


def test_a_buyer_correcting_an_item_is_read_as_corrected():
    text = (
        "15/03/25, 10:12 - Nurul: saya pesan kaos hitam L 2\n"
        "15/03/25, 10:13 - Nurul: eh salah kak, XL maksudnya, bukan L. Tetap 2\n"
        "15/03/25, 10:14 - Nurul: Nurul Aini / 0812-3300-4400 / Jl. Kartini 17, Cirebon\n"
    )
    (order,) = parse_text(text, CATALOGUE)

    assert [(i.sku, i.quantity) for i in order.items] == [("K-Hitam-XL", 2)]
    assert (order.name, order.phone) == ("Nurul Aini", "+6281233004400")


def test_the_sellers_price_list_and_bank_details_are_not_orders():
    text = (
        "15/03/25, 10:00 - Toko: PO dibuka! Kaos hitam 85rb, tote bag 45rb. "
        "Transfer BRI 0123-01-000123-50-1 a.n. Endah\n"
        "15/03/25, 10:12 - Nurul: Nama: Nurul\nHP 0812 3300 4400\nAlamat: Jl. Kartini 17\n"
        "Pesanan: tote bag 1\n"
    )
    (order,) = parse_text(text, CATALOGUE)

    assert order.name == "Nurul" and order.ok
