"""State changes of message templates: a shop saves its own wording for an event (checked
placeholders) or goes back to the default."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Shop
from openpo.catalog.permissions import require_owner
from openpo.core.audit import audit_event
from openpo.messaging.models import MessageTemplate
from openpo.messaging.rendering import InvalidTemplate, check_template
from openpo.messaging.templates_default import LANGUAGES


@transaction.atomic
def save_template(
    *,
    shop: Shop,
    event: str,
    language: str,
    subject: str,
    body: str,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> MessageTemplate:
    """Save the shop's wording of `event` in `language`; raises `InvalidTemplate` for
    unknown or malformed placeholders (nothing is saved then). Owners only: the texts carry
    the payment instructions buyers follow."""
    now = now or timezone.now()
    require_owner(shop, actor)
    subject, body = subject.strip(), body.strip().replace("\r\n", "\n")
    if language not in LANGUAGES:
        raise InvalidTemplate(field_errors={"language": [_("Choose Indonesian or English.")]})
    check_template(event, subject, body)
    template, _created = MessageTemplate.objects.update_or_create(
        shop=shop,
        event=event,
        language=language,
        defaults={"subject": subject, "body": body, "updated_at": now},
    )
    audit_event(
        action="message_template.saved",
        subject=shop,
        shop_id=shop.pk,
        actor=actor,
        at=now,
        data={"event": event, "language": language},
    )
    return template


@transaction.atomic
def reset_template(
    *,
    shop: Shop,
    event: str,
    language: str,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> bool:
    """Drop the shop's own wording: the default applies again. False if there was none."""
    require_owner(shop, actor)
    deleted, _rows = MessageTemplate.objects.filter(
        shop=shop, event=event, language=language
    ).delete()
    if deleted:
        audit_event(
            action="message_template.reset",
            subject=shop,
            shop_id=shop.pk,
            actor=actor,
            at=now or timezone.now(),
            data={"event": event, "language": language},
        )
    return bool(deleted)
