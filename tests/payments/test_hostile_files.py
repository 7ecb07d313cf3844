"""The files of an outside probe, built here: each is refused before it costs anything, or stored
without what it should not show.

An XLSX of 200 KB that unpacks to 80 MB (it held the statement import for 34 s), one that claims
a million rows of 16,384 columns, a CSV of nothing but line ends, a 30 MB payment proof, proofs
of 144 and 196 megapixels, and phone photos that carry their GPS position.
"""

import io
import os
import stat
import time
import tracemalloc
import zipfile
from collections.abc import Iterable

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from openpo.catalog.services import add_product
from openpo.catalog.services.photos import add_product_photo
from openpo.payments.models import PaymentProof, StatementImport, StatementLine
from openpo.payments.services.statements import import_statement
from openpo.payments.statements.errors import StatementError
from openpo.payments.statements.reading import read_rows
from openpo.payments.uploads import proof_storage
from tests import factories
from tests.pictures import assert_no_metadata, phone_photo
from tests.streamed_upload import MB, StreamedUpload

pytestmark = pytest.mark.django_db

SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SHEET_END = b"</sheetData></worksheet>"


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages read in English (the pages of the client tests choose their own language)."""
    with translation.override("en"):
        yield


def xlsx(sheet: Iterable[bytes], *, extra_parts: int = 0) -> bytes:
    """A workbook whose first sheet's XML is `sheet` (written as it comes, never held whole)."""
    from openpyxl import Workbook

    plain = io.BytesIO()
    Workbook().save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                book.writestr(info, source.read(info.filename))
        with book.open("xl/worksheets/sheet1.xml", "w") as target:
            for piece in sheet:
                target.write(piece)
        for number in range(extra_parts):
            book.writestr(f"customXml/item{number}.xml", b"<x/>")
    return out.getvalue()


