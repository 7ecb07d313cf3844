"""Reading bank statements as the banks write them: amounts, dates, header lines, presets and
detection, and files that cannot be read."""

import io
import re
import zipfile
from datetime import date

import pytest
from django.utils import translation

from openpo.payments.services.statements import read_statement, resolve_mapping
from openpo.payments.statements.errors import StatementError, UnknownStatementFormat
from openpo.payments.statements.fingerprints import fingerprints
from openpo.payments.statements.lines import Transaction
from openpo.payments.statements.numbers import (
    CREDIT,
    DEBIT,
    BadValue,
    YearGuess,
    parse_amount,
    parse_date,
)
from openpo.payments.statements.reading import read_rows
from tests.payments.statement_world import IMPORTED_AT, mandiri_xlsx, sample

CREDITS = [
    (date(2025, 11, 2), 2_500_000),
    (date(2025, 11, 3), 135_123),
    (date(2025, 11, 4), 255_000),
    (date(2025, 11, 5), 375_321),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.500.000,00", (1_500_000, None)),
        ("1,500,000.00", (1_500_000, None)),
        ("1500000", (1_500_000, None)),
        ("Rp 1.500.000", (1_500_000, None)),
        ("Rp1.500.000,00", (1_500_000, None)),
        ("IDR 1,500,000.00 CR", (1_500_000, CREDIT)),
        ("135,123.00 DB", (135_123, DEBIT)),
        ("-120.123", (120_123, DEBIT)),
        ("(50.000)", (50_000, DEBIT)),
        (".00", (0, None)),
        ("", (0, None)),
        (255_000.0, (255_000, None)),
        (-10_000, (10_000, DEBIT)),
    ],
)
def test_it_reads_amounts_in_indonesian_and_english_formats(text, expected):
    assert parse_amount(text) == expected


def test_it_refuses_words_as_an_amount():
    with pytest.raises(BadValue):
        parse_amount("dua ratus ribu")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/11/2025", date(2025, 11, 1)),
        ("'03/11", date(2025, 11, 3)),
        ("2025-11-03", date(2025, 11, 3)),
        ("03-Nov-2025", date(2025, 11, 3)),
        ("03 Agu 2025", date(2025, 8, 3)),
        ("03 Des 2025", date(2025, 12, 3)),
        ("03 Nopember 2025", date(2025, 11, 3)),
        ("02/11/25 08:10:11", date(2025, 11, 2)),
        ("02.11.2025", date(2025, 11, 2)),
        (45_964, date(2025, 11, 3)),
    ],
)
def test_it_reads_the_dates_banks_write(text, expected):
    assert parse_date(text, year_for=YearGuess(date(2025, 11, 30))) == expected


def test_a_date_without_a_year_in_a_statement_ending_in_january_is_of_the_year_before():
    guess = YearGuess(date(2026, 1, 5))
    assert parse_date("'30/12", year_for=guess) == date(2025, 12, 30)
    assert parse_date("'02/01", year_for=guess) == date(2026, 1, 2)


@pytest.mark.parametrize("bank", ["bca", "mandiri", "bri", "bni", "generic"])
def test_each_preset_reads_its_banks_export(shop, bank):
    format_name, parsed = read_statement(
        shop=shop, data=sample(f"{bank}.csv"), mapping=bank, now=IMPORTED_AT
    )
    assert format_name == bank
    assert [(t.posted_on, t.amount) for t in parsed.credits] == CREDITS
    assert parsed.debits == 2


@pytest.mark.parametrize("bank", ["bca", "mandiri", "bri", "bni", "generic"])
def test_the_format_is_detected_without_a_preset(shop, bank):
    format_name, parsed = read_statement(
        shop=shop, data=sample(f"{bank}.csv"), mapping=None, now=IMPORTED_AT
    )
    assert format_name == bank
    assert len(parsed.credits) == 4


def test_bca_pending_lines_are_counted_not_imported(shop):
    _format, parsed = read_statement(
        shop=shop, data=sample("bca.csv"), mapping="bca", now=IMPORTED_AT
    )
    assert parsed.pending == 1
    assert 50_000 not in [t.amount for t in parsed.credits]


def test_bca_takes_the_year_from_the_statement_period(shop):
    _format, parsed = read_statement(
        shop=shop, data=sample("bca.csv"), mapping="bca", now=IMPORTED_AT.replace(year=2027)
    )
    assert {t.posted_on.year for t in parsed.transactions} == {2025}


