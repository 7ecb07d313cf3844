"""The buyer's order page with extra charges added after the PO closed: each shows its label,
exact amount, kode unik, deadline and state; an open one is paid by transfer, QRIS or a proof
sent for that charge, which waits for the seller's check like any payment."""

from datetime import timedelta

import pytest
from django.conf import settings

from openpo.catalog.services.lifecycle import close_campaign
from openpo.orders.models import Order
from openpo.payments.models import Payment
from openpo.payments.services.charges import add_extra_charge, cancel_extra_charge
from openpo.payments.services.recording import confirm_payment
from tests import factories

pytestmark = pytest.mark.django_db


def _rp(amount: int) -> str:
    return f"Rp {amount:,}".replace(",", ".")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def charged(campaign, alice, now):
    order = factories.paid_order(campaign, now=now)
    close_campaign(campaign=campaign, actor=alice, now=now)
    charge = add_extra_charge(
        order=order, amount=25_000, label="Ongkir", due_at=now + timedelta(days=3), actor=alice
    )
    return order, charge


def test_it_shows_the_charge_with_its_amount_code_and_deadline(english, charged):
    order, charge = charged
    html = english.get(f"/o/{order.secret}/").content.decode()

    assert 'id="extra-charges"' in html
    assert "Ongkir" in html and _rp(charge.amount) in html
    assert f"the unique code {charge.unique_code:03d}" in html
    assert f'name="charge" value="{charge.pk}"' in html
    assert _rp(160_000) in html  # the total with the charge
    assert 'id="pay-title"' not in html  # the order's own part is paid: nothing else to pay


def test_a_proof_for_the_charge_claims_it_and_waits_for_the_seller(english, charged, alice):
    order, charge = charged
    response = english.post(
        f"/o/{order.secret}/proof/", {"proof": factories.proof_png(), "charge": charge.pk}
    )
    assert response.status_code == 302
    claim = Payment.objects.get(order=order, status=Payment.Status.CLAIMED)
    assert claim.expected_payment_id == charge.pk

    html = english.get(f"/o/{order.secret}/").content.decode()
    assert "Proof sent, waiting for the seller" in html

    confirm_payment(payment=claim, actor=alice)
    html = english.get(f"/o/{order.secret}/").content.decode()
    assert Order.objects.get(pk=order.pk).payment_status == Order.PaymentStatus.PAID
    assert f'name="charge" value="{charge.pk}"' not in html
    assert "Ongkir" in html


def test_a_proof_for_a_charge_that_is_not_open_is_refused(english, charged, alice):
    order, charge = charged
    cancel_extra_charge(charge=charge, reason="salah", actor=alice)
    response = english.post(
        f"/o/{order.secret}/proof/", {"proof": factories.proof_png(), "charge": charge.pk}
    )
    assert response.status_code == 409
    assert not Payment.objects.filter(order=order).exclude(source="manual").exists()
    html = english.get(f"/o/{order.secret}/").content.decode()
    assert 'id="extra-charges"' not in html  # a cancelled charge is gone from the page
