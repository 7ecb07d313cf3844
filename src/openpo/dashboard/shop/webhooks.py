"""The webhooks page (owners only): the shop's endpoints, a form to add one (URL, events,
description), its signing secret shown once on the answer to that form and afterwards only by
its last characters, turning an endpoint off and on, deleting it, a "send test event" button,
and each endpoint's delivery log (newest first, paginated).

Every endpoint in a URL is fetched through `get_shop_object`, so other shops' ids (and deleted
endpoints) answer 404. The rules live in `hooks.services`; sending lives in `hooks.delivery`.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.dashboard.access import get_shop_object, owner_required
from openpo.hooks.models import SUBSCRIBABLE, WebhookDelivery, WebhookEndpoint
from openpo.hooks.services import (
    create_endpoint,
    delete_endpoint,
    send_test_event,
    set_endpoint_active,
)

PER_PAGE = 25


class EndpointForm(Form):
    url = forms.CharField(
        label=gettext_lazy("URL that receives the events"),
        max_length=500,
        widget=forms.URLInput(
            attrs={"placeholder": "https://", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=gettext_lazy("It must start with https://."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=[(e.value, e.label) for e in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=gettext_lazy("Description (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Google Sheets sync")}),
    )


def _endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    return get_shop_object(request, WebhookEndpoint, pk=endpoint_id, deleted_at=None)


def _labels() -> dict[str, str]:
    return {e.value: str(e.label) for e in SUBSCRIBABLE}


@owner_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _endpoint_made, new_secret = create_endpoint(
                shop=request.shop,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = EndpointForm()
    labels = _labels()
    endpoints = list(WebhookEndpoint.objects.filter(shop=request.shop, deleted_at=None))
    for endpoint in endpoints:
        endpoint.event_labels = [labels.get(e, e) for e in endpoint.events]
    context = {
        "shop": request.shop,
        "dash_section": "settings",
        "form": form,
        "new_secret": new_secret,
        "endpoints": endpoints,
    }
    status = 422 if request.method == "POST" and not new_secret else 200
    return render(request, "dashboard/shop/webhooks.html", context, status=status)


@owner_required
@require_http_methods(["GET"])
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
    page = Paginator(deliveries, PER_PAGE).get_page(request.GET.get("page"))
    labels = {**_labels(), "ping": _("Test event")}
    for delivery in page:
        delivery.event_label = labels.get(delivery.event, delivery.event)
    endpoint.event_labels = [labels.get(e, e) for e in endpoint.events]
    context = {
        "shop": request.shop,
        "dash_section": "settings",
        "endpoint": endpoint,
        "page": page,
    }
    return render(request, "dashboard/shop/webhooks_detail.html", context)


@owner_required
@require_POST
def webhook_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    try:
        sent = send_test_event(endpoint=endpoint, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dashboard:webhook_detail", endpoint_id=endpoint.pk)
    if sent.status == WebhookDelivery.Status.DELIVERED:
        messages.success(
            request,
            _("Test event delivered: your system answered HTTP %(code)s.")
            % {"code": sent.last_status_code},
        )
    else:
        attempt = sent.attempt_log.order_by("-id").first()
        problem = (f"HTTP {attempt.status_code}" if attempt and attempt.status_code else "") or (
            attempt.error if attempt else ""
        )
        messages.error(
            request,
            _("Test event not delivered (%(problem)s). It will be tried again later.")
            % {"problem": problem or "?"},
        )
    return redirect("dashboard:webhook_detail", endpoint_id=endpoint.pk)


@owner_required
@require_POST
def webhook_active(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    turn_on = not endpoint.is_active
    if set_endpoint_active(endpoint=endpoint, active=turn_on, actor=request.user):
        if turn_on:
            messages.success(request, _("Webhook %(url)s is on again.") % {"url": endpoint.url})
        else:
            messages.success(
                request, _("Webhook %(url)s is off: it gets no events.") % {"url": endpoint.url}
            )
    return redirect("dashboard:webhooks")


@owner_required
@require_POST
def webhook_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    if delete_endpoint(endpoint=endpoint, actor=request.user):
        messages.success(request, _("Webhook %(url)s deleted.") % {"url": endpoint.url})
    return redirect("dashboard:webhooks")


urlpatterns = [
    path("settings/webhooks/", webhooks, name="webhooks"),
    path("settings/webhooks/<int:endpoint_id>/", webhook_detail, name="webhook_detail"),
    path("settings/webhooks/<int:endpoint_id>/test/", webhook_test, name="webhook_test"),
    path("settings/webhooks/<int:endpoint_id>/active/", webhook_active, name="webhook_active"),
    path("settings/webhooks/<int:endpoint_id>/delete/", webhook_delete, name="webhook_delete"),
]