def test_an_xlsx_export_with_date_and_number_cells_is_read(shop):
    format_name, parsed = read_statement(
        shop=shop, data=mandiri_xlsx(), mapping=None, now=IMPORTED_AT
    )
    assert format_name == "mandiri"
    assert [(t.posted_on, t.amount) for t in parsed.credits] == CREDITS


def test_an_unknown_layout_asks_for_the_columns(shop):
    rows = read_rows(sample("unknown.csv"))
    with pytest.raises(UnknownStatementFormat):
        resolve_mapping(rows, None)


def test_a_preset_that_does_not_fit_the_file_says_so(shop):
    with pytest.raises(StatementError) as error:
        read_statement(shop=shop, data=sample("bri.csv"), mapping="bca", now=IMPORTED_AT)
    assert "BCA" in error.value.message


def test_a_broken_line_is_named_with_what_is_wrong(shop):
    with pytest.raises(StatementError) as error:
        read_statement(shop=shop, data=sample("broken.csv"), mapping=None, now=IMPORTED_AT)
    assert "3" in error.value.message and "2025-11-31" in error.value.message
    assert "dua ratus ribu" in error.value.message


@pytest.mark.parametrize(
    "data", [b"", b"%PDF-1.4 ...", b"\xd0\xcf\x11\xe0\x00\x00old xls", b"PK\x03\x04broken zip"]
)
def test_files_that_are_not_csv_or_xlsx_are_refused(data):
    with pytest.raises(StatementError):
        read_rows(data)


