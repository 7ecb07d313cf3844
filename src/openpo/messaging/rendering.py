"""Filling a message template: the placeholders each event allows ({nama}, {kode}, {total}, …),
checking a seller's template before it is saved, and rendering the shop's wording (or the
default) in the shop's message language. Money is `Rp 150.000`, times are the shop's local time.
"""

import re
from datetime import datetime

from django.db.models import Exists, OuterRef, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from openpo.catalog.models import Campaign, Shop
from openpo.core.errors import DomainError
from openpo.core.memory import ShortMemory
from openpo.core.money import format_rupiah
from openpo.messaging.models import MessageTemplate, WhatsAppAccount
from openpo.messaging.templates_default import EVENTS, default_template

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class InvalidTemplate(DomainError):
    code = "invalid_template"
    http_status = 422
    default_message = _("The template has mistakes; see the fields.")


def _problems(event: str, text: str) -> list[str]:
    allowed = EVENTS[event].placeholders
    problems: list[str] = []
    for name in PLACEHOLDER.findall(text):
        if name not in allowed:
            problems.append(
                str(_("Unknown placeholder {%(name)s}. Use one of: %(allowed)s."))
                % {"name": name, "allowed": ", ".join("{" + a + "}" for a in allowed)}
            )
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        problems.append(str(_("A brace is not closed: write placeholders like {nama}.")))
    return problems


def check_template(event: str, subject: str, body: str) -> None:
    """Raise `InvalidTemplate` (with field errors) for unknown or malformed placeholders."""
    if event not in EVENTS:
        raise InvalidTemplate(field_errors={"event": [_("Unknown message.")]})
    errors: dict[str, list] = {}
    if problems := _problems(event, subject):
        errors["subject"] = problems
    if not body.strip():
        errors["body"] = [_("Write the message text.")]
    elif problems := _problems(event, body):
        errors["body"] = problems
    if errors:
        raise InvalidTemplate(field_errors=errors)


def fill(text: str, context: dict[str, str]) -> str:
    """Replace each {placeholder} with its value (missing ones become empty)."""
    return PLACEHOLDER.sub(lambda m: str(context.get(m.group(1), "")), text)


def shop_template(event: str, shop: Shop) -> tuple[str, str]:
    """The shop's own (subject, body) for `event` in its message language, else the default."""
    language = shop.message_language or "id"
    own = (
        MessageTemplate.objects.filter(shop_id=shop.pk, event=event, language=language)
        .values_list("subject", "body")
        .first()
    )
    return own or default_template(event, language)


# What `shop_and_template` read lately, per (shop, event, language): (until, own wording or
# None, has the Cloud API). In a war PO every order reads the same; kept this long, a seller's
# new wording reaches orders another web process takes within that time (in this process at
# once: saving or deleting a template or a WhatsApp account forgets it all).
WORDING_SECONDS = 2.0
# (shop id, event, language) -> (own wording or None, has the Cloud API)
_wording = ShortMemory(WORDING_SECONDS)
forget_wording = _wording.forget


def shop_and_template(campaign, event: str) -> tuple[Shop, tuple[str, str]]:
    """The campaign's shop and its wording of `event`, in one query (none if read in the last
    `WORDING_SECONDS` and the campaign's shop is loaded), which also tells whether the shop
    sends WhatsApp through the Cloud API (`shop.has_cloud_api`)."""
    if Campaign.shop.is_cached(campaign):
        shop = campaign.shop
        language = shop.message_language or "id"
        remembered = _wording.get((shop.pk, event, language))
        if remembered is not None:
            own_wording, shop.has_cloud_api = remembered
            return shop, own_wording or default_template(event, language)
    own = MessageTemplate.objects.filter(
        shop_id=OuterRef("pk"), event=event, language=OuterRef("message_language")
    )
    found = (
        Shop.objects.filter(pk=campaign.shop_id)
        .annotate(
            own_subject=Subquery(own.values("subject")[:1]),
            own_body=Subquery(own.values("body")[:1]),
            cloud_api=Exists(
                WhatsAppAccount.objects.filter(shop_id=OuterRef("pk"), is_active=True)
            ),
        )
        .get()
    )
    shop = campaign.shop if Campaign.shop.is_cached(campaign) else found
    campaign.shop = shop
    shop.has_cloud_api = found.cloud_api
    own_wording = None if found.own_body is None else (found.own_subject, found.own_body)
    language = found.message_language or "id"
    _wording.put((found.pk, event, language), (own_wording, found.cloud_api))
    return shop, own_wording or default_template(event, language)


def render(
    event: str, shop: Shop, context: dict[str, str], *, template: tuple[str, str] | None = None
) -> tuple[str, str]:
    """(subject, body) of `event` for `shop` filled with `context` (placeholder → text).
    `template` spares the lookup when the caller renders the same event for many buyers."""
    subject, body = template or shop_template(event, shop)
    values = {"toko": shop.name, **context}
    return fill(subject, values).replace("\n", " ").strip(), fill(body, values)


def money(amount: int | None) -> str:
    return format_rupiah(amount or 0)


def local_time(shop: Shop, moment: datetime | None) -> str:
    """`26 November 2026 14:00 WIB` in the shop's time zone and message language."""
    if moment is None:
        return ""
    local = moment.astimezone(shop.tzinfo)
    with override(shop.message_language or "id"):
        return f"{date_format(local, 'j F Y H:i')} {shop.tz_abbreviation}"
