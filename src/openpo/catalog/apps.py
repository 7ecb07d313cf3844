"""App config for the catalog: shops, members, campaigns, products, variants, materials."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "openpo.catalog"
    label = "catalog"
    verbose_name = _("Catalog")
