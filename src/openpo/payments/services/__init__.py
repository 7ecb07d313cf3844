"""State changes of payments: proofs, claims, confirmations, rejections, recorded payments,
refunds, and the order amounts that follow from them. Reminders to pay are messaging's
(`messaging.reminders`)."""

from openpo.payments.services.proofs import submit_payment_proof
from openpo.payments.services.recording import (
    claim_payment,
    confirm_payment,
    record_payment,
    reject_payment,
    settle_order,
)
from openpo.payments.services.refunds import (
    record_refund,
    refund_owed,
    refunds_due,
    set_refund_account,
)

__all__ = [
    "claim_payment",
    "confirm_payment",
    "record_payment",
    "record_refund",
    "refund_owed",
    "refunds_due",
    "reject_payment",
    "set_refund_account",
    "settle_order",
    "submit_payment_proof",
]
