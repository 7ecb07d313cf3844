"""Google Forms exports (and a seller's own table) to parsed orders: reading the file, guessing
each column's role from its title, one order per row checked like a chat order. No database."""

import io
import zipfile

import pytest
from django.utils import translation

from openpo.intake.catalogue import Catalogue
from openpo.intake.forms_csv import (
    MAX_ROWS,
    ROLES,
    Sheet,
    UnreadableSheet,
    cell_quantity,
    guess_mapping,
    orders_from_sheet,
    read_sheet,
)
from openpo.intake.items import items_text
from openpo.intake.parser import order_from_fields

CATALOGUE = Catalogue.from_products(
    [
        {
            "name": "Kaos Polos",
            "variants": [
                {
                    "id": number,
                    "options": {"Warna": colour, "Ukuran": size},
                    "sku": f"KP-{colour.upper()}-{size}",
                    "price": 85_000,
                }
                for number, (colour, size) in enumerate(
                    [("Hitam", "M"), ("Hitam", "L"), ("Putih", "M"), ("Putih", "L")], start=1
                )
            ],
        },
        {"name": "Tote Bag", "variants": [{"id": 9, "sku": "TOTE", "price": 45_000}]},
    ]
)

# As Google Forms exports it: a BOM, every cell quoted, a multi-line answer, a checkbox answer
# joined with ", ", and an empty line that Sheets leaves when a response is deleted.
GOOGLE_FORMS = (
    "\ufeff"
    '"Cap waktu","Nama lengkap","Nomor WhatsApp","Alamat email","Alamat pengiriman","Kota",'
    '"Kode pos","Pesanan","Jumlah","Catatan"\n'
    '"2025/08/12 7:03:11 PM GMT+7","Budi Santoso","0812-3456-7890","budi@example.com",'
    '"Jl. Melati No. 5\nRT 01/RW 02","Bandung","40115","Kaos Polos Hitam M (2), Tote Bag (1)",'
    '"",""\n'
    ",,,,,,,,,\n"
    '"2025/08/12 7:09:40 PM GMT+7","Sari","+62 813 2222 3333","","Jl. Kenanga 10","Surabaya",'
    '"","Kaos Polos Putih L","3","tolong dibungkus kado"\n'
)


def _english():
    return translation.override("en")


def test_it_reads_a_google_forms_export():
    sheet = read_sheet(GOOGLE_FORMS.encode())

    assert sheet.columns[0] == "Cap waktu"  # the BOM is not part of the first title
    assert len(sheet.rows) == 2 and all(len(row) == len(sheet.columns) for row in sheet.rows)
    assert sheet.rows[0][4] == "Jl. Melati No. 5\nRT 01/RW 02"
    # The empty row is skipped; the rows keep the numbers the spreadsheet shows.
    assert sheet.row_numbers == [2, 4]


def test_each_column_gets_a_role_from_its_indonesian_title():
    sheet = read_sheet(GOOGLE_FORMS.encode())

    assert guess_mapping(sheet.columns, CATALOGUE) == [
        "timestamp",
        "name",
        "phone",
        "email",
        "address",
        "address",
        "address",
        "items",
        "quantity",
        "notes",
    ]


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Timestamp", "timestamp"),
        ("Stempel waktu", "timestamp"),
        ("NAMA", "name"),
        ("Nama penerima", "name"),
        ("Name", "name"),
        ("No HP", "phone"),
        ("No. WA", "phone"),
        ("Nomor HP/WA", "phone"),
        ("Phone", "phone"),
        ("WhatsApp", "phone"),
        ("Email address", "email"),
        ("Email", "email"),
        ("Alamat lengkap", "address"),
        ("Address", "address"),
        ("Kecamatan", "address"),
        ("Provinsi", "address"),
        ("Keterangan", "notes"),
        ("Notes", "notes"),
        ("Order", "items"),
        ("Produk", "items"),
        ("Item", "items"),
        ("Pilih produk", "items"),
        ("Qty", "quantity"),
        ("Quantity", "quantity"),
        ("Username Instagram", "ignore"),
        ("Bukti transfer", "ignore"),
        ("", "ignore"),
    ],
)
def test_titles_in_indonesian_or_english_any_case(title, role):
    assert guess_mapping([title], CATALOGUE) == [role]


