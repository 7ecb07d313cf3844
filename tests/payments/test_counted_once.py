"""A payment is counted once: a second proof joins the claim that waits, confirming money that
would over-pay an order needs the seller's "a second transfer really arrived", and proofs per
order are capped. Found by an outside probe: two proofs made two full claims, and confirming
both paid the order twice and told the buyer they were owed a refund of money never sent."""

import pytest

from openpo.orders.models import Order
from openpo.payments.errors import OverpaymentNotConfirmed, TooManyProofs
from openpo.payments.models import Payment, PaymentProof
from openpo.payments.services import confirm_payment
from openpo.payments.services.proofs import MAX_PROOFS_PER_CLAIM, submit_payment_proof
from openpo.payments.services.refunds import refund_owed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(campaign, buyer, now) -> Order:
    return factories.order(campaign, buyer=buyer, now=now)


def _fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_a_second_proof_joins_the_waiting_claim(order, now):
    submit_payment_proof(order=order, upload=factories.proof_png(), now=now)
    submit_payment_proof(
        order=order, upload=factories.proof_png("lagi.png", colour=(200, 0, 0)), now=now
    )

    claims = list(order.payments.all())
    assert len(claims) == 1 and claims[0].status == Payment.Status.CLAIMED
    assert set(PaymentProof.objects.filter(order=order).values_list("claim", flat=True)) == {
        claims[0].pk
    }


def test_confirming_the_joined_claim_pays_the_order_once_and_owes_nothing(order, alice, now):
    submit_payment_proof(order=order, upload=factories.proof_png(), now=now)
    submit_payment_proof(order=order, upload=factories.proof_png("lagi.png"), now=now)

    confirm_payment(payment=order.payments.get(), actor=alice, now=now)

    order = _fresh(order)
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.amount_paid == order.total
    assert order.amount_overpaid == 0 and refund_owed(order) == 0


def test_a_claim_for_an_order_paid_meanwhile_needs_the_sellers_word(order, alice, now):
    submit_payment_proof(order=order, upload=factories.proof_png(), now=now)
    claim = order.payments.get()
    # The same transfer came in through the bank statement before the seller looked.
    factories.pay(order, source=Payment.Source.STATEMENT, now=now)

    with pytest.raises(OverpaymentNotConfirmed) as refused:
        confirm_payment(payment=claim, actor=alice, now=now)

    assert "sudah lunas" in refused.value.message
    claim.refresh_from_db()
    assert claim.status == Payment.Status.CLAIMED
    assert _fresh(order).amount_overpaid == 0

    confirm_payment(payment=claim, actor=alice, allow_overpayment=True, now=now)
    assert _fresh(order).amount_overpaid == order.total


def test_confirming_more_than_is_owed_needs_the_sellers_word(order, alice, now):
    submit_payment_proof(order=order, upload=factories.proof_png(), now=now)
    claim = order.payments.get()

    with pytest.raises(OverpaymentNotConfirmed) as refused:
        confirm_payment(payment=claim, actor=alice, amount=claim.amount + 50_000, now=now)

    assert "Rp 50.000" in refused.value.message
    assert _fresh(order).amount_paid == 0


def test_proofs_waiting_on_one_claim_are_capped_and_nothing_is_kept_past_it(order, now):
    for _ in range(MAX_PROOFS_PER_CLAIM):
        submit_payment_proof(order=order, upload=factories.proof_png(), now=now)

    with pytest.raises(TooManyProofs):
        submit_payment_proof(order=order, upload=factories.proof_png(), now=now)

    assert PaymentProof.objects.filter(order=order).count() == MAX_PROOFS_PER_CLAIM
    assert order.payments.count() == 1


def test_the_buyer_is_told_when_the_cap_is_reached(client, order, now):
    for _ in range(MAX_PROOFS_PER_CLAIM):
        submit_payment_proof(order=order, upload=factories.proof_png(), now=now)

    response = client.post(f"/o/{order.secret}/proof/", {"proof": factories.proof_png()})

    assert response.status_code == 409
    assert "sudah mengirim 5 bukti" in response.content.decode()
    assert PaymentProof.objects.filter(order=order).count() == MAX_PROOFS_PER_CLAIM


def test_the_queue_card_shows_every_proof_of_a_claim_and_a_paid_order_warning(
    client, alice, order, now
):
    submit_payment_proof(order=order, upload=factories.proof_png(), now=now)
    submit_payment_proof(order=order, upload=factories.proof_png("lagi.png"), now=now)
    claim = order.payments.get()
    client.force_login(alice)

    page = client.get("/dashboard/payments/").content.decode()

    for proof in PaymentProof.objects.filter(order=order):
        assert f"/dashboard/payments/proofs/{proof.pk}/" in page
    assert "2 bukti untuk satu pembayaran" in page
    assert 'name="second_transfer"' not in page  # nothing paid yet: one tap confirms

    factories.pay(order, source=Payment.Source.STATEMENT, now=now)
    page = client.get("/dashboard/payments/").content.decode()
    assert "sudah lunas" in page and 'name="second_transfer"' in page

    refused = client.post(f"/dashboard/payments/{claim.pk}/confirm/", follow=True)
    assert "sudah lunas" in refused.content.decode()
    claim.refresh_from_db()
    assert claim.status == Payment.Status.CLAIMED

    client.post(f"/dashboard/payments/{claim.pk}/confirm/", {"second_transfer": "on"})
    claim.refresh_from_db()
    assert claim.status == Payment.Status.CONFIRMED
    assert _fresh(order).amount_overpaid == order.total
