"""App config for the storefront: the pages buyers (and visitors of the demo) see."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    name = "openpo.storefront"
    label = "storefront"
    verbose_name = _("Buyer pages")