def test_a_column_whose_title_names_one_variant_counts_that_variant():
    titles = [
        "Jumlah pesanan [Kaos Polos Hitam M]",  # a Google Forms grid row
        "Kaos Polos [Putih L]",  # the grid names only the variant
        "Kaos Polos - Hitam - L",
        "Putih M",
        "Tote Bag",
        "Kaos Polos",  # a product, but which variant?
    ]

    assert guess_mapping(titles, CATALOGUE) == [
        "variant:KP-HITAM-M",
        "variant:KP-PUTIH-L",
        "variant:KP-HITAM-L",
        "variant:KP-PUTIH-M",
        "variant:TOTE",
        "ignore",
    ]


def test_the_roles_offered_are_fixed_with_labels():
    assert [value for value, _label in ROLES] == [
        "ignore",
        "timestamp",
        "name",
        "phone",
        "email",
        "address",
        "notes",
        "items",
        "quantity",
    ]
    with _english():
        assert str(dict(ROLES)["phone"]) == "Phone (WhatsApp)"


def test_one_order_per_row_from_the_items_column_and_the_quantity_column():
    sheet = read_sheet(GOOGLE_FORMS.encode())

    budi, sari = orders_from_sheet(sheet, guess_mapping(sheet.columns, CATALOGUE), CATALOGUE)

    assert (budi.row, sari.row) == (2, 4)
    assert budi.ok and sari.ok, (budi.errors, sari.errors)
    assert (budi.name, budi.phone, budi.email) == (
        "Budi Santoso",
        "+6281234567890",
        "budi@example.com",
    )
    assert budi.address.replace("\n", " ") == "Jl. Melati No. 5 RT 01/RW 02, Bandung, 40115"
    assert [(i.sku, i.quantity) for i in budi.items] == [("KP-HITAM-M", 2), ("TOTE", 1)]
    # The "Jumlah" column gives the quantity of the one item written without its own.
    assert [(i.sku, i.quantity) for i in sari.items] == [("KP-PUTIH-L", 3)]
    assert sari.notes == "tolong dibungkus kado"
    assert sari.phone == "+6281322223333"
    assert "assumed_quantity" not in [w.code for w in sari.warnings]
    assert budi.quantities() == {1: 2, 9: 1}


def test_a_semicolon_csv_from_excel_with_one_column_per_variant():
    data = (
        "Timestamp;Nama;No HP;Alamat;Jumlah pesanan [Kaos Polos Hitam M];"
        "Jumlah pesanan [Kaos Polos Putih L];Jumlah pesanan [Tote Bag]\r\n"
        "12/08/2025 19:03;Dewi Ayu;081233334444;Jl. Mawar 1, Sleman;2 pcs;;1\r\n"
        "12/08/2025 19:04;Agus;081255556666;Jl. Cempaka 2, Depok;0;x2;\r\n"
    ).encode("cp1252")
    sheet = read_sheet(data)
    assert len(sheet.columns) == 7

    dewi, agus = orders_from_sheet(sheet, guess_mapping(sheet.columns, CATALOGUE), CATALOGUE)

    assert dewi.ok and agus.ok
    assert [(i.sku, i.quantity) for i in dewi.items] == [("KP-HITAM-M", 2), ("TOTE", 1)]
    assert [(i.sku, i.quantity) for i in agus.items] == [("KP-PUTIH-L", 2)]
    assert dewi.address == "Jl. Mawar 1, Sleman"


def test_a_quantity_that_is_not_a_number_is_an_error_quoting_the_cell():
    data = (
        b"Nama,No HP,Alamat,Kaos Polos Hitam M,Tote Bag\n"
        b"Rina,081277778888,Jl. Anggrek 3,dua lusin,banyak\n"
    )
    sheet = read_sheet(data)

    (rina,) = orders_from_sheet(sheet, guess_mapping(sheet.columns, CATALOGUE), CATALOGUE)

    assert not rina.ok and "bad_quantity" in rina.error_codes()
    with _english():
        assert any("banyak" in str(p) and "Tote Bag" in str(p) for p in rina.errors)
    # The cells that are numbers still count: "dua lusin" is 24; the other stays, to correct.
    assert [(i.sku, i.quantity) for i in rina.items] == [("KP-HITAM-M", 24), ("TOTE", None)]
    # The preview's "check again" reads the order from its fields: the error is still there.
    again = order_from_fields(
        name=rina.name,
        phone=rina.phone,
        address=rina.address,
        items=items_text(rina.items),
        catalogue=CATALOGUE,
    )
    assert "bad_quantity" in again.error_codes()


