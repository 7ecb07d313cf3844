"""The bank statement pages: upload (type and size checked), the column choice for an unknown
format, and the review (one-tap confirm, confirm all, choose, assign by code, ignore)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from openpo.payments.models import Payment, StatementImport, StatementLine
from openpo.payments.services.statements import import_statement
from tests.payments.statement_world import IMPORTED_AT, build_world, mandiri_xlsx, sample

pytestmark = pytest.mark.django_db

URL = "/dashboard/statements/"


@pytest.fixture
def world(shop, buyer):
    return build_world(shop, buyer)


def upload(client, name: str, data: bytes, bank_format: str = ""):
    return client.post(URL, {"file": SimpleUploadedFile(name, data), "bank_format": bank_format})


def test_a_member_sees_the_upload_page(client, bob, shop):
    client.force_login(bob)  # staff, not owner
    response = client.get(URL)
    assert response.status_code == 200
    assert b'id="statement-upload"' in response.content
    assert b'value="bca"' in response.content


def test_uploading_a_statement_imports_it_and_opens_the_review(client, alice, world):
    client.force_login(alice)
    response = upload(client, "mutasi.csv", sample("bca.csv"))

    statement = StatementImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/statements/{statement.pk}/"
    assert (statement.bank_format, statement.file_name) == ("bca", "mutasi.csv")
    assert StatementLine.objects.count() == 4
    assert not Payment.objects.exists()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(response["Location"]).content.decode()
    assert world.sari.code in page and "135.123" in page
    assert world.budi.code in page  # the candidate of the line without kode unik
    assert world.citra.code in page  # the late one's expired order
    assert "Exact matches" in page and "Choose the order" in page


def test_an_xlsx_statement_is_imported(client, alice, world):
    client.force_login(alice)
    upload(client, "Mutasi Livin.xlsx", mandiri_xlsx(), "mandiri")
    assert StatementImport.objects.get().summary["matched"] == 1


def test_a_file_of_another_type_or_too_large_is_refused(client, alice, world):
    client.force_login(alice)
    assert upload(client, "bukti.pdf", b"%PDF-1.4").status_code == 422
    big = b"date,description,amount\n" + b"x" * (5 * 1024 * 1024)
    assert upload(client, "besar.csv", big).status_code == 422
    assert not StatementImport.objects.exists()


def test_a_bad_file_shows_the_line_and_imports_nothing(client, alice, world):
    client.force_login(alice)
    response = upload(client, "rusak.csv", sample("broken.csv"))
    assert response.status_code == 422
    assert "2025-11-31" in response.content.decode()
    assert not StatementImport.objects.exists() and not StatementLine.objects.exists()


def test_an_unknown_format_asks_for_the_columns_then_imports(client, alice, world):
    client.force_login(alice)
    response = upload(client, "export.csv", sample("unknown.csv"))
    assert response.status_code == 302 and "/dashboard/statements/columns/" in response["Location"]
    assert not StatementImport.objects.exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Setoran tunai" in page.content and b'name="date"' in page.content
    token = page.context["form"].initial["upload"]

    missing = client.post("/dashboard/statements/columns/", {"upload": token, "date": "0"})
    assert missing.status_code == 422

    done = client.post(
        "/dashboard/statements/columns/",
        {"upload": token, "date": "0", "description": "1", "amount": "2", "marker": "3"},
    )
    statement = StatementImport.objects.get()
    assert done.status_code == 302 and statement.bank_format == "manual"
    assert statement.summary["matched"] == 1
    assert statement.file_name == "export.csv"


def test_a_made_up_upload_token_is_not_found(client, alice, world):
    client.force_login(alice)
    assert client.get("/dashboard/statements/columns/?upload=../../etc/passwd").status_code == 404


def test_one_tap_confirms_an_exact_match(client, alice, world, shop):
    import_statement(shop=shop, file=sample("bca.csv"), now=IMPORTED_AT)
    line = StatementLine.objects.get(amount=135_123)
    client.force_login(alice)

    response = client.post(f"/dashboard/statements/lines/{line.pk}/confirm/")

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.order, payment.decided_by) == (world.sari, alice)
    line.refresh_from_db()
    assert line.match == StatementLine.Match.APPLIED
    # A second tap (another tab) does not pay twice.
    client.post(f"/dashboard/statements/lines/{line.pk}/confirm/")
    assert Payment.objects.count() == 1
    page = client.get(f"/dashboard/statements/{line.statement_id}/").content.decode()
    assert 'id="done"' in page and world.sari.code in page


def test_confirm_all_confirms_every_exact_match(client, alice, world, shop):
    summary = import_statement(shop=shop, file=sample("bri.csv"), now=IMPORTED_AT)
    client.force_login(alice)
    response = client.post(f"/dashboard/statements/{summary['statement']}/confirm-all/")
    assert response.status_code == 302
    assert Payment.objects.get().order == world.sari


def test_the_seller_picks_a_candidate_or_types_an_order_code(client, alice, world, shop):
    import_statement(shop=shop, file=sample("bca.csv"), now=IMPORTED_AT)
    client.force_login(alice)
    ambiguous = StatementLine.objects.get(amount=255_000)
    unmatched = StatementLine.objects.get(amount=2_500_000)

    client.post(f"/dashboard/statements/lines/{ambiguous.pk}/choose/", {"order": world.budi.pk})
    client.post(
        f"/dashboard/statements/lines/{unmatched.pk}/choose/",
        {"order_code": world.sari.code.lower().removeprefix("po-")},
    )

    assert set(Payment.objects.values_list("order_id", "amount")) == {
        (world.budi.pk, 255_000),
        (world.sari.pk, 2_500_000),
    }


def test_an_unknown_order_code_changes_nothing(client, alice, world, shop):
    import_statement(shop=shop, file=sample("bca.csv"), now=IMPORTED_AT)
    client.force_login(alice)
    line = StatementLine.objects.get(amount=2_500_000)
    response = client.post(
        f"/dashboard/statements/lines/{line.pk}/choose/", {"order_code": "NOPE99"}
    )
    assert response.status_code == 302
    assert not Payment.objects.exists()


def test_ignoring_a_line_takes_it_off_the_list(client, alice, world, shop):
    import_statement(shop=shop, file=sample("bca.csv"), now=IMPORTED_AT)
    client.force_login(alice)
    line = StatementLine.objects.get(amount=2_500_000)
    client.post(f"/dashboard/statements/lines/{line.pk}/ignore/")
    line.refresh_from_db()
    assert line.match == StatementLine.Match.IGNORED
    assert not Payment.objects.exists()


def test_another_shops_member_cannot_choose_for_this_shops_line(
    client, charlie, other_shop, world, shop
):
    import_statement(shop=shop, file=sample("bca.csv"), now=IMPORTED_AT)
    line = StatementLine.objects.get(amount=135_123)
    client.force_login(charlie)
    assert client.post(f"/dashboard/statements/lines/{line.pk}/confirm/").status_code == 404
    assert not Payment.objects.exists()
