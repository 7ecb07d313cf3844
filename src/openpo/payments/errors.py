"""Domain errors of payments and refunds, each with a message the seller or buyer can read."""

from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError


class PaymentAlreadyDecided(DomainError):
    code = "already_decided"
    http_status = 409
    default_message = _("This payment was already confirmed or rejected.")


class InvalidPayment(DomainError):
    code = "invalid_payment"
    http_status = 422
    default_message = _("Please correct the payment.")


class InvalidRefund(DomainError):
    code = "invalid_refund"
    http_status = 422
    default_message = _("Please correct the refund.")


class OverpaymentNotConfirmed(DomainError):
    """Counting this money would pay the order more than it owes; the seller must say that a
    second transfer (or a larger one) really arrived."""

    code = "overpayment_not_confirmed"
    http_status = 409
    default_message = _(
        "This is %(extra)s more than the %(owed)s still owed. Confirm only if that much really "
        "arrived in your account; the extra is then owed back to the buyer."
    )
    already_paid = _(
        "This order is already paid in full. Confirm only if a second transfer really arrived "
        "in your account; the extra %(extra)s is then owed back to the buyer."
    )


class TooManyProofs(DomainError):
    code = "too_many_proofs"
    http_status = 409
    default_message = _(
        "You have already sent %(count)s proofs; the seller will check them. If something is "
        "wrong, chat the seller."
    )


class InvalidCharge(DomainError):
    """An extra charge (or a file of them) cannot be added as it is; nothing was added. Each
    problem, naming its row, is in `field_errors` under the form field it came from."""

    code = "invalid_charge"
    http_status = 422
    default_message = _("Please correct the extra charge.")


class ChargeNotCancellable(DomainError):
    code = "charge_not_cancellable"
    http_status = 409
    default_message = _("Only an extra charge still awaiting transfer can be cancelled.")