def test_a_bad_quantity_column_is_an_error_and_missing_fields_are_the_parsers_errors():
    data = b"Nama,Pesanan,Jumlah\nTono,Tote Bag,banyak\n"
    sheet = read_sheet(data)

    (tono,) = orders_from_sheet(sheet, guess_mapping(sheet.columns, CATALOGUE), CATALOGUE)

    assert {"bad_quantity", "missing_phone", "missing_address"} <= set(tono.error_codes())


def test_rows_with_nothing_but_a_timestamp_are_not_orders():
    data = b"Timestamp,Nama,No HP,Alamat,Pesanan\n2025-08-12 10:00,,,,\n"
    sheet = read_sheet(data)

    assert orders_from_sheet(sheet, guess_mapping(sheet.columns, CATALOGUE), CATALOGUE) == []


def test_a_mapping_chosen_by_hand_wins_and_rows_without_numbers_count_from_two():
    sheet = Sheet(
        columns=["Kolom A", "Kolom B", "Kolom C", "Kolom D"],
        rows=[["Intan", "081299990000", "Jl. Dahlia 4", "tote bag 2"]],
    )

    (intan,) = orders_from_sheet(sheet, ["name", "phone", "address", "items"], CATALOGUE)

    assert intan.ok and intan.row == 2
    assert [(i.sku, i.quantity) for i in intan.items] == [("TOTE", 2)]


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("2", 2),
        ("2 pcs", 2),
        ("x2", 2),
        ("3 buah", 3),
        ("1 lusin", 12),
        ("", 0),
        ("0", 0),
        ("-", 0),
        ("-1", None),
        ("banyak", None),
        ("1,5", None),
    ],
)
def test_a_cells_units(text, units):
    assert cell_quantity(text) == units


def test_the_zip_google_forms_downloads_is_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("PO Kaos (Responses).csv", GOOGLE_FORMS.encode())

    sheet = read_sheet(buffer.getvalue())

    assert sheet.columns[1] == "Nama lengkap" and len(sheet.rows) == 2


def test_an_xlsx_is_read():
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(["Nama", "No HP", "Alamat", "Jumlah [Tote Bag]"])
    worksheet.append(["Eko", "081211112222", "Jl. Flamboyan 7", 2])
    buffer = io.BytesIO()
    workbook.save(buffer)

    sheet = read_sheet(buffer.getvalue())
    (eko,) = orders_from_sheet(sheet, guess_mapping(sheet.columns, CATALOGUE), CATALOGUE)

    assert sheet.rows == [["Eko", "081211112222", "Jl. Flamboyan 7", "2"]]
    assert eko.ok and [(i.sku, i.quantity) for i in eko.items] == [("TOTE", 2)]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04garbage", ".zip"),
        (b"1,2,3\n4,5,6\n", "column titles"),
        (b"Nama,No HP,Alamat\n", "no responses"),
    ],
)
def test_a_file_that_is_not_a_sheet_of_responses_is_refused_with_a_reason(data, words):
    with _english():
        with pytest.raises(UnreadableSheet) as refused:
            read_sheet(data)
        assert words.lower() in refused.value.message.lower()
    assert refused.value.code == "unreadable_sheet"


def test_too_many_rows_or_columns_are_refused_naming_the_limit():
    rows = "Nama,No HP\n" + "Budi,0812\n" * (MAX_ROWS + 1)
    with _english(), pytest.raises(UnreadableSheet, match=f"{MAX_ROWS}"):
        read_sheet(rows.encode())

    wide = ",".join(f"Kolom {n}" for n in range(150)) + "\n" + ",".join(["x"] * 150) + "\n"
    with _english(), pytest.raises(UnreadableSheet, match="columns"):
        read_sheet(wide.encode())


def test_a_ragged_file_is_padded_and_blank_trailing_cells_do_not_count_as_columns():
    data = ("Nama,No HP,Alamat" + "," * 200 + "\nBudi,0812\n").encode()

    sheet = read_sheet(data)

    assert sheet.columns == ["Nama", "No HP", "Alamat"]
    assert sheet.rows == [["Budi", "0812", ""]]