def _sheet(rows: list[list[object]], *, declared: str | None = None) -> bytes:
    """An XLSX of these rows; `declared` replaces the sheet's own dimension (A1:XFD…)."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    if declared is None:
        return out.getvalue()
    source, rewritten = zipfile.ZipFile(out), io.BytesIO()
    with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{declared}"'.encode(), data
                )
            target.writestr(info, data)
    return rewritten.getvalue()


def test_a_line_longer_than_4000_characters_is_refused_by_its_number():
    data = b"Tanggal,Keterangan,Jumlah\n01/11/2025,TRANSFER " + b"A" * 5000 + b",10000\n"
    with translation.override("en"), pytest.raises(StatementError) as error:
        read_rows(data)
    assert "Baris 2" in error.value.message and "4000 karakter" in error.value.message


def test_a_csv_with_more_than_50_columns_of_values_is_refused():
    data = ",".join(str(n) for n in range(60)).encode() + b"\n"
    with translation.override("en"), pytest.raises(StatementError) as error:
        read_rows(data * 3)
    assert "lebih dari 50 kolom" in error.value.message


def test_empty_cells_past_column_50_are_dropped_not_refused():
    line = b"01/11/2025,TRANSFER DARI SARI,135123" + b"," * 70 + b"\n"
    rows = read_rows(line * 3)
    assert rows[0][:3] == ["01/11/2025", "TRANSFER DARI SARI", "135123"]
    assert max(len(row) for row in rows) == 50


def test_an_xlsx_declaring_16384_columns_gives_rows_as_wide_as_their_cells():
    rows = read_rows(_sheet([["Tanggal", "Jumlah"], ["01/11/2025", 135_123]], declared="A1:XFD2"))
    assert rows == [["Tanggal", "Jumlah"], ["01/11/2025", 135_123]]


def test_an_xlsx_with_a_value_in_column_51_is_refused():
    with translation.override("en"), pytest.raises(StatementError) as error:
        read_rows(_sheet([["Tanggal", "Jumlah"] + [None] * 48 + ["catatan"]]))
    assert "lebih dari 50 kolom" in error.value.message


def test_identical_lines_without_a_balance_get_distinct_stable_fingerprints():
    line = Transaction(1, date(2025, 11, 3), "TRF  'SARI'", 135_123, CREDIT, None)
    twin = Transaction(2, date(2025, 11, 3), "trf sari", 135_123, CREDIT, None)
    first = fingerprints(shop_id=1, transactions=[line, twin])
    again = fingerprints(shop_id=1, transactions=[twin, line])
    assert first[0] != first[1]
    assert first == again
    assert fingerprints(shop_id=2, transactions=[line]) != first[:1]


def _generic(lines: str) -> bytes:
    return ("Tanggal,Keterangan,Jumlah\n" + lines).encode()


def test_a_line_past_the_largest_amount_is_named_and_nothing_is_read(shop, now):
    data = _generic('01/08/2026,TRF SARI,150.000\n02/08/2026,SALAH KETIK,"99.999.999.999"\n')

    with translation.override("en"), pytest.raises(StatementError) as refused:
        read_statement(shop=shop, data=data, mapping="generic", now=now)

    with translation.override("en"):
        message = refused.value.message
    assert "Line 3" in message and "Rp 99.999.999.999" in message


@pytest.mark.parametrize("description", ["TRF \x1b[2J SARI", "\u202eIRAS FRT", "TRF\x07"])
def test_a_description_with_a_control_character_is_named(shop, now, description):
    data = _generic(f'01/08/2026,"{description}",150.000\n')

    with translation.override("en"), pytest.raises(StatementError) as refused:
        read_statement(shop=shop, data=data, mapping="generic", now=now)

    with translation.override("en"):
        message = refused.value.message
    assert "Line 2" in message and "control character" in message


def test_a_file_with_nul_bytes_is_not_read_as_text(shop, now):
    with pytest.raises(StatementError):
        read_statement(
            shop=shop, data=_generic("01/08/2026,TRF\x00SARI,150.000\n"), mapping="generic", now=now
        )


def test_a_description_over_two_lines_reads_as_one(shop, now):
    data = _generic('01/08/2026,"TRF SARI\nPO-7K3Q9",150.000\n')

    _format, parsed = read_statement(shop=shop, data=data, mapping="generic", now=now)

    assert parsed.transactions[0].description == "TRF SARI PO-7K3Q9"


# Two more bank exports (issue 12, item 7): BRI Internet Banking's "Mutasi Rekening" CSV and a
# Livin' by Mandiri e-statement saved as CSV by Excel, each detected and read without a column
# choice, with the variations other real exports show.

BRI_IB_FIRST = (
    date(2025, 11, 2),
    2_500_000,
    "SETORAN TUNAI KCP BANDUNG DAGO Setoran Tunai di Teller KCP Bandung Dago",
)
BRI_IB_LAST = (
    date(2025, 11, 5),
    375_321,
    "BIFAST CR 20251105CENAIDJA010O0212345678 CITRA LESTARI "
    "Transfer BI-Fast Dari BANK CENTRAL ASIA - CITRA LESTARI",
)
LIVIN_FIRST = (date(2025, 11, 2), 2_500_000, "Setoran Tunai KCP Bandung Dago")
LIVIN_LAST = (
    date(2025, 11, 5),
    375_321,
    "Transfer BI-FAST Dari CITRA LESTARI BRI - 002101234567",
)
SHORT_CREDITS = [
    (date(2025, 11, 3), 135_123, "TRANSFER DARI SARI WULANDARI"),
    (date(2025, 11, 4), 255_000, "TRANSFER DARI BUDI SANTOSO"),
]


def read(shop, data: bytes, mapping=None):
    return read_statement(shop=shop, data=data, mapping=mapping, now=IMPORTED_AT)


def credits_of(parsed) -> list[tuple[date, int, str]]:
    return [(t.posted_on, t.amount, t.description) for t in parsed.credits]


def test_bri_internet_banking_csv_is_detected_and_read(shop):
    format_name, parsed = read(shop, sample("bri_ib.csv"))

    assert format_name == "bri"
    credits = credits_of(parsed)
    assert [(d, a) for d, a, _text in credits] == CREDITS
    assert sum(a for _d, a, _text in credits) == 3_265_444
    assert (credits[0], credits[-1]) == (BRI_IB_FIRST, BRI_IB_LAST)
    # Each line's closing balance (SALDO_AKHIR_MUTASI), not its opening one.
    assert [t.balance for t in parsed.credits] == [12_500_000, 12_625_123, 11_377_623, 11_752_944]
    assert parsed.debits == 4
    assert sum(t.amount for t in parsed.transactions if t.direction == DEBIT) == 1_558_000


def test_bri_internet_banking_writes_a_remark_repeated_by_another_column_once(shop):
    _format, parsed = read(shop, sample("bri_ib.csv"))
    fee = next(t for t in parsed.transactions if t.amount == 10_000)
    assert fee.description == "BIAYA ADM Biaya Administrasi Bulanan"
    data = (
        b'"TGL_TRAN","DESK_TRAN","MUTASI_DEBET","MUTASI_KREDIT","GLSIGN","REMARK_CUSTOM"\n'
        b'"2025-11-03 10:21:45","TRANSFER DARI SARI WULANDARI",".00","135123.00","Cr",'
        b'"Transfer dari Sari Wulandari"\n'
        b'"2025-11-04 19:40:02","QRIS115320512004#9360000200122788552",".00","255000.00","Cr",'
        b'"QRIS115320512004#9360000200122788552"\n'
    )
    _format, parsed = read(shop, data)
    assert [t.description for t in parsed.credits] == [
        "TRANSFER DARI SARI WULANDARI",
        "QRIS115320512004#9360000200122788552",
    ]


@pytest.mark.parametrize(
    "text",
    [
        # The columns of the brief layout, with a D/K mark.
        '"TGL_TRAN","DESK_TRAN","SALDO_AWAL_MUTASI","MUTASI_DEBET","MUTASI_KREDIT",'
        '"SALDO_AKHIR_MUTASI","D/K"\n'
        '"03/11/25 10:21:45","TRANSFER DARI SARI WULANDARI","12490000.00",".00","135123.00",'
        '"12625123.00","K"\n'
        '"03/11/25 13:02:10","TRANSFER KE CV KAIN JAYA","12625123.00","1500000.00",".00",'
        '"11125123.00","D"\n'
        '"04/11/25 19:40:02","TRANSFER DARI BUDI SANTOSO","11125123.00",".00","255000.00",'
        '"11380123.00","K"\n',
        # Indonesian labels and numbers, `;`, account lines above and a summary under.
        "Mutasi Rekening;;;;;;\n"
        "Nomor Rekening;0123-01-000123-30-1;;;;;\n"
        "Periode;01/11/2025 - 05/11/2025;;;;;\n"
        ";;;;;;\n"
        "Tanggal Transaksi;Deskripsi Transaksi;Saldo Awal;Mutasi Debet;Mutasi Kredit;"
        "Saldo Akhir;Cr/Db\n"
        "03/11/2025 10:21:45;TRANSFER DARI SARI WULANDARI;12.490.000,00;0,00;135.123,00;"
        "12.625.123,00;Cr\n"
        "03/11/2025 13:02:10;TRANSFER KE CV KAIN JAYA;12.625.123,00;1.500.000,00;0,00;"
        "11.125.123,00;Db\n"
        "04/11/2025 19:40:02;TRANSFER DARI BUDI SANTOSO;11.125.123,00;0,00;255.000,00;"
        "11.380.123,00;Cr\n"
        ";;;;;;\n"
        "Saldo Awal;12.490.000,00;;;;;\n"
        "Mutasi Debet;1.500.000,00;;;;;\n"
        "Mutasi Kredit;390.123,00;;;;;\n"
        "Saldo Akhir;11.380.123,00;;;;;\n",
        # Another column order: credit before debit, the remark first.
        '"REMARK_CUSTOM","SALDO_AKHIR_MUTASI","MUTASI_KREDIT","MUTASI_DEBET","GLSIGN",'
        '"TGL_TRAN","DESK_TRAN"\n'
        '"","12625123.00","135123.00",".00","Cr","2025-11-03 10:21:45",'
        '"TRANSFER DARI SARI WULANDARI"\n'
        '"","11125123.00",".00","1500000.00","Db","2025-11-03 13:02:10",'
        '"TRANSFER KE CV KAIN JAYA"\n'
        '"","11380123.00","255000.00",".00","Cr","2025-11-04 19:40:02",'
        '"TRANSFER DARI BUDI SANTOSO"\n',
        # One amount column with its Cr/Db mark.
        '"TGL_TRAN","DESK_TRAN","MUTASI","GLSIGN","SALDO_AKHIR_MUTASI"\n'
        '"2025-11-03","TRANSFER DARI SARI WULANDARI","135123.00","Cr","12625123.00"\n'
        '"2025-11-03","TRANSFER KE CV KAIN JAYA","1500000.00","Db","11125123.00"\n'
        '"2025-11-04","TRANSFER DARI BUDI SANTOSO","255000.00","Cr","11380123.00"\n',
    ],
    ids=["brief-columns", "indonesian-labels", "column-order", "one-amount-column"],
)
def test_bri_internet_banking_variations_are_read(shop, text):
    format_name, parsed = read(shop, text.encode())

    assert format_name == "bri"
    assert credits_of(parsed) == SHORT_CREDITS
    assert parsed.debits == 1
    assert [t.balance for t in parsed.credits] == [12_625_123, 11_380_123]


def test_a_livin_estatement_saved_by_excel_is_detected_and_read(shop):
    format_name, parsed = read(shop, sample("mandiri_livin.csv"))

    assert format_name == "mandiri"
    credits = credits_of(parsed)
    assert [(d, a) for d, a, _text in credits] == CREDITS
    assert sum(a for _d, a, _text in credits) == 3_265_444
    assert (credits[0], credits[-1]) == (LIVIN_FIRST, LIVIN_LAST)
    # A remark over three rows, the time row between; one quoted over two lines.
    assert credits[1][2] == "Transfer BI-FAST Dari SARI WULANDARI BCA - 0123456789"
    assert credits[2][2] == "Transfer dari BUDI SANTOSO PO BATIK 2 PCS Livin\u2019 by Mandiri"
    assert parsed.debits == 3
    debits = [(t.amount, t.description) for t in parsed.transactions if t.direction == DEBIT]
    assert debits == [
        (10_000, "Biaya Administrasi"),
        (1_500_000, "Transfer ke CV KAIN JAYA Bank Mandiri - 1310098765432"),
        (48_000, "Pembayaran QRIS TOKO KEMASAN SINAR - Bandung"),
    ]
    assert parsed.transactions[-1].balance == 11_707_444


def livin(*lines: str) -> bytes:
    """A Livin' statement saved by Excel: the lines joined, in Windows-1252."""
    return "\r\n".join(lines).encode("cp1252")


