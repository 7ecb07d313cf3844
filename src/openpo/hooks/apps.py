"""App config for hooks: signed webhooks to the seller's own systems (an outbox of deliveries)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    name = "openpo.hooks"
    label = "hooks"
    verbose_name = _("Webhooks")
