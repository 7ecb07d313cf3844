"""App config for the REST API: adapts HTTP/JSON to the services, holds no rules of its own."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "openpo.api"
    label = "api"
    verbose_name = _("API")