LIVIN_TOP = (
    "e-Statement;;;;;;",
    "Nama/Name;;: ALICE PRATIWI;;;;",
    "Periode/Period;;: 01 Nov 2025 - 05 Nov 2025;;;;",
    ";;;;;;",
)


@pytest.mark.parametrize(
    "lines",
    [
        # No bilingual part, no time rows, no title.
        (
            "Tanggal;Keterangan;Debit;Kredit;Saldo",
            "03/11/2025;TRANSFER DARI SARI WULANDARI;;135.123,00;12.625.123,00",
            "03/11/2025;TRANSFER KE CV KAIN JAYA;1.500.000,00;;11.125.123,00",
            "04/11/2025;TRANSFER DARI BUDI SANTOSO;;255.000,00;11.380.123,00",
        ),
        # A bilingual header over two rows, the time row under each date.
        (
            *LIVIN_TOP,
            "No;Tanggal;Keterangan;;Debit;Kredit;Saldo",
            ";Date;Remarks;;Debit;Credit;Balance",
            "1;03 Nov 2025;TRANSFER DARI;;;135.123,00;12.625.123,00",
            ";10:21:45 WIB;SARI WULANDARI;;;;",
            "2;03 Nov 2025;TRANSFER KE;;1.500.000,00;;11.125.123,00",
            ";13:02:10 WIB;CV KAIN JAYA;;;;",
            "3;04 Nov 2025;TRANSFER DARI;;;255.000,00;11.380.123,00",
            ";19:40:02 WIB;BUDI SANTOSO;;;;",
        ),
        # Another column order; the date and its time in one cell.
        (
            *LIVIN_TOP,
            "Saldo / Balance;Kredit / Credit;Debit;Keterangan / Remarks;Tanggal / Date",
            "12.625.123,00;135.123,00;0,00;TRANSFER DARI SARI WULANDARI;"
            '"03 Nov 2025\n10:21:45 WIB"',
            '11.125.123,00;0,00;1.500.000,00;TRANSFER KE CV KAIN JAYA;"03 Nov 2025\n13:02:10 WIB"',
            '11.380.123,00;255.000,00;0,00;TRANSFER DARI BUDI SANTOSO;"04 Nov 2025\n19:40:02 WIB"',
        ),
        # One signed amount column (the e-statement as printed), an opening balance row and a
        # trailing summary.
        (
            *LIVIN_TOP,
            "No;Tanggal / Date;Keterangan / Remarks;Nominal (IDR) / Amount (IDR);"
            "Saldo (IDR) / Balance (IDR)",
            ";01 Nov 2025;Saldo Awal / Opening Balance;;12.490.000,00",
            "1;03 Nov 2025;TRANSFER DARI SARI WULANDARI;+135.123,00;12.625.123,00",
            ";10:21:45 WIB;;;",
            "2;03 Nov 2025;TRANSFER KE CV KAIN JAYA;-1.500.000,00;11.125.123,00",
            ";13:02:10 WIB;;;",
            "3;04 Nov 2025;TRANSFER DARI BUDI SANTOSO;+255.000,00;11.380.123,00",
            ";19:40:02 WIB;;;",
            ";;;;",
            "Saldo Akhir / Closing Balance;;;;11.380.123,00",
            "Dana Masuk / Incoming;;;390.123,00;",
            "Dana Keluar / Outgoing;;;1.500.000,00;",
        ),
        # Dana Masuk / Dana Keluar with the empty columns of merged cells, the remark over two
        # rows without a time, the total under the table.
        (
            "Rekening Koran Bank Mandiri;;;;;;;;;;;",
            ";;;;;;;;;;;",
            "Tanggal;;;Uraian;;;Dana Masuk;;Dana Keluar;;Saldo;",
            "03/11/2025;;;TRANSFER DARI;;;135.123,00;;;;12.625.123,00;",
            ";;;SARI WULANDARI;;;;;;;;",
            "03/11/2025;;;TRANSFER KE;;;;;1.500.000,00;;11.125.123,00;",
            ";;;CV KAIN JAYA;;;;;;;;",
            "04/11/2025;;;TRANSFER DARI;;;255.000,00;;;;11.380.123,00;",
            ";;;BUDI SANTOSO;;;;;;;;",
            "Total;;;;;;390.123,00;;1.500.000,00;;;",
        ),
        # A converter that put some values one column right of their merged header cell.
        (
            *LIVIN_TOP,
            "No;Tanggal / Date;;Keterangan / Remarks;;Debit;;Kredit / Credit;;Saldo / Balance;",
            "1;;03 Nov 2025;;TRANSFER DARI SARI WULANDARI;;;;135.123,00;;12.625.123,00",
            "2;03 Nov 2025;;TRANSFER KE CV KAIN JAYA;;;1.500.000,00;;;11.125.123,00;",
            "3;04 Nov 2025;;TRANSFER DARI BUDI SANTOSO;;;;255.000,00;;;11.380.123,00",
        ),
    ],
    ids=[
        "indonesian-only",
        "two-row-header",
        "column-order",
        "signed-amount",
        "dana-masuk-merged",
        "shifted-cells",
    ],
)
def test_livin_variations_are_read(shop, lines):
    format_name, parsed = read(shop, livin(*lines))

    assert format_name == "mandiri"
    assert [(d, a, text.upper()) for d, a, text in credits_of(parsed)] == SHORT_CREDITS
    assert parsed.debits == 1
    assert [t.balance for t in parsed.credits] == [12_625_123, 11_380_123]


