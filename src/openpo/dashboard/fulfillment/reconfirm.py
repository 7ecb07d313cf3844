"""The PO's "needs the buyer again" queue (perlu dikonfirmasi ulang): each order with its
reasons, a WhatsApp message ready to send and a resolve button; a note from the order page puts
an order in it; and the lock that ends buyers' own address corrections (with a notice to them).
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from openpo.catalog.models import Campaign
from openpo.core.errors import DomainError
from openpo.core.forms import Form
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.fulfillment.models import Reconfirmation
from openpo.fulfillment.services.addresses import (
    LOCKABLE_PHASES,
    lock_addresses,
    unlock_addresses,
)
from openpo.fulfillment.services.reconfirmation import (
    MAX_NOTE_LENGTH,
    add_note,
    reconfirmation_queue,
    resolve,
    resolve_reason,
)
from openpo.orders.models import Order


class ResolveForm(Form):
    resolution = forms.CharField(
        label=gettext_lazy("How was it sorted? (optional)"),
        max_length=MAX_NOTE_LENGTH,
        required=False,
    )


class ResolveReasonForm(ResolveForm):
    reason = forms.ChoiceField(choices=Reconfirmation.Reason.choices, widget=forms.HiddenInput)


class ReconfirmNoteForm(Form):
    note = forms.CharField(
        label=gettext_lazy("What to ask the buyer"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the dashboard page the form was on, else `fallback`."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if safe and target.startswith("/dashboard/") else fallback)


def _say(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for text in errors:
            messages.error(request, text)


@require_GET
@shop_member_required
def reconfirmations(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    return render(
        request,
        "dashboard/fulfillment/reconfirm.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "entries": reconfirmation_queue(campaign=campaign),
            "resolve_form": ResolveForm(),
            "can_lock": campaign.status in LOCKABLE_PHASES,
            "dash_section": "pos",
            "back": request.get_full_path(),
        },
    )


@require_POST
@shop_member_required
def resolve_row(request: HttpRequest, reconfirmation_id: int) -> HttpResponse:
    row = get_shop_object(request, Reconfirmation, pk=reconfirmation_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        _say(request, form)
    else:
        try:
            resolve(
                reconfirmation=row,
                resolution=form.cleaned_data["resolution"],
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Resolved: order %(code)s left the queue.") % {"code": row.order.code}
            )
    return _back(request, reverse("dashboard:reconfirmations", args=[row.order.campaign_id]))


@require_POST
@shop_member_required
def resolve_order_reason(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_shop_object(request, Order, pk=order_id)
    form = ResolveReasonForm(request.POST)
    if not form.is_valid():
        _say(request, form)
    else:
        try:
            resolve_reason(
                order=order,
                reason=form.cleaned_data["reason"],
                resolution=form.cleaned_data["resolution"],
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Resolved for order %(code)s.") % {"code": order.code})
    return _back(request, reverse("dashboard:reconfirmations", args=[order.campaign_id]))


@require_POST
@shop_member_required
def note(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_shop_object(request, Order, pk=order_id)
    form = ReconfirmNoteForm(request.POST)
    if not form.is_valid():
        _say(request, form)
    else:
        try:
            add_note(order=order, note=form.cleaned_data["note"], actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Added to the reconfirmation queue."))
    return _back(request, reverse("dashboard:order", args=[order.pk]) + "#reconfirm")


@require_POST
@shop_member_required
def lock(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    unlocking = request.POST.get("unlock") == "1"
    try:
        if unlocking:
            unlock_addresses(campaign=campaign, actor=request.user)
        else:
            lock_addresses(campaign=campaign, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Buyers can correct their addresses again.")
            if unlocking
            else _("Addresses locked. Every buyer was asked to check theirs once more."),
        )
    return _back(request, reverse("dashboard:reconfirmations", args=[campaign.pk]))


urlpatterns = [
    path("po/<int:campaign_id>/reconfirm/", reconfirmations, name="reconfirmations"),
    path("po/<int:campaign_id>/addresses/lock/", lock, name="addresses_lock"),
    path(
        "reconfirmations/<int:reconfirmation_id>/resolve/",
        resolve_row,
        name="reconfirmation_resolve",
    ),
    path(
        "orders/<int:order_id>/reconfirm/resolve/",
        resolve_order_reason,
        name="reconfirmation_resolve_reason",
    ),
    path("orders/<int:order_id>/reconfirm/note/", note, name="reconfirmation_note"),
]
