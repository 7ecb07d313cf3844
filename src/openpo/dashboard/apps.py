"""App config for the seller dashboard."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "openpo.dashboard"
    label = "dashboard"
    verbose_name = _("Seller dashboard")
