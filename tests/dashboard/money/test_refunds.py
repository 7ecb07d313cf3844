"""Refunds in the dashboard: who is owed money back per PO and for the shop, the account each
buyer gave (or a WhatsApp link to ask), recording a refund with its transfer proof (or as
cash with a note), the refunds made, and the list as CSV."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from openpo.catalog.services.lifecycle import cancel_campaign
from openpo.orders.models import Order
from openpo.payments.models import Refund
from openpo.payments.services.refunds import set_refund_account
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancelled_po(campaign, buyer, now, alice):
    """alice's PO cancelled with two paid orders; the first buyer gave an account."""
    first = factories.paid_order(campaign, buyer=buyer, amount=135_000, now=now)
    second = factories.paid_order(campaign, buyer=buyer, amount=50_000, now=now)
    set_refund_account(
        order=first, bank_name="BCA", account_number="123 456 7890", account_holder="Sari W"
    )
    cancel_campaign(campaign=campaign, reason="Pabrik tutup", actor=alice)
    return campaign, first, second


def test_it_lists_who_is_owed_with_their_account_or_a_link_to_ask(client, alice, cancelled_po):
    campaign, first, second = cancelled_po
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{campaign.pk}/refunds/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 refunds to make" in html
    assert first.code in html and second.code in html
    assert "1234567890" in html and "Sari W" in html
    assert "Rp 185.000" in html  # still to give back in all
    assert "not given yet" in html
    assert "https://wa.me/6281322223333?text=" in html
    assert f'action="/dashboard/orders/{second.pk}/refunds/new/"' in html


def test_the_shop_wide_list_includes_every_po_but_no_other_shop(
    client, alice, shop, other_shop, cancelled_po, buyer, now
):
    _campaign, first, _second = cancelled_po
    other_po = make_campaign(shop, now=now, title="PO Lain")
    over = factories.paid_order(  # 5.000 too much
        other_po, buyer=buyer, amount=140_000, allow_overpayment=True, now=now
    )
    theirs = make_campaign(other_shop, now=now)
    factories.paid_order(theirs, buyer=buyer, amount=60_000, now=now)
    Order.objects.filter(campaign=theirs).update(status="cancelled", cancelled_at=now)
    client.force_login(alice)

    html = client.get("/dashboard/refunds/").content.decode()

    assert first.code in html and over.code in html
    assert "Rp 5.000" in html
    assert Order.objects.get(campaign=theirs).code not in html


def test_recording_a_refund_with_a_proof_lowers_what_was_paid(client, alice, cancelled_po):
    campaign, first, _second = cancelled_po
    client.force_login(alice)
    back = f"/dashboard/po/{campaign.pk}/refunds/"

    response = client.post(
        f"/dashboard/orders/{first.pk}/refunds/new/",
        {
            "amount": "135.000",
            "proof": factories.proof_png(),
            "next": back,
        },
    )

    assert response.status_code == 302 and response["Location"] == back
    refund = Refund.objects.get()
    assert (refund.amount, refund.account_number, refund.created_by) == (
        135_000,
        "1234567890",
        alice,
    )
    assert refund.proof.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    first.refresh_from_db()
    assert (first.amount_paid, first.payment_status) == (0, Order.PaymentStatus.REFUNDED)
    html = client.get(back).content.decode()
    assert f'href="/dashboard/refunds/{refund.pk}/proof/"' in html
    proof = client.get(f"/dashboard/refunds/{refund.pk}/proof/")
    assert proof["Content-Type"] == "image/png"
    assert proof["X-Content-Type-Options"] == "nosniff"


def test_a_refund_needs_a_proof_unless_cash_with_a_note(client, alice, cancelled_po):
    _campaign, _first, second = cancelled_po
    client.force_login(alice)
    url = f"/dashboard/orders/{second.pk}/refunds/new/"

    assert client.post(url, {"amount": "50000"}).status_code == 422
    assert client.post(url, {"amount": "50000", "no_proof": "on"}).status_code == 422
    assert not Refund.objects.exists()

    response = client.post(
        url, {"amount": "50000", "no_proof": "on", "note": "Tunai saat ambil barang"}
    )

    assert response.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.note, bool(refund.proof)) == (
        50_000,
        "Tunai saat ambil barang",
        False,
    )


def test_a_refund_above_what_was_paid_is_refused(client, alice, cancelled_po):
    _campaign, _first, second = cancelled_po
    client.force_login(alice)

    response = client.post(
        f"/dashboard/orders/{second.pk}/refunds/new/",
        {"amount": "50001", "no_proof": "on", "note": "tunai"},
    )

    assert response.status_code == 422
    assert "50.000" in response.content.decode()
    assert not Refund.objects.exists()
    second.refresh_from_db()
    assert second.amount_paid == 50_000


def test_a_fake_proof_file_is_refused(client, alice, cancelled_po):
    _campaign, first, _second = cancelled_po
    client.force_login(alice)

    response = client.post(
        f"/dashboard/orders/{first.pk}/refunds/new/",
        {"amount": "1000", "proof": SimpleUploadedFile("x.png", b"<html>", "image/png")},
    )

    assert response.status_code == 422
    # The upload's own words, beside the proof field (record_refund names the field).
    assert response.context["form"].errors["proof"] == [
        "Unggah foto atau screenshot (JPEG, PNG, WebP), atau struk PDF."
    ]
    assert not Refund.objects.exists()


def test_the_refund_list_exports_as_csv(client, alice, cancelled_po):
    campaign, first, second = cancelled_po
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{campaign.pk}/refunds/export.csv")

    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    lines = text.strip().splitlines()
    assert len(lines) == 3
    assert first.code in text and "1234567890" in text and "135000" in text
    assert second.code in text and "50000" in text


def test_another_shops_member_sees_nothing(client, charlie, other_shop, cancelled_po):
    campaign, first, _second = cancelled_po
    client.force_login(charlie)

    assert client.get(f"/dashboard/po/{campaign.pk}/refunds/").status_code == 404
    assert client.post(f"/dashboard/orders/{first.pk}/refunds/new/").status_code == 404
    assert first.code not in client.get("/dashboard/refunds/").content.decode()
