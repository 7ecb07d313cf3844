"""A buyer submitting a payment proof ("bukti transfer"), which claims the open payment."""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from openpo.core.audit import audit_event
from openpo.orders.models import Order
from openpo.payments.models import PaymentProof
from openpo.payments.services.recording import claim_payment
from openpo.payments.uploads import check_proof


def submit_payment_proof(*, order: Order, upload, now: datetime | None = None) -> PaymentProof:
    """Keep a checked proof for the order's open payment and claim that payment; the seller
    confirms or rejects the claim in the verification queue."""
    now = now or timezone.now()
    checked = check_proof(upload)
    expected = order.open_expected_payment
    with transaction.atomic():
        proof = PaymentProof(
            order=order,
            expected_payment=expected,
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
        claim_payment(order=order, proof=proof, now=now)
    return proof
