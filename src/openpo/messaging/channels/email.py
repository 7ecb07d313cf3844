"""Email through Django's mail backend (SMTP from OPENPO_EMAIL_URL): plain text and HTML."""

import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape, linebreaks, urlize

from openpo.messaging.channels.base import ChannelError, Sender
from openpo.messaging.models import OutboxMessage


class EmailSender(Sender):
    def send(self, message: OutboxMessage, *, now: datetime | None = None) -> str:
        shop = message.shop
        from_email = settings.DEFAULT_FROM_EMAIL
        email = EmailMultiAlternatives(
            subject=message.subject or shop.name,
            body=message.body,
            from_email=from_email,
            to=[message.recipient],
            reply_to=[shop.email] if shop.email else None,
            headers={"Message-ID": message.message_id},
        )
        email.attach_alternative(_html(message), "text/html")
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(f"recipient refused: {exc}", permanent=True) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP: {exc}") from exc
        return message.message_id


def _html(message: OutboxMessage) -> str:
    body = linebreaks(urlize(escape(message.body)))
    return (
        '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">'
        f'{body}<p style="color:#5d6b7a;font-size:13px">{escape(message.shop.name)}</p>'
        "</body></html>"
    )
