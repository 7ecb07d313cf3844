"""One PO's overview: the live counters (orders, units against quota and minimum, money, payment
states), the latest orders, and the lifecycle steps the PO's phase allows now, each behind a
confirmation that says what it will do.

The steps, and which of them a PO may take when, are `catalog.services.lifecycle`
(`allowed_steps`, `phase_allows`); this module words them and their consequences, and maps
refusals (`DomainError`) to a message.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from openpo.catalog.models import Campaign, Variant
from openpo.catalog.services.lifecycle import (
    advance_campaign,
    allowed_steps,
    cancel_campaign,
    close_campaign,
    complete_campaign,
    fail_campaign,
    phase_allows,
    reopen_campaign,
    start_production,
    start_shipping,
)
from openpo.core.errors import DomainError
from openpo.core.forms import Form
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.fulfillment.services.production import late_items
from openpo.fulfillment.services.reconfirmation import open_counts
from openpo.fulfillment.services.shipping import shipment_counts
from openpo.orders.models import Order
from openpo.payments.balances import (
    Balance,
    campaign_balance,
    campaign_goes_ahead,
    order_balance,
)
from openpo.payments.cashflow import campaign_cash_flow

PAY = Order.PaymentStatus
LATEST_ORDERS = 10

# The phases whose orders are being made and sent (the PO list shows the same counts).
AFTER_CLOSE = (
    Campaign.Status.CLOSED,
    Campaign.Status.PRODUCING,
    Campaign.Status.SHIPPING,
    Campaign.Status.COMPLETED,
)


# --- Counters ----------------------------------------------------------------------------------


def _percent(part: int, whole: int | None) -> int:
    if not whole:
        return 0
    return min(100, round(100 * part / whole))


@dataclass(frozen=True)
class VariantCount:
    variant: Variant
    units: int
    quota: int | None

    @property
    def percent(self) -> int:
        return _percent(self.units, self.quota)


@dataclass(frozen=True)
class Counters:
    """What a seller checks many times a day while a PO runs: active orders and their payment
    states; the money is `payments.balances` (a failed or cancelled PO owes nothing, what it
    holds is to refund)."""

    orders: int
    buyers: int
    units: int
    moq_units: int
    awaiting_payment: int
    partly_paid: int
    deposit_paid: int
    paid_in_full: int
    variants: list[VariantCount]
    balance: Balance
    goes_ahead: bool

    @property
    def due(self) -> int:
        return self.balance.due

    @property
    def paid(self) -> int:
        return self.balance.paid

    @property
    def outstanding(self) -> int:
        return self.balance.owed

    @property
    def moq_percent(self) -> int:
        return _percent(self.units, self.moq_units)

    @property
    def moq_reached(self) -> bool:
        return self.units >= self.moq_units

    @property
    def money_percent(self) -> int:
        return self.balance.paid_percent


def campaign_counters(campaign: Campaign) -> Counters:
    """Fresh counters of `campaign` (reads the reserved units again, they move with orders)."""
    units = Campaign.objects.values_list("reserved_units", flat=True).get(pk=campaign.pk)
    totals = Order.objects.filter(campaign=campaign, status=Order.Status.ACTIVE).aggregate(
        orders=Count("id"),
        buyers=Count("customer", distinct=True),
        awaiting_payment=Count("id", filter=Q(payment_status=PAY.UNPAID)),
        partly_paid=Count("id", filter=Q(payment_status=PAY.PARTIAL)),
        deposit_paid=Count("id", filter=Q(payment_status=PAY.DEPOSIT_PAID)),
        paid_in_full=Count("id", filter=Q(payment_status=PAY.PAID)),
    )
    variants = (
        Variant.objects.filter(campaign=campaign)
        .filter(Q(is_active=True) | Q(reserved_units__gt=0))
        .select_related("product")
        .order_by("product__position", "product_id", "position", "id")
    )
    return Counters(
        units=units,
        moq_units=campaign.moq_units,
        variants=[VariantCount(v, v.reserved_units, v.quota) for v in variants],
        balance=campaign_balance(campaign),
        goes_ahead=campaign_goes_ahead(campaign),
        **totals,
    )


# --- Lifecycle actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise
    done: Promise  # the message after it worked
    style: str  # CSS class next to `button`
    run: Callable[..., Campaign]


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "close",
            _("Close early"),
            _("The PO is closed: no more orders."),
            "secondary",
            lambda **kw: close_campaign(reason=Campaign.CloseReason.EARLY, **kw),
        ),
        Action("reopen", _("Reopen"), _("The PO is open again."), "secondary", reopen_campaign),
        Action(
            "start_production",
            _("Start production"),
            _("Production has started."),
            "",
            start_production,
        ),
        Action(
            "start_shipping",
            _("Start shipping"),
            _("The PO is now shipping."),
            "",
            start_shipping,
        ),
        Action("complete", _("Complete"), _("The PO is completed."), "", complete_campaign),
        Action(
            "fail",
            _("Mark as failed (minimum not reached)"),
            _("The PO is marked as failed."),
            "danger",
            fail_campaign,
        ),
        Action("cancel", _("Cancel PO"), _("The PO is cancelled."), "danger", cancel_campaign),
    )
}


def allowed_actions(campaign: Campaign, counters: Counters, now: datetime) -> list[Action]:
    """The lifecycle steps to offer for `campaign` at `now`, in the order shown."""
    return [ACTIONS[name] for name in allowed_steps(campaign, now, units=counters.units)]


class CancelForm(Form):
    reason = forms.CharField(
        label=_("Reason (kept in the PO's history)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _overview(campaign: Campaign) -> HttpResponse:
    return redirect("dashboard:campaign", campaign.pk)


@require_GET
@shop_member_required
def campaign_live(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The counters and latest orders alone, for the overview's refresh every 30 seconds."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    return render(request, "dashboard/overview/_live.html", live_context(request, campaign))


def live_context(request: HttpRequest, campaign: Campaign) -> dict[str, object]:
    """What the overview shows and refreshes: counters, cash flow, next steps, latest orders."""
    now = timezone.now()
    counters = campaign_counters(campaign)
    latest = list(
        Order.objects.filter(campaign=campaign, status=Order.Status.ACTIVE)
        .order_by("-created_at", "-id")
        .only(
            "pk",
            "campaign",
            "code",
            "buyer_name",
            "created_at",
            "status",
            "payment_status",
            "total",
            "units",
            "amount_paid",
            "amount_refunded",
        )[:LATEST_ORDERS]
    )
    for order in latest:
        order.campaign = campaign  # the one already read, for its status
        order.balance = order_balance(order)
    after_close = campaign.status in AFTER_CLOSE
    return {
        "shop": request.shop,
        "campaign": campaign,
        "phase": campaign.phase(now),
        "after_close": after_close,
        "late": late_items(campaign, timezone.localtime(now, request.shop.tzinfo).date())
        if after_close
        else [],
        "shipments": shipment_counts(campaign) if after_close else None,
        "to_reconfirm": open_counts([campaign.pk], now=now).get(campaign.pk, 0)
        if after_close
        else 0,
        "counters": counters,
        "actions": allowed_actions(campaign, counters, now),
        "latest_orders": latest,
        "cash_flow": campaign_cash_flow(campaign),
    }


@require_http_methods(["GET", "POST"])
@shop_member_required
def campaign_action(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """GET ?action=…: the confirmation, saying what will happen. POST: take the step."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    now = timezone.now()
    action = ACTIONS.get(request.POST.get("action") or request.GET.get("action") or "")
    if action is None:
        messages.error(request, _("Choose a step from the list."))
        return _overview(campaign)
    if request.method == "POST":
        # Let the status catch up with the clock first (opening, closing and failing a missed
        # minimum are due by time), so the step is judged against the phase the seller saw.
        campaign = advance_campaign(campaign=campaign, now=now)
    if not phase_allows(campaign, action.name, now):
        messages.error(
            request,
            _("“%(action)s” is not possible while the PO is “%(phase)s”.")
            % {"action": action.label, "phase": Campaign.Status(campaign.phase(now)).label},
        )
        return _overview(campaign)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        extra = {"reason": form.cleaned_data["reason"]} if action.name == "cancel" else {}
        try:
            action.run(campaign=campaign, actor=request.user, now=now, **extra)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, action.done)
        return _overview(campaign)
    counters = campaign_counters(campaign)
    return render(
        request,
        "dashboard/overview/confirm.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "pos",
            "action": action,
            "offered": action in allowed_actions(campaign, counters, now),
            "counters": counters,
            "form": form,
        },
    )


urlpatterns = [
    path("po/<int:campaign_id>/live/", campaign_live, name="campaign_live"),
    path("po/<int:campaign_id>/step/", campaign_action, name="campaign_action"),
]
