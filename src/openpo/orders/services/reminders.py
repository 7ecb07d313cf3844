"""Sign-ups to be told when a PO opens ("Ingatkan saya"); `messaging.reminders` tells them when
it opens and 24 h before it closes."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from openpo.orders.errors import CampaignClosed, InvalidOrder
from openpo.orders.models import ReminderSignup


def sign_up_for_reminder(
    *, campaign: Campaign, contact: str, now: datetime | None = None
) -> ReminderSignup:
    """Remember a WhatsApp number or email to remind before an upcoming PO opens; idempotent."""
    now = now or timezone.now()
    if campaign.phase(now) != Campaign.Status.SCHEDULED:
        raise CampaignClosed(_("Reminders are for POs that have not opened yet."))
    contact = contact.strip()
    fields: dict[str, str] = {}
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError as exc:
            raise InvalidOrder(
                field_errors={"contact": [_("Enter a WhatsApp number or an email address.")]}
            ) from exc
        fields["email"] = contact.lower()
    else:
        try:
            fields["phone"] = normalize_phone(contact)
        except InvalidPhoneNumber as exc:
            raise InvalidOrder(
                field_errors={"contact": [_("Enter a WhatsApp number or an email address.")]}
            ) from exc
    try:
        with transaction.atomic():
            return ReminderSignup.objects.create(campaign=campaign, created_at=now, **fields)
    except IntegrityError:
        return ReminderSignup.objects.get(campaign=campaign, **fields)
