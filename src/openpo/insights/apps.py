"""App config for insights: figures read from a shop's orders, kept in tallies (models.py)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "openpo.insights"
    label = "insights"
    verbose_name = _("Insights")
