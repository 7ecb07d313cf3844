"""Webhooks to the seller's own systems: the endpoints a shop registers, the outbox of
deliveries (one row per event and endpoint, written in the event's own transaction and sent
after commit by the worker) and the log of each attempt with its answer.

An event is delivered at most once per endpoint: a delivery is unique per endpoint and event
id, so telling the same event again (a retried service, a second worker) writes nothing new.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """The events a seller can subscribe to (and `ping`, the dashboard's test event)."""

    ORDER_CREATED = "order.created", _("New order")
    ORDER_PAID = "order.paid", _("Order paid in full")
    ORDER_CANCELED = "order.canceled", _("Order cancelled")
    ORDER_EXPIRED = "order.expired", _("Order expired (not paid in time)")
    ORDER_SHIPPED = "order.shipped", _("Order shipped")
    CAMPAIGN_OPENED = "campaign.opened", _("PO opened")
    CAMPAIGN_CLOSED = "campaign.closed", _("PO closed")
    CAMPAIGN_FAILED = "campaign.failed", _("PO failed (minimum order not reached)")
    PING = "ping", _("Test event")


SUBSCRIBABLE = [e for e in Event if e != Event.PING]


class WebhookEndpoint(models.Model):
    """A URL of the seller's that receives the shop's events, signed with its own secret."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    # Signs every delivery (HMAC-SHA256); shown to the owner once, then by its last characters.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Deleting keeps the row (its delivery log, and no order's transaction can trip over a
    # vanished endpoint it read a moment before); a deleted endpoint is inactive and hidden.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deleted_at=None) | Q(is_active=False),
                name="webhook_deleted_is_inactive",
            )
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        """What the owner sees after the first time: `…abcd`."""
        return "…" + self.secret[-4:]


class WebhookDelivery(models.Model):
    """One event for one endpoint: queued, then delivered, or failed after its last retry."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        DELIVERED = "delivered", _("Delivered to your system")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40)
    # The event's id (`evt_…`), sent as `OpenPO-Delivery` and in the body's `id`: the same on
    # every retry, so a receiver can drop a duplicate.
    event_id = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    # A worker that claimed the delivery owns it until then; after that another may retry.
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False)
                | ~Q(status="delivered"),
                name="webhook_delivered_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what came back (a status code, or the network's error)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # The first characters of the answer's body, to help the seller debug their receiver.
    response_excerpt = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