def test_a_livin_estatement_saved_as_xlsx_with_merged_cells_is_read(shop):
    from datetime import datetime, time

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["e-Statement"])
    sheet.append(["Nama/Name", None, None, ": ALICE PRATIWI"])
    sheet.append([])
    header = ["No", "Tanggal / Date", None, "Keterangan / Remarks", None, "Debit", None]
    sheet.append([*header, "Kredit / Credit", None, "Saldo / Balance"])
    for cells in ("B4:C4", "D4:E4", "F4:G4", "H4:I4"):
        sheet.merge_cells(cells)
    lines = [
        (datetime(2025, 11, 3), time(10, 21, 45), "TRANSFER DARI", "SARI WULANDARI", 0, 135_123),
        (datetime(2025, 11, 3), time(13, 2, 10), "TRANSFER KE", "CV KAIN JAYA", 1_500_000, 0),
        (datetime(2025, 11, 4), time(19, 40, 2), "TRANSFER DARI", "BUDI SANTOSO", 0, 255_000),
    ]
    balance = 12_490_000
    for number, (day, at, remark, more, debit, credit) in enumerate(lines, start=1):
        balance += credit - debit
        sheet.append([number, day, None, remark, None, debit or None, None, credit or None])
        sheet.cell(row=sheet.max_row, column=10, value=balance)
        sheet.append([None, at, None, more])
    out = io.BytesIO()
    book.save(out)

    format_name, parsed = read(shop, out.getvalue())

    assert format_name == "mandiri"
    assert [(d, a, text.upper()) for d, a, text in credits_of(parsed)] == SHORT_CREDITS
    assert parsed.debits == 1


