"""App config for fulfillment: what happens after a PO closes (production, shipping, trust)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfillmentConfig(AppConfig):
    name = "openpo.fulfillment"
    label = "fulfillment"
    verbose_name = _("Fulfilment")
