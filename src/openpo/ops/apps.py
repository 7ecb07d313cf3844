"""App config for operations: the commands that run a site (`serve`, `demo`)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "openpo.ops"
    label = "ops"
    verbose_name = _("Operations")