def test_a_livin_page_break_with_numbers_in_its_lines_is_skipped(shop):
    data = livin(
        *LIVIN_TOP,
        "No;Tanggal / Date;Keterangan / Remarks;Debit;Kredit / Credit;Saldo / Balance",
        "1;03 Nov 2025;TRANSFER DARI SARI WULANDARI;;135.123,00;12.625.123,00",
        ";10:21:45 WIB;;;;",
        "2;03 Nov 2025;TRANSFER KE CV KAIN JAYA;1.500.000,00;;11.125.123,00",
        ";;;;;",
        "Halaman 1 dari 2 / Page 1 of 2;;;;;",
        "Nomor Rekening/Account Number;;;;1370012345678;",
        ";;;;;",
        "No;Tanggal / Date;Keterangan / Remarks;Debit;Kredit / Credit;Saldo / Balance",
        "3;04 Nov 2025;TRANSFER DARI BUDI SANTOSO;;255.000,00;11.380.123,00",
        ";19:40:02 WIB;;;;",
    )

    _format, parsed = read(shop, data)

    assert credits_of(parsed) == SHORT_CREDITS


def test_the_account_lines_a_page_break_repeats_are_not_lines(shop):
    data = livin(
        "Tanggal / Date;Keterangan / Remarks;Debit;Kredit / Credit;Saldo / Balance",
        "03/11/2025;TRANSFER DARI SARI WULANDARI;;135.123,00;12.625.123,00",
        "03/11/2025;TRANSFER KE CV KAIN JAYA;1.500.000,00;;11.125.123,00",
        ";;;;",
        "Nomor Rekening/Account Number;;;: 1370012345678;",
        "Saldo Awal/Opening Balance;;;12.490.000,00;",
        "Tanggal / Date;Keterangan / Remarks;Debit;Kredit / Credit;Saldo / Balance",
        "04/11/2025;TRANSFER DARI BUDI SANTOSO;;255.000,00;11.380.123,00",
    )

    format_name, parsed = read(shop, data)

    assert format_name == "mandiri"
    assert credits_of(parsed) == SHORT_CREDITS


