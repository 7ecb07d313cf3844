"""A buyer submitting a payment proof ("bukti transfer"), which claims the open payment, or joins
the claim that still waits for the seller's check."""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from openpo.core.audit import audit_event
from openpo.orders.models import Order
from openpo.payments.errors import TooManyProofs
from openpo.payments.models import ExpectedPayment, Payment, PaymentProof
from openpo.payments.services.recording import claim_payment
from openpo.payments.uploads import check_proof

# A claim waiting for the seller gathers at most this many proofs (a blurry photo sent again,
# a transfer split in two); an order keeps at most this many in all.
MAX_PROOFS_PER_CLAIM = 5
MAX_PROOFS_PER_ORDER = 20


def _refuse_past_the_caps(order: Order) -> None:
    proofs = PaymentProof.objects.filter(order=order)
    waiting = proofs.filter(claim__status=Payment.Status.CLAIMED).count()
    if waiting >= MAX_PROOFS_PER_CLAIM:
        raise TooManyProofs(count=waiting)
    total = proofs.count()
    if total >= MAX_PROOFS_PER_ORDER:
        raise TooManyProofs(count=total)


def submit_payment_proof(
    *,
    order: Order,
    upload,
    expected_payment: ExpectedPayment | None = None,
    now: datetime | None = None,
) -> PaymentProof:
    """Keep a checked proof for the order's open payment (or `expected_payment`, an open extra
    charge of the order) and claim that payment (or join the claim already waiting); the seller
    confirms or rejects the claim in the verification queue. Past the caps nothing is kept."""
    now = now or timezone.now()
    checked = check_proof(upload)
    with transaction.atomic():
        # The order's row lock queues two uploads of one buyer, so the caps hold.
        order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        _refuse_past_the_caps(order)
        proof = PaymentProof(
            order=order,
            expected_payment=expected_payment or order.open_expected_payment,
            content_type=checked.content_type,
            size=checked.size,
            original_name=(upload.name or "")[:255],
            uploaded_at=now,
        )
        # Our own name: the buyer's file name never becomes a path.
        proof.file.save(f"{secrets.token_hex(16)}.{checked.extension}", upload, save=False)
        proof.save(force_insert=True)
        audit_event(
            action="payment.proof_submitted",
            subject=order,
            shop_id=order.shop_id,
            actor_label="buyer",
            at=now,
            data={"proof": proof.pk, "type": checked.content_type, "size": checked.size},
        )
        claim_payment(order=order, proof=proof, expected_payment=expected_payment, now=now)
    return proof
