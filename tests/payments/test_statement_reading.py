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