def test_a_row_under_a_line_with_its_own_amount_and_no_date_is_named(shop):
    data = livin(
        "No;Tanggal / Date;Keterangan / Remarks;Debit;Kredit / Credit;Saldo / Balance",
        "1;03 Nov 2025;TRANSFER DARI SARI WULANDARI;;135.123,00;12.625.123,00",
        ";10:21:45 WIB;TRANSFER DARI BUDI SANTOSO;;255.000,00;12.880.123,00",
    )

    with translation.override("en"), pytest.raises(StatementError) as refused:
        read(shop, data)

    with translation.override("en"):
        assert "Line 3" in refused.value.message


def test_a_wrong_date_after_a_page_break_is_still_named(shop):
    data = livin(
        "No;Tanggal / Date;Keterangan / Remarks;Debit;Kredit / Credit;Saldo / Balance",
        "1;03 Nov 2025;TRANSFER DARI SARI WULANDARI;;135.123,00;12.625.123,00",
        ";;;;;",
        "Halaman 1 dari 2 / Page 1 of 2;;;;;",
        "2;31/11/2025;TRANSFER DARI BUDI SANTOSO;;255.000,00;12.880.123,00",
    )

    with translation.override("en"), pytest.raises(StatementError) as refused:
        read(shop, data)

    with translation.override("en"):
        assert "Line 5" in refused.value.message and "31/11/2025" in refused.value.message


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Kredit / Credit", {"kredit / credit", "kredit", "credit"}),
        ("Tanggal\nDate", {"tanggal date", "tanggal", "date"}),
        ("Nominal (IDR)", {"nominal idr", "nominal"}),
        ("TGL_TRAN", {"tgl tran"}),
        ("D/K", {"d/k"}),
        ("Db/Cr", {"db/cr"}),
    ],
)
def test_header_cells_answer_to_each_of_their_names(cell, names):
    from openpo.payments.statements.presets import header_names

    assert header_names(cell) == names


def test_a_bilingual_debet_kredit_cell_is_not_both_columns(shop):
    data = b"Tanggal;Keterangan;Debet/Kredit;Saldo\n03/11/2025;TRANSFER;135.123,00;1\n"
    with pytest.raises(UnknownStatementFormat):
        read(shop, data)
