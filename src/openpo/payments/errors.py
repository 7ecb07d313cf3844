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
