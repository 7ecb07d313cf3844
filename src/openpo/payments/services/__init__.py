"""State changes of payments: proofs, claims, confirmations, rejections, recorded payments,
refunds, and the order amounts that follow from them."""

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
from openpo.payments.services.reminders import remind_settlements_due

__all__ = [
    "claim_payment",
    "confirm_payment",
    "record_payment",
    "record_refund",
    "refund_owed",
    "refunds_due",
    "reject_payment",
    "remind_settlements_due",
    "set_refund_account",
    "settle_order",
    "submit_payment_proof",
]
