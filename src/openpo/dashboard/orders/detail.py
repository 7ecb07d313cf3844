"""One order in the dashboard: its page (buyer, lines, money, statuses, timeline, links) and
the seller's actions on it: correct the buyer's details, change the items, cancel with a
reason (after a confirmation step), and add internal notes.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openpo.catalog.models import Variant
from openpo.core.audit_labels import action_label, actor_name
from openpo.core.errors import DomainError
from openpo.core.forms import add_domain_error
from openpo.core.models import AuditEvent
from openpo.core.money import format_rupiah
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.fulfillment.reconfirm import ReconfirmNoteForm
from openpo.dashboard.money.verification import (
    ConfirmForm,
    ManualPaymentForm,
    RejectForm,
    describe_claim,
)
from openpo.dashboard.orders.forms import BuyerForm, CancelForm, NoteForm, posted_quantities
from openpo.fulfillment.services.reconfirmation import order_reconfirmations
from openpo.orders.models import Order
from openpo.orders.services.changing import (
    CHANGEABLE_PHASES,
    add_order_note,
    change_order_items,
    update_buyer_details,
)
from openpo.orders.services.releasing import cancel_order
from openpo.payments.balances import goes_ahead, order_balance, refund_owed
from openpo.payments.models import Payment

# Shown through their own rows (the proof, the note), not twice.
EVENTS_SHOWN_ELSEWHERE = {"order.note_added", "payment.proof_submitted"}


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    detail: str = ""
    who: str = ""
    kind: str = "event"


def _event_detail(event: AuditEvent) -> str:
    data = event.data or {}
    if event.action == "order.placed":
        return format_rupiah(data.get("total"))
    if event.action == "order.cancelled":
        return data.get("reason", "")
    if event.action.startswith("payment.") and "amount" in data:
        reason = data.get("reason", "")
        return format_rupiah(data["amount"]) + (f" · {reason}" if reason else "")
    if event.action == "order.buyer_self_corrected":
        return _changes_detail(data.get("changes") or {})
    if event.action == "order.items_changed" and "total" in data:
        before, after = data.get("total_before"), data["total"]
        return f"{format_rupiah(before)} → {format_rupiah(after)}" if before else ""
    return ""


# The order's fields a buyer's own correction names, in words.
FIELD_LABELS = {
    "buyer_name": gettext_lazy("Name"),
    "buyer_phone": gettext_lazy("WhatsApp number"),
    "address": gettext_lazy("Address"),
    "city": gettext_lazy("City"),
    "province": gettext_lazy("Province"),
    "postal_code": gettext_lazy("Postal code"),
}


def _changes_detail(changes: dict) -> str:
    """One line per changed field: `Address: old → new`."""
    return "\n".join(
        f"{FIELD_LABELS.get(name, name)}: {old or '—'} → {new or '—'}"
        for name, (old, new) in changes.items()
    )


def _shown(event: AuditEvent) -> bool:
    # A buyer's own correction is shown once, by its event with the old and new values.
    return not (event.action == "order.buyer_updated" and event.actor_label == "buyer")


def timeline(order: Order) -> list[TimelineEntry]:
    """Events, payment proofs and internal notes of the order, oldest first."""
    entries = [
        TimelineEntry(
            at=event.created_at,
            title=action_label(event.action),
            detail=_event_detail(event),
            who=actor_name(event),
        )
        for event in AuditEvent.objects.filter(
            subject_type="orders.order", subject_id=str(order.pk)
        )
        .exclude(action__in=EVENTS_SHOWN_ELSEWHERE)
        .select_related("actor")
        if _shown(event)
    ]
    entries += [
        TimelineEntry(
            at=proof.uploaded_at,
            title=_("Payment proof uploaded"),
            detail=proof.original_name,
            kind="proof",
        )
        for proof in order.payment_proofs.all()
    ]
    entries += [
        TimelineEntry(
            at=note.created_at,
            title=_("Internal note"),
            detail=note.text,
            who=note.author.get_username() if note.author else "",
            kind="note",
        )
        for note in order.internal_notes.select_related("author")
    ]
    return sorted(entries, key=lambda entry: entry.at)


def _whatsapp_link(phone: str) -> str:
    return "https://wa.me/" + "".join(ch for ch in phone if ch.isdigit())


def _can_change_items(order: Order) -> bool:
    return order.is_active and order.campaign.phase(timezone.now()) in CHANGEABLE_PHASES


def _page(
    request: HttpRequest, order: Order, template: str, *, status: int = 200, **context
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "shop": request.shop,
            "order": order,
            "campaign": order.campaign,
            "dash_section": "pos",
            **context,
        },
        status=status,
    )


@require_GET
@shop_member_required
def order(request: HttpRequest, order_id: int) -> HttpResponse:
    found = get_shop_object(request, Order, pk=order_id)
    return _page(
        request,
        found,
        "dashboard/orders/detail.html",
        lines=found.lines.all(),
        expected=found.open_expected_payment,
        timeline=timeline(found),
        public_url=request.build_absolute_uri(reverse("order_page", args=[found.secret])),
        whatsapp_url=_whatsapp_link(found.buyer_phone),
        note_form=NoteForm(),
        can_change_items=_can_change_items(found),
        **_money_context(request, found),
        overdue=found.is_overdue(timezone.now()),
        reconfirmations=order_reconfirmations(found),
        reconfirm_note_form=ReconfirmNoteForm(),
    )


def _money_context(request: HttpRequest, order: Order) -> dict:
    """The order's Payments section: what was asked, what came in, what went back."""
    return {
        "expected_payments": order.expected_payments.all(),
        "payments": [
            describe_claim(payment, order) if payment.status == Payment.Status.CLAIMED else payment
            for payment in order.payments.select_related(
                "proof", "decided_by", "expected_payment"
            ).prefetch_related("claim_proofs")
        ],
        "refunds": order.refunds.select_related("created_by"),
        "refund_owed": refund_owed(order),
        "balance": order_balance(order),
        "goes_ahead": goes_ahead(order),
        "confirm_form": ConfirmForm(),
        "reject_form": RejectForm(),
        "manual_form": ManualPaymentForm(),
        "back": request.get_full_path() + "#payments",
    }


