"""Writing audit events: every service calls `audit_event` (or builds one for a bulk insert)."""

from datetime import datetime

from django.db import models

from openpo.core.models import AuditEvent


def build_audit_event(
    *,
    action: str,
    subject: models.Model,
    at: datetime,
    shop_id: int | None = None,
    actor=None,
    actor_label: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """An unsaved event, for services that insert it together with other rows."""
    return AuditEvent(
        shop_id=shop_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label or (getattr(actor, "get_username", lambda: "")() if actor else ""),
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        data=data or {},
        created_at=at,
    )


def audit_event(**kwargs) -> AuditEvent:
    """Record one event now (inside the caller's transaction)."""
    event = build_audit_event(**kwargs)
    event.save(force_insert=True)
    return event
