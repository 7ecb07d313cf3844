"""Messages to buyers: the outbox (every message, written in the same transaction as the event
that causes it and delivered after commit by the worker) and the shop's message templates.

One event never produces the same message twice: an outbox row is unique per event, recipient
and channel, so writing it again (a retried service, a second worker) changes nothing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # To be sent by the seller from their own phone (a wa.me link), then marked sent.
        MANUAL = "manual", _("To send from your phone")

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    campaign = models.ForeignKey(
        "catalog.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    event = models.CharField(_("event"), max_length=40)
    # What happened, once: e.g. `order.placed:123`, `broadcast:7`. With recipient and channel
    # it is unique, which is what makes writing a message idempotent.
    event_key = models.CharField(max_length=120)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    recipient_name = models.CharField(_("name"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    # A worker that claimed the message owns it until then; after that another may retry.
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("written at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Receipts the WhatsApp Cloud API reports later (`messaging.inbound`); each is set once and
    # only moves forward: a "delivered" arriving after "read" changes nothing.
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient", "channel"], name="outbox_unique_per_event"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="outbox_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # Status webhooks name the message by the provider's id (a `wamid.…`).
            models.Index(fields=["provider_id"], name="outbox_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status})"

    @property
    def message_id(self) -> str:
        """A stable Message-ID, the same on every retry, so a receiver can drop a duplicate."""
        return f"<outbox-{self.pk}.{self.event_key.replace(':', '-')}@openpo>"


class MessageTemplate(models.Model):
    """A shop's own wording for one event in one language (defaults live in code)."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("event"), max_length=40)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "event", "language"], name="message_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.event} ({self.language})"


class WhatsAppAccount(models.Model):
    """A shop's WhatsApp Business Cloud API number (off unless the seller sets it up).

    Messages to buyers who have not written in the last 24 h must be an approved template
    (`messaging.window`); the shop's template has one body parameter ({{1}}) that carries the
    whole text. No template name: such messages wait in the seller's phone queue instead.
    `app_secret` checks the signature of Meta's webhook calls, `verify_token` answers Meta's
    verification handshake (`api.whatsapp`). The access token and app secret are never shown
    back whole (`secret_hint`).
    """

    shop = models.OneToOneField(
        "catalog.Shop", on_delete=models.CASCADE, related_name="whatsapp_account"
    )
    phone_number_id = models.CharField(_("phone number ID"), max_length=40)
    access_token = models.CharField(_("access token"), max_length=500)
    app_secret = models.CharField(_("app secret"), max_length=200, blank=True)
    verify_token = models.CharField(_("verify token"), max_length=100, blank=True)
    template_name = models.CharField(_("template name"), max_length=100, blank=True, default="")
    template_language = models.CharField(_("template language"), max_length=10, default="id")
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("WhatsApp Cloud API account")
        verbose_name_plural = _("WhatsApp Cloud API accounts")

    def __str__(self) -> str:
        return f"{self.shop_id} WhatsApp {self.phone_number_id}"

    @property
    def has_template(self) -> bool:
        return bool(self.template_name.strip())


def secret_hint(secret: str) -> str:
    """Enough of a secret to recognise it, never enough to use it: `••••abcd`."""
    return f"••••{secret[-4:]}" if secret else ""


class Broadcast(models.Model):
    """One update the seller wrote to the buyers of a PO (all, or a filtered group), or news
    of the PO to a segment of the shop's buyers."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "catalog.Campaign", on_delete=models.CASCADE, related_name="broadcasts"
    )
    # The audience as chosen: {"payment": "unpaid"|"paid"|"", "variant_id": int|None, "city": str,
    # "segment": ""|"new"|"loyal"|"at_risk"|"lapsed"} (a segment: the shop's buyers in it, the
    # PO's filters empty; older rows have no "segment" key).
    audience = models.JSONField(_("audience"), default=dict)
    channel = models.CharField(_("channel"), max_length=20)
    body = models.TextField(_("text"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"broadcast {self.pk} ({self.campaign_id})"

    @property
    def event_key(self) -> str:
        return f"broadcast:{self.pk}"
