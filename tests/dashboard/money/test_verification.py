"""The seller's verification queue: claimed payments oldest first with their proof, confirmed
or rejected in one POST each; the proof file shown to the shop only; the Payments section of
an order's page and a payment the seller records by hand."""

from datetime import timedelta

import pytest
from django.conf import settings

from openpo.orders.models import Order
from openpo.payments.models import Payment
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_it_lists_claimed_payments_oldest_first_with_the_expected_amount(
    english, alice, campaign, buyer, now
):
    older = factories.order(campaign, buyer=buyer, now=now)
    newer = factories.order(campaign, buyer=buyer, now=now)
    factories.claimed(newer, now=now)
    factories.claimed(older, now=now - timedelta(hours=5))
    english.force_login(alice)

    response = english.get("/dashboard/payments/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 payments to check" in html
    assert html.index(older.code) < html.index(newer.code)
    expected = older.expected_payments.get().amount
    assert f"Rp {expected:,}".replace(",", ".") in html
    proof = older.payment_proofs.get()
    assert f'src="/dashboard/payments/proofs/{proof.pk}/"' in html
    assert html.count('class="button pay-big" data-autofocus') == 1
    assert html.count('name="csrfmiddlewaretoken"') >= 4


def test_it_hides_other_shops_payments_and_filters_by_po(
    client, alice, charlie, shop, other_shop, campaign, buyer, now
):
    mine = factories.order(campaign, buyer=buyer, now=now)
    factories.claimed(mine, now=now)
    other_po = make_campaign(shop, now=now, title="PO Lain")
    elsewhere = factories.order(other_po, buyer=buyer, now=now)
    factories.claimed(elsewhere, now=now)
    theirs = factories.order(make_campaign(other_shop, now=now), buyer=buyer, now=now)
    factories.claimed(theirs, now=now)
    client.force_login(alice)

    everything = client.get("/dashboard/payments/").content.decode()
    one_po = client.get(f"/dashboard/po/{campaign.pk}/payments/").content.decode()

    assert mine.code in everything and elsewhere.code in everything
    assert theirs.code not in everything
    assert mine.code in one_po and elsewhere.code not in one_po


def test_confirming_makes_the_order_paid_and_returns_to_the_queue(
    client, bob, campaign, buyer, now
):
    order = factories.order(campaign, buyer=buyer, now=now)
    payment = factories.claimed(order, now=now)
    client.force_login(bob)  # staff may check payments

    response = client.post(
        f"/dashboard/payments/{payment.pk}/confirm/", {"next": "/dashboard/payments/"}
    )

    assert response.status_code == 302 and response["Location"] == "/dashboard/payments/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CONFIRMED and payment.decided_by == bob
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert Payment.objects.filter(status="claimed").count() == 0


def test_confirming_a_different_amount_leaves_the_rest_outstanding(
    client, alice, campaign, buyer, now
):
    order = factories.order(campaign, buyer=buyer, now=now)
    payment = factories.claimed(order, now=now)
    client.force_login(alice)

    client.post(f"/dashboard/payments/{payment.pk}/confirm/", {"amount": "100.000"})

    payment.refresh_from_db()
    order = Order.objects.get(pk=order.pk)
    assert payment.amount == 100_000
    assert order.payment_status == Order.PaymentStatus.PARTIAL
    assert order.amount_outstanding == order.total - 100_000
    assert order.open_expected_payment.base_amount == order.total - 100_000


def test_rejecting_needs_a_reason_that_the_buyer_then_reads(
    client, english, alice, campaign, buyer, now
):
    order = factories.order(campaign, buyer=buyer, now=now)
    payment = factories.claimed(order, now=now)
    english.force_login(alice)

    english.post(f"/dashboard/payments/{payment.pk}/reject/", {"reason": "  "})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CLAIMED

    response = english.post(
        f"/dashboard/payments/{payment.pk}/reject/",
        {"reason": "Dana belum masuk ke rekening BCA"},
        follow=True,
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REJECTED
    assert payment.reject_reason == "Dana belum masuk ke rekening BCA"
    assert "0 payments to check" in response.content.decode()
    english.logout()
    buyer_page = english.get(f"/o/{order.secret}/").content.decode()
    assert "Dana belum masuk ke rekening BCA" in buyer_page


def test_a_payment_decided_already_is_not_decided_again(client, alice, campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    payment = factories.claimed(order, now=now)
    client.force_login(alice)
    client.post(f"/dashboard/payments/{payment.pk}/confirm/")

    response = client.post(f"/dashboard/payments/{payment.pk}/reject/", {"reason": "salah"})

    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CONFIRMED and payment.reject_reason == ""


def test_a_proof_image_is_shown_inline_to_the_shop_only(
    client, alice, charlie, other_shop, campaign, buyer, now
):
    order = factories.order(campaign, buyer=buyer, now=now)
    factories.claimed(order, now=now)
    proof = order.payment_proofs.get()
    client.force_login(alice)

    response = client.get(f"/dashboard/payments/proofs/{proof.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == factories.png()
    client.force_login(charlie)
    assert client.get(f"/dashboard/payments/proofs/{proof.pk}/").status_code == 404


def test_a_pdf_proof_is_downloaded_not_shown(client, alice, campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    factories.claimed(order, proof=factories.proof_pdf(), now=now)
    proof = order.payment_proofs.get()
    client.force_login(alice)

    response = client.get(f"/dashboard/payments/proofs/{proof.pk}/")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    html = client.get("/dashboard/payments/").content.decode()
    assert f'href="/dashboard/payments/proofs/{proof.pk}/"' in html


def test_the_order_page_shows_the_payments_with_the_kode_unik(english, alice, campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    payment = factories.claimed(order, now=now)
    expected = order.expected_payments.get()
    english.force_login(alice)

    html = english.get(f"/dashboard/orders/{order.pk}/").content.decode()

    assert 'id="payments"' in html
    assert f"kode unik {expected.unique_code}" in html
    assert f'action="/dashboard/payments/{payment.pk}/confirm/"' in html
    assert f'action="/dashboard/payments/{payment.pk}/reject/"' in html
    assert "Waiting for the seller&#x27;s check" in html or "Waiting for the seller's check" in html


def test_the_seller_records_cash_on_the_order(client, alice, campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    client.force_login(alice)

    refused = client.post(f"/dashboard/orders/{order.pk}/payments/new/", {"amount": "0"})
    assert refused.status_code == 422 and not order.payments.exists()

    response = client.post(
        f"/dashboard/orders/{order.pk}/payments/new/",
        {"amount": "Rp 50.000", "note": "Tunai di bazar"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/orders/{order.pk}/#payments"
    payment = order.payments.get()
    assert (payment.amount, payment.source, payment.status) == (50_000, "manual", "confirmed")
    assert payment.note == "Tunai di bazar" and payment.decided_by == alice
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PARTIAL


def test_actions_need_post(client, alice, campaign, buyer, now):
    order = factories.order(campaign, buyer=buyer, now=now)
    payment = factories.claimed(order, now=now)
    client.force_login(alice)
    assert client.get(f"/dashboard/payments/{payment.pk}/confirm/").status_code == 405
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CLAIMED
