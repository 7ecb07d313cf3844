"""The buyer's order page: exact amount, QRIS, bank accounts, proof upload, WhatsApp link."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openpo.catalog.models import Shop
from openpo.catalog.services import add_bank_account
from openpo.core.models import AuditEvent
from openpo.payments.models import PaymentProof
from openpo.payments.qris import DEMO_STATIC_QRIS
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(campaign, buyer, now, shop):
    Shop.objects.filter(pk=shop.pk).update(static_qris=DEMO_STATIC_QRIS)
    add_bank_account(
        shop=shop, bank_name="BCA", account_number="123-456-7890", account_holder="Alice"
    )
    return factories.order(campaign, buyer=buyer, now=now)


def test_it_shows_the_exact_amount_banks_and_a_qris(client, order):
    expected = order.expected_payments.get()
    response = client.get(f"/o/{order.secret}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert order.code in html
    rupiah = f"Rp {expected.amount:,}".replace(",", ".")
    assert rupiah in html
    assert "tepat sampai 3 digit terakhir" in html
    assert "BCA" in html and "1234567890" in html
    assert "<svg" in html and 'role="img"' in html
    assert "wa.me/6281211112222?text=" in html and order.code in html
    assert response["Referrer-Policy"] == "same-origin"


def test_an_unknown_secret_is_not_found(client, order):
    assert client.get("/o/not-the-secret/").status_code == 404


def test_a_proof_is_kept_privately_and_the_buyer_thanked(client, order, settings):
    upload = factories.proof_png()
    response = client.post(f"/o/{order.secret}/proof/", {"proof": upload}, follow=True)

    proof = PaymentProof.objects.get()
    assert response.status_code == 200
    assert "bukti transfer" in response.content.decode().lower()
    assert proof.content_type == "image/png" and proof.order == order
    assert proof.expected_payment == order.expected_payments.get()
    assert order.expected_payments.get().claimed_at is not None
    path = proof.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT)) and os.path.exists(path)
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert not path.endswith("bukti.png")  # the buyer's file name never becomes a path
    assert AuditEvent.objects.filter(action="payment.proof_submitted").count() == 1


def test_a_file_that_only_pretends_to_be_a_picture_is_refused(client, order):
    upload = SimpleUploadedFile("bukti.png", b"<html>not a picture</html>", "image/png")
    response = client.post(f"/o/{order.secret}/proof/", {"proof": upload})
    assert response.status_code == 422
    assert PaymentProof.objects.count() == 0


def test_a_pdf_receipt_is_accepted(client, order):
    upload = factories.proof_pdf()
    client.post(f"/o/{order.secret}/proof/", {"proof": upload})
    assert PaymentProof.objects.get().content_type == "application/pdf"


def test_a_too_large_file_is_refused(client, order):
    big = factories.png() + b"\0" * (5 * 1024 * 1024)
    upload = SimpleUploadedFile("besar.png", big, "image/png")
    response = client.post(f"/o/{order.secret}/proof/", {"proof": upload})
    assert response.status_code == 422
    assert PaymentProof.objects.count() == 0
