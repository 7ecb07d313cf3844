"""App config for payments: what each order must pay (with its unique code), and later the
payments, proofs, refunds and bank statements that settle it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "openpo.payments"
    label = "payments"
    verbose_name = _("Payments")
