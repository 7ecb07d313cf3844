"""App config for messaging: a changed template or WhatsApp account is read afresh at once."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "openpo.messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from openpo.messaging.models import MessageTemplate, WhatsAppAccount
        from openpo.messaging.rendering import forget_wording

        for model in (MessageTemplate, WhatsAppAccount):
            for signal in (post_save, post_delete):
                signal.connect(forget_wording, sender=model, dispatch_uid=f"wording-{model}")