@require_http_methods(["GET", "POST"])
@shop_member_required
def edit_buyer(request: HttpRequest, order_id: int) -> HttpResponse:
    found = get_shop_object(request, Order, pk=order_id)
    form = BuyerForm(request.POST or None, initial=BuyerForm.initial_from(found))
    if request.method == "POST" and form.is_valid():
        try:
            update_buyer_details(order=found, buyer=form.buyer(), actor=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Buyer details saved."))
            return redirect("dashboard:order", found.pk)
    return _page(request, found, "dashboard/orders/edit_buyer.html", form=form)


def _item_rows(order: Order, quantities: dict[int, int] | None) -> list[dict]:
    """Every variant the order has or could have, with the quantity to show in its input."""
    current = {line.variant_id: line for line in order.lines.all()}
    variants = Variant.objects.filter(campaign=order.campaign).select_related("product")
    rows = []
    for variant in variants:
        line = current.get(variant.pk)
        if not variant.is_active and not line:
            continue
        shown = quantities.get(variant.pk, 0) if quantities is not None else None
        rows.append(
            {
                "variant": variant,
                "quantity": shown if shown is not None else (line.quantity if line else 0),
                "ordered": line.quantity if line else 0,
                "price": line.unit_price if line else variant.price,
                "left": variant.units_left,
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@shop_member_required
def change_items(request: HttpRequest, order_id: int) -> HttpResponse:
    found = get_shop_object(request, Order, pk=order_id)
    errors: list[str] = []
    quantities = None
    if request.method == "POST":
        quantities, errors = posted_quantities(request.POST)
        if not errors:
            try:
                change_order_items(order=found, items=quantities, actor=request.user)
            except DomainError as error:
                errors = [str(m) for m in error.field_errors.get("items", [])] or [error.message]
            else:
                messages.success(request, _("Items changed."))
                return redirect("dashboard:order", found.pk)
    return _page(
        request,
        found,
        "dashboard/orders/items.html",
        rows=_item_rows(found, quantities),
        errors=errors,
        can_change_items=_can_change_items(found),
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@shop_member_required
def cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    found = get_shop_object(request, Order, pk=order_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and found.is_active and form.is_valid():
        cancel_order(order=found, reason=form.cleaned_data["reason"], actor=request.user)
        messages.success(request, _("Order %(code)s cancelled.") % {"code": found.code})
        return redirect("dashboard:order", found.pk)
    return _page(request, found, "dashboard/orders/cancel.html", form=form)


@require_POST
@shop_member_required
def add_note(request: HttpRequest, order_id: int) -> HttpResponse:
    found = get_shop_object(request, Order, pk=order_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            add_order_note(order=found, text=form.cleaned_data["text"], actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Note added."))
    else:
        for problem in form.errors.get("text", [_("Write a note first.")]):
            messages.error(request, problem)
    return redirect(reverse("dashboard:order", args=[found.pk]) + "#notes")


urlpatterns = [
    path("orders/<int:order_id>/", order, name="order"),
    path("orders/<int:order_id>/edit/", edit_buyer, name="order_edit"),
    path("orders/<int:order_id>/items/", change_items, name="order_items"),
    path("orders/<int:order_id>/cancel/", cancel, name="order_cancel"),
    path("orders/<int:order_id>/notes/", add_note, name="order_note"),
]
