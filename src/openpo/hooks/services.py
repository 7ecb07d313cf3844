"""Registering, turning off and deleting a shop's webhook endpoints, and the test event.

An endpoint's URL must be https to an address on the internet (`hooks.addresses`: this
machine itself only with WEBHOOKS_ALLOW_LOCAL, for development and tests), its events a
non-empty choice of `SUBSCRIBABLE`. Its secret (`whsec_…`) is drawn here and returned to be
shown once. Creating and deleting are audited.
"""

import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Shop
from openpo.core.audit import audit_event
from openpo.core.errors import DomainError
from openpo.core.text import text_problem
from openpo.hooks import delivery, events
from openpo.hooks.addresses import url_problem
from openpo.hooks.models import SUBSCRIBABLE, Event, WebhookDelivery, WebhookEndpoint

SECRET_PREFIX = "whsec_"
MAX_ENDPOINTS = 10


class InvalidEndpoint(DomainError):
    code = "invalid"
    http_status = 422
    default_message = _("Please correct the webhook's details.")


def _clean(url: str, chosen: list[str], description: str) -> tuple[str, list[str], str]:
    url = url.strip()
    description = " ".join(description.split())
    errors: dict[str, list] = {}
    if len(url) > 500:
        errors["url"] = [_("This is too long.")]
    elif problem := text_problem(url) or url_problem(url):
        errors["url"] = [problem]
    known = [e.value for e in SUBSCRIBABLE]
    events_chosen = [e for e in known if e in set(chosen)]
    if not events_chosen or set(chosen) - set(known):
        errors["events"] = [_("Choose at least one event.")]
    if len(description) > 200 or (problem := text_problem(description)):
        errors["description"] = [problem or _("This is too long.")]
    if errors:
        raise InvalidEndpoint(field_errors=errors)
    return url, events_chosen, description


def _forget(shop_id: int) -> None:
    """The shop's orders look for endpoints again, now and after the commit (an order that
    read in between would otherwise go on believing the shop had none)."""
    events.forget(shop_id)
    transaction.on_commit(lambda: events.forget(shop_id))


@transaction.atomic
def create_endpoint(
    *,
    shop: Shop,
    url: str,
    events: list[str],
    description: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint of `shop`, and its secret, to be shown once."""
    now = now or timezone.now()
    url, chosen, description = _clean(url, events, description)
    live = WebhookEndpoint.objects.filter(shop=shop, deleted_at=None)
    if live.count() >= MAX_ENDPOINTS:
        raise InvalidEndpoint(
            _("A shop can have at most %(count)s webhooks; delete one first."),
            count=MAX_ENDPOINTS,
        )
    secret = SECRET_PREFIX + secrets.token_hex(24)
    endpoint = WebhookEndpoint.objects.create(
        shop=shop,
        url=url,
        events=chosen,
        secret=secret,
        description=description,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_event(
        action="webhook.created",
        subject=endpoint,
        shop_id=shop.pk,
        actor=actor,
        at=now,
        data={"url": url, "events": chosen},
    )
    _forget(shop.pk)
    return endpoint, secret


@transaction.atomic
def set_endpoint_active(
    *,
    endpoint: WebhookEndpoint,
    active: bool,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> bool:
    """Turn an endpoint on or off; False if it already was (or is deleted)."""
    now = now or timezone.now()
    changed = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, deleted_at=None, is_active=not active
    ).update(is_active=active)
    if changed:
        endpoint.is_active = active
        audit_event(
            action="webhook.activated" if active else "webhook.deactivated",
            subject=endpoint,
            shop_id=endpoint.shop_id,
            actor=actor,
            at=now,
            data={"url": endpoint.url},
        )
        _forget(endpoint.shop_id)
    return bool(changed)


@transaction.atomic
def delete_endpoint(
    *, endpoint: WebhookEndpoint, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> bool:
    """Delete an endpoint: it gets nothing more, and what waits for it is dropped. The row
    stays, inactive and hidden (see the model). False if it was deleted already."""
    now = now or timezone.now()
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, deleted_at=None).update(
        is_active=False, deleted_at=now
    )
    if not changed:
        return False
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.QUEUED).update(
        status=WebhookDelivery.Status.FAILED, locked_until=None
    )
    audit_event(
        action="webhook.deleted",
        subject=endpoint,
        shop_id=endpoint.shop_id,
        actor=actor,
        at=now,
        data={"url": endpoint.url},
    )
    _forget(endpoint.shop_id)
    return True


def send_test_event(
    *, endpoint: WebhookEndpoint, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> WebhookDelivery:
    """Write a `ping` delivery for `endpoint` and send it at once (this is the one delivery
    sent outside the worker, so the owner sees the answer); a failed ping is retried like any
    other delivery. Returns the delivery as it stands after the first attempt."""
    now = now or timezone.now()
    if not endpoint.is_active:
        raise InvalidEndpoint(_("Turn the webhook on before sending a test event."))
    shop = Shop.objects.get(pk=endpoint.shop_id)
    key = f"ping:{endpoint.pk}:{secrets.token_hex(8)}"
    events.write(
        shop,
        Event.PING,
        [endpoint.pk],
        {"message": "Halo dari OpenPO!", "endpoint": endpoint.pk},
        key=key,
        now=now,
    )
    sent = WebhookDelivery.objects.get(endpoint=endpoint, event_id=events.event_id(shop.pk, key))
    delivery.deliver_claimed(delivery.claim_due(now=now, limit=1, ids=[sent.pk]), now=now)
    sent.refresh_from_db()
    return sent
