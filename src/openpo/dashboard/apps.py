"""App config for the seller dashboard."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "openpo.dashboard"
    label = "dashboard"