def repeated_rows(unpacked: int, cells_per_row: int = 4000) -> Iterable[bytes]:
    """Sheet XML of wide identical rows, `unpacked` bytes in all: it packs about 400 times."""
    yield SHEET_START + b"<sheetData>"
    row = b"<row>" + b'<c t="n"><v>1</v></c>' * cells_per_row + b"</row>"
    for _ in range(unpacked // len(row)):
        yield row
    yield SHEET_END


def test_an_xlsx_that_unpacks_to_80_mb_is_refused_at_once_and_nothing_is_imported(shop):
    bomb = xlsx(repeated_rows(80 * MB))
    assert len(bomb) < 400 * 1024

    started = time.perf_counter()
    with pytest.raises(StatementError) as refused:
        import_statement(shop=shop, file=bomb, file_name="mutasi.xlsx")
    elapsed = time.perf_counter() - started

    assert elapsed < 2  # was 34 s
    assert "more than 20 MB" in refused.value.message
    assert not StatementImport.objects.exists() and not StatementLine.objects.exists()


def test_an_xlsx_packed_far_tighter_than_a_banks_is_refused_before_it_is_read():
    bomb = xlsx(repeated_rows(15 * MB))  # under the 20 MB total, packed ~400 times

    started = time.perf_counter()
    with pytest.raises(StatementError) as refused:
        read_rows(bomb)

    assert time.perf_counter() - started < 1
    assert "more than 100 times tighter" in refused.value.message


def test_an_xlsx_of_hundreds_of_parts_is_refused():
    crowded = xlsx([SHEET_START, b"<sheetData>", SHEET_END], extra_parts=300)
    with pytest.raises(StatementError) as refused:
        read_rows(crowded)
    assert "more than 100 parts" in refused.value.message


def test_an_xlsx_that_claims_a_million_rows_of_16384_columns_stops_at_the_row_limit():
    # A few hundred bytes: one real row, then row 1,048,576. openpyxl fills the rows between
    # with empty ones as wide as the declared sheet (16,384 columns); read whole, 2.6 GB.
    ghost = xlsx(
        [
            SHEET_START,
            b'<dimension ref="A1:XFD1048576"/><sheetData>',
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>Tanggal</t></is></c></row>',
            b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
            SHEET_END,
        ]
    )

    tracemalloc.start()
    try:
        with pytest.raises(StatementError) as refused:
            read_rows(ghost)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "more than 20000 lines" in refused.value.message
    assert peak < 100 * MB


def test_an_xlsx_whose_rows_reach_column_16384_is_read_only_as_wide_as_its_values():
    # Each row: one amount and an empty cell in the last column Excel has (XFD).
    rows = (
        f'<row r="{n}"><c r="A{n}"><v>1000</v></c><c r="XFD{n}"/></row>' for n in range(1, 2001)
    )
    wide = xlsx([SHEET_START, b"<sheetData>", *(row.encode() for row in rows), SHEET_END])

    tracemalloc.start()
    try:
        read = read_rows(wide)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(read) == 2000 and {len(row) for row in read} == {1}
    assert peak < 100 * MB  # padded to 16,384 columns, 260 MB


def test_a_csv_of_nothing_but_line_ends_is_refused_without_splitting_it():
    empty_lines = b"\n" * (3 * MB)

    tracemalloc.start()
    try:
        with pytest.raises(StatementError) as refused:
            read_rows(b"Tanggal,Keterangan,Jumlah" + empty_lines)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "more than 20000 lines" in refused.value.message
    assert peak < 50 * MB  # split four ways first, it took 800 MB


@pytest.fixture
def order(campaign, buyer, now):
    return factories.order(campaign, buyer=buyer, now=now)


@pytest.fixture
def english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_30_mb_proof_is_refused_before_any_of_it_is_read(english, order):
    upload = StreamedUpload("proof", "bukti.jpg", head=b"\xff\xd8\xff\xe0", size=30 * MB)

    response = upload.post(english, f"/o/{order.secret}/proof/")

    assert response.status_code == 413
    assert "The file is too large: at most 10 MB." in response.content.decode()
    assert upload.bytes_read == 0  # was 30 MB, written to a temporary file first
    assert not PaymentProof.objects.exists()


@pytest.mark.parametrize("side", [12_000, 14_000])  # 144 MP (Pillow only warns), 196 MP
def test_a_proof_of_too_many_pixels_is_refused_clearly(english, order, side):
    upload = SimpleUploadedFile(
        "bukti.png", factories.black_png(side, side), content_type="image/png"
    )

    response = english.post(f"/o/{order.secret}/proof/", {"proof": upload})

    assert response.status_code == 422
    assert "The picture has too many pixels (more than 60 megapixels)." in (
        response.content.decode()
    )
    assert not PaymentProof.objects.exists()


def test_a_proof_photo_is_stored_upright_without_its_gps_position_and_private(english, order):
    upload = SimpleUploadedFile("bukti.jpg", phone_photo("JPEG"), content_type="image/jpeg")

    english.post(f"/o/{order.secret}/proof/", {"proof": upload})

    proof = PaymentProof.objects.get()
    with proof.file.open("rb") as stored:
        data = stored.read()
    assert_no_metadata(data)
    with Image.open(io.BytesIO(data)) as picture:
        assert (picture.format, picture.size) == ("JPEG", (48, 64))
    # The private storage keeps a PDF as it came.
    receipt = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<< /Author (Sari) >>\nendobj\n"
    storage = proof_storage()
    name = storage.save(f"{order.shop_id}/{order.pk}/struk.pdf", ContentFile(receipt))
    with storage.open(name) as stored:
        assert stored.read() == receipt
    for path in (proof.file.path, storage.path(name)):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_product_photo_and_its_thumbnail_show_no_gps_position(campaign, fmt):
    product = add_product(campaign=campaign, name="Kaos Batik")
    upload = SimpleUploadedFile("kaos", phone_photo(fmt, size=(900, 600)))

    photo = add_product_photo(product=product, image=upload)

    for stored in (photo.image, photo.thumbnail):
        with stored.open("rb") as file:
            assert_no_metadata(file.read())
    with Image.open(photo.image.path) as picture:
        assert picture.size == (600, 900)  # upright
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert thumbnail.size == (480, 720)


def test_the_shop_logo_shows_no_gps_position(client, alice, shop):
    client.force_login(alice)
    fields = {
        "name": shop.name,
        "slug": shop.slug,
        "whatsapp_number": shop.whatsapp_number,
        "email": shop.email,
        "timezone": shop.timezone,
        "brand_color": shop.brand_color,
        "static_qris": shop.static_qris,
        "default_payment_window_hours": shop.default_payment_window_hours,
        "message_language": shop.message_language,
    }
    upload = SimpleUploadedFile("logo.jpg", phone_photo("JPEG"), content_type="image/jpeg")

    assert client.post("/dashboard/settings/", {**fields, "logo": upload}).status_code == 302

    shop.refresh_from_db()
    with shop.logo.open("rb") as logo:
        assert_no_metadata(logo.read())
