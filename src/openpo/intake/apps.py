"""App config for intake: reading orders from chats and forms."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "openpo.intake"
    label = "intake"
    verbose_name = _("Orders from chats and forms")
