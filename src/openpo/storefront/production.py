"""The production part of the buyer's order page: the PO's dates, its stages as a timeline
(done, now, planned), the seller's progress updates with photos, the delay notice (each moved
date with the old and new date and the reason) and, once the ship date is later than the first
promise by more than the shop's limit, the paid buyer's one-tap cancel (`delay_cancel`, posted
to /o/<secret>/cancel-for-delay/: the secret in the URL is the only key, so a buyer can only
ever cancel the order whose page they hold)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openpo.core.errors import DomainError
from openpo.core.ratelimit import rate_limit
from openpo.fulfillment.models import ProductionUpdate, ScheduleChange
from openpo.fulfillment.services.delays import cancel_for_delay, cancel_offered, delay_of
from openpo.fulfillment.services.production import current_stage, stages_of
from openpo.orders.models import Order
from openpo.payments.balances import goes_ahead


def _timeline(order: Order) -> list[dict]:
    stages = stages_of(order.campaign)
    now_stage = current_stage(stages)
    return [
        {
            "stage": stage,
            "state": "done"
            if stage.done_at
            else ("now" if now_stage and stage.pk == now_stage.pk else "planned"),
        }
        for stage in stages
    ]


def section_context(order: Order) -> dict:
    """What this part of the order page needs (see `storefront.order_sections`)."""
    campaign = order.campaign
    changes = list(ScheduleChange.objects.filter(campaign=campaign).order_by("created_at", "id"))
    delay = delay_of(campaign)
    ahead = goes_ahead(order)
    return {
        "production_stages": _timeline(order) if ahead else [],
        "production_updates": list(
            ProductionUpdate.objects.filter(campaign=campaign)
            .select_related("stage")
            .prefetch_related("photos")
        )
        if ahead
        else [],
        "schedule_changes": changes if ahead else [],
        "delay": delay,
        "delay_cancel_offered": ahead and cancel_offered(order, delay),
        # Past the limit but nothing paid: nothing to refund, so no cancel to offer.
        "delay_unpaid_past_limit": ahead and delay.past_limit and order.amount_paid <= 0,
    }


@require_POST
@rate_limit("proof")
def delay_cancel(request: HttpRequest, secret: str) -> HttpResponse:
    """The buyer's "cancel and ask for a refund" for a PO late past the shop's limit."""
    order = get_object_or_404(Order.objects.select_related("campaign__shop"), secret=secret)
    page = reverse("order_page", args=[order.secret])
    try:
        cancel_for_delay(order=order)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(page + "#delay")
    messages.success(
        request,
        _("Your order is cancelled. Tell the seller below where to send your refund."),
    )
    return redirect(page + "#refund")
