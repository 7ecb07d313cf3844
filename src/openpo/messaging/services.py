"""State changes of message templates (a shop saves its own wording for an event, checked
placeholders, or goes back to the default) and of the shop's WhatsApp Cloud API account."""

import re
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Shop
from openpo.catalog.permissions import require_owner
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.messaging.models import MessageTemplate, WhatsAppAccount
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


class InvalidWhatsAppAccount(DomainError):
    code = "invalid_whatsapp_account"
    http_status = 422
    default_message = _("The WhatsApp settings have mistakes; see the fields.")


_NUMBER_ID = re.compile(r"^\d{5,40}$")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,100}$")
_TEMPLATE_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_SECRET = re.compile(r"^[\x21-\x7e]{8,500}$")  # printable ASCII, no spaces


def new_verify_token() -> str:
    return secrets.token_urlsafe(24)


@transaction.atomic
def save_whatsapp_account(
    *,
    shop: Shop,
    actor: AbstractBaseUser | None,
    phone_number_id: str,
    template_name: str,
    template_language: str,
    is_active: bool,
    access_token: str = "",
    app_secret: str = "",
    renew_verify_token: bool = False,
    now: datetime | None = None,
) -> WhatsAppAccount:
    """Set up or change the shop's WhatsApp Cloud API account. An empty access token or app
    secret keeps the stored one (they are never shown back); a verify token is made on first
    save, or anew when asked. Owners only; the secrets never reach the audit trail."""
    require_owner(shop, actor)
    account = WhatsAppAccount.objects.filter(shop=shop).first()
    phone_number_id = phone_number_id.strip()
    template_name = template_name.strip()
    template_language = template_language.strip() or "id"
    access_token, app_secret = access_token.strip(), app_secret.strip()
    errors: dict[str, list] = {}
    if not _NUMBER_ID.match(phone_number_id):
        errors["phone_number_id"] = [
            _("Copy the phone number ID (digits only) from Meta's WhatsApp API setup page.")
        ]
    for name, value in (("access_token", access_token), ("app_secret", app_secret)):
        if value and not _SECRET.match(value):
            errors[name] = [_("This does not look right: paste it again, without spaces.")]
        elif not value and not (account and getattr(account, name)):
            errors[name] = [_("Paste it from Meta's app settings.")]
    if template_name and not _TEMPLATE_NAME.match(template_name):
        errors["template_name"] = [
            _("Template names have lower-case letters, digits and underscores only.")
        ]
    if not _TEMPLATE_LANGUAGE.match(template_language):
        errors["template_language"] = [_("Write a language code such as id or en_US.")]
    if errors:
        raise InvalidWhatsAppAccount(field_errors=errors)

    values = {
        "phone_number_id": phone_number_id,
        "template_name": template_name,
        "template_language": template_language,
        "is_active": bool(is_active),
    }
    created = account is None
    if created:
        account = WhatsAppAccount(shop=shop)
    changed = [name for name, value in values.items() if getattr(account, name) != value]
    secrets_changed = []
    for name, value in (("access_token", access_token), ("app_secret", app_secret)):
        if value and value != getattr(account, name):
            setattr(account, name, value)
            secrets_changed.append(name)
    if renew_verify_token or not account.verify_token:
        account.verify_token = new_verify_token()
        secrets_changed.append("verify_token")
    if not (created or changed or secrets_changed):
        return account
    for name, value in values.items():
        setattr(account, name, value)
    # A save (not an update) so the wording cache hears of it (`messaging.apps`).
    account.save()
    audit_event(
        action="whatsapp.account_saved",
        subject=account,
        shop_id=shop.pk,
        actor=actor,
        at=now or timezone.now(),
        data={
            "created": created,
            "fields": changed,
            "renewed": secrets_changed,  # names only, never the values
            "active": account.is_active,
        },
    )
    return account
