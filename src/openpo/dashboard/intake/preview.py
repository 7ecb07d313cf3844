"""The editable preview of orders read from a chat or a form export, shared by both doors, and
the result page of an import.

The preview is a formset: one form per order, every field editable. Nothing the page posts is
trusted as it was shown: each post reads every order again from its fields with
`order_from_fields`, and only orders read without errors are placed, by `import_orders`
(which also keeps a double submit from doubling them).
"""

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openpo.catalog.models import Campaign
from openpo.core.money import format_rupiah
from openpo.core.text import text_problem
from openpo.dashboard.intake.forms import (
    MAX_ORDERS,
    MAX_SOURCE_CHARS,
    OrderFormSet,
    OrderRowForm,
)
from openpo.dashboard.messages.sending import wa_me_link
from openpo.intake.catalogue import Catalogue, catalogue_for
from openpo.intake.items import items_text
from openpo.intake.parser import order_from_fields
from openpo.intake.results import ParsedOrder
from openpo.intake.services.importing import ImportReport, Outcome, find_duplicates, import_orders
from openpo.messaging.events import order_link
from openpo.messaging.models import Channel, OutboxMessage
from openpo.messaging.rendering import local_time
from openpo.orders.models import Order

PREFIX = "orders"
PREVIEW_TEMPLATE = "dashboard/intake/preview.html"
RESULT_TEMPLATE = "dashboard/intake/result.html"


@dataclass
class Row:
    """One order of the preview: its form, what the parser read (None while a field of the
    form itself is refused) and the order already in the PO that it repeats, if any."""

    number: int
    form: OrderRowForm
    order: ParsedOrder | None
    duplicate: Order | None = None

    @property
    def lines(self) -> list[dict]:
        """What the parser understood, item by item, with each item's subtotal."""
        if self.order is None:
            return []
        return [
            {"item": item, "subtotal": item.price * (item.quantity or 0) if item.matched else None}
            for item in self.order.items
        ]

    @property
    def state(self) -> str:
        if self.order is None or self.order.errors:
            return "error"
        if self.duplicate is not None:
            return "duplicate"
        if self.order.warnings:
            return "warning"
        return "ready"


@dataclass
class Preview:
    """What the preview template shows: the formset, its rows, where it posts, and notes."""

    formset: OrderFormSet
    rows: list[Row]
    action: str  # the URL the form posts to
    hidden: dict[str, str] = field(default_factory=dict)  # e.g. the upload's token
    notes: list[str] = field(default_factory=list)
    problem: str = ""  # why nothing was imported (shown above the buttons)

    @property
    def ready(self) -> int:
        return sum(1 for row in self.rows if row.state in ("ready", "warning"))

    @property
    def with_errors(self) -> int:
        return sum(1 for row in self.rows if row.state == "error")


def _is_ready(order: ParsedOrder, duplicate: Order | None) -> bool:
    return order.ok and bool(order.items) and duplicate is None


def _shown_source(order: ParsedOrder) -> str:
    """The original message for the read-only field, or "" when the form could not take it
    back (too long, or an invisible character the seller could not remove from it)."""
    source = order.source
    if len(source) > MAX_SOURCE_CHARS or text_problem(source, multiline=True):
        return ""
    return source


def _initial(order: ParsedOrder, *, selected: bool, ready: bool) -> dict:
    return {
        "selected": selected,
        "ready": ready,
        "row": order.row,
        "name": order.name,
        "phone": order.phone_text or order.phone or "",
        "email": order.email,
        "address": order.address,
        "notes": order.notes,
        "items": items_text(order.items),
        "source": _shown_source(order),
    }


def _fresh(
    orders: list[ParsedOrder], duplicates: dict, ticks: list[bool] | None = None
) -> tuple[OrderFormSet, list[Row]]:
    """An unbound formset showing `orders`; `ticks` overrides the default (ready → ticked)."""
    initial = []
    for index, order in enumerate(orders):
        ready = _is_ready(order, duplicates.get(index))
        selected = ready if ticks is None else ticks[index]
        initial.append(_initial(order, selected=selected, ready=ready))
    formset = OrderFormSet(initial=initial, prefix=PREFIX)
    rows = [
        Row(number=index + 1, form=form, order=order, duplicate=duplicates.get(index))
        for index, (form, order) in enumerate(zip(formset.forms, orders, strict=True))
    ]
    return formset, rows


def _fit(campaign: Campaign, orders: list[ParsedOrder]) -> tuple[list[ParsedOrder], list[str]]:
    """At most MAX_ORDERS orders; past that, those already in the PO are left out first, so
    reading the same text again after an import shows the next ones."""
    if len(orders) <= MAX_ORDERS:
        return orders, []
    notes = []
    duplicates = find_duplicates(campaign, orders)
    if duplicates:
        orders = [order for index, order in enumerate(orders) if index not in duplicates]
        notes.append(
            ngettext(
                "%(count)s order already in this PO is not shown.",
                "%(count)s orders already in this PO are not shown.",
                len(duplicates),
            )
            % {"count": len(duplicates)}
        )
    if len(orders) > MAX_ORDERS:
        notes.append(
            _(
                "Only the first %(shown)s of %(total)s orders are shown. Import them, then "
                "read the same text again: the orders already imported are left out."
            )
            % {"shown": MAX_ORDERS, "total": len(orders)}
        )
        orders = orders[:MAX_ORDERS]
    return orders, notes


def first_preview(
    campaign: Campaign, orders: list[ParsedOrder], *, action: str, hidden=None
) -> Preview:
    """The preview of orders just read: those without errors and not already in the PO are
    ticked."""
    orders, notes = _fit(campaign, orders)
    formset, rows = _fresh(orders, find_duplicates(campaign, orders))
    return Preview(formset=formset, rows=rows, action=action, hidden=hidden or {}, notes=notes)


def read_back(form: OrderRowForm, catalogue: Catalogue) -> ParsedOrder:
    """The order as its form now says, read again by the parser."""
    order = order_from_fields(**form.fields_for_parser(), catalogue=catalogue)
    order.row = form.cleaned_data.get("row")
    order.source = form.cleaned_data.get("source") or ""
    return order


@dataclass
class Posted:
    """A posted preview, read again: either `preview` to show again, or `report` (imported)."""

    preview: Preview | None = None
    report: ImportReport | None = None
    left_out: list[ParsedOrder] = field(default_factory=list)


def handle_post(
    request: HttpRequest,
    campaign: Campaign,
    *,
    channel: str,
    action: str,
    hidden=None,
) -> Posted:
    """ "Check again" (re-read every order) or "Import ticked orders" (re-read, then place the
    ticked ones if none of them has an error)."""
    hidden = hidden or {}
    catalogue = catalogue_for(campaign)
    formset = OrderFormSet(request.POST, prefix=PREFIX)
    if not formset.is_valid():
        # A field the form refuses (an invisible character, too long) or a broken formset:
        # the form shows its own errors, the other orders what the parser read.
        rows = []
        for index, form in enumerate(formset.forms):
            order = read_back(form, catalogue) if not form.errors else None
            rows.append(Row(number=index + 1, form=form, order=order))
        problem = " ".join(str(e) for e in formset.non_form_errors()) or _(
            "Some fields cannot be used as they are: correct the ones marked in red."
        )
        return Posted(preview=Preview(formset, rows, action, hidden, problem=problem))

    forms = formset.forms
    orders = [read_back(form, catalogue) for form in forms]
    duplicates = find_duplicates(campaign, orders)
    posted_ticks = [bool(form.cleaned_data.get("selected")) for form in forms]

    if request.POST.get("action") == "import":
        ticked = [index for index, tick in enumerate(posted_ticks) if tick]
        blocked = [index + 1 for index in ticked if orders[index].errors]
        problem = ""
        if not ticked:
            problem = _("Tick the orders to import.")
        elif blocked:
            problem = _(
                "Nothing was imported: ticked orders still have problems (%(numbers)s). "
                "Correct them or untick them."
            ) % {"numbers": ", ".join(f"#{n}" for n in blocked)}
        if problem:
            formset, rows = _fresh(orders, duplicates, ticks=posted_ticks)
            return Posted(preview=Preview(formset, rows, action, hidden, problem=problem))
        report = import_orders(
            campaign=campaign,
            orders=[orders[index] for index in ticked],
            channel=channel,
            actor=request.user,
        )
        left_out = [order for index, order in enumerate(orders) if index not in ticked]
        return Posted(report=report, left_out=left_out)

    # Check again: an order that became ready is ticked; a ready order the seller unticked
    # stays unticked; an order with errors or already in the PO is not ticked.
    ticks = []
    for index, (form, order) in enumerate(zip(forms, orders, strict=True)):
        ready = _is_ready(order, duplicates.get(index))
        was_ready = bool(form.cleaned_data.get("ready"))
        ticks.append(ready and (posted_ticks[index] or not was_ready))
    formset, rows = _fresh(orders, duplicates, ticks=ticks)
    return Posted(preview=Preview(formset, rows, action, hidden))


def render_preview(
    request: HttpRequest, campaign: Campaign, preview: Preview, *, context=None, status=200
) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        PREVIEW_TEMPLATE,
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "pos",
            "preview": preview,
            "is_open": campaign.is_open(now),
            "phase": campaign.phase(now),
            **(context or {}),
        },
        status=status,
    )


# The result of an import ---------------------------------------------------------------------


@dataclass
class Imported:
    """An imported order with what the seller sends the buyer next."""

    outcome: Outcome
    order: Order
    amount: int
    deadline: object
    reply_url: str
    reply_text: str


def _reply_bodies(orders: list[Order]) -> dict[int, str]:
    """order id → the body of its "order received" WhatsApp message, where one was written."""
    rows = OutboxMessage.objects.filter(
        order__in=orders, event="order_received", channel=Channel.WHATSAPP
    ).values_list("order_id", "body")
    return dict(rows)


def amount_to_pay(order: Order) -> int:
    expected = order.open_expected_payment
    return expected.amount if expected else order.deposit_due


def fallback_reply(order: Order, campaign: Campaign) -> str:
    """A short "order received" text when the outbox has none (e.g. no phone channel)."""
    shop = campaign.shop
    with translation.override(shop.message_language):
        return _(
            "Hi %(name)s, your order %(code)s for %(po)s is in. Please transfer %(amount)s "
            "by %(deadline)s. Your order: %(link)s"
        ) % {
            "name": order.buyer_name,
            "code": order.code,
            "po": campaign.title,
            "amount": format_rupiah(amount_to_pay(order)),
            "deadline": local_time(shop, order.payment_deadline),
            "link": order_link(order),
        }


def imported_rows(report: ImportReport, campaign: Campaign) -> list[Imported]:
    outcomes = [o for o in report.imported if o.order is not None]
    bodies = _reply_bodies([o.order for o in outcomes])
    rows = []
    for outcome in outcomes:
        order = outcome.order
        order.campaign = campaign  # the same row; spares a query per order
        text = bodies.get(order.pk) or fallback_reply(order, campaign)
        rows.append(
            Imported(
                outcome=outcome,
                order=order,
                amount=amount_to_pay(order),
                deadline=order.payment_deadline,
                reply_url=wa_me_link(order.buyer_phone, text),
                reply_text=text,
            )
        )
    return rows


def summary_line(report: ImportReport, left_out: int) -> str:
    """`5 imported, 1 already in this PO, 2 did not fit the quota`."""
    sold_out = len(report.sold_out)
    other_failed = len(report.failed) - sold_out
    parts = [_("%(count)s imported") % {"count": len(report.imported)}]
    if report.duplicates:
        parts.append(_("%(count)s already in this PO") % {"count": len(report.duplicates)})
    if sold_out:
        parts.append(_("%(count)s did not fit the quota") % {"count": sold_out})
    if other_failed:
        parts.append(_("%(count)s not imported") % {"count": other_failed})
    if report.skipped:
        parts.append(_("%(count)s not ready") % {"count": len(report.skipped)})
    if left_out:
        parts.append(_("%(count)s left out (not ticked)") % {"count": left_out})
    return ", ".join(parts)


def render_result(
    request: HttpRequest,
    campaign: Campaign,
    posted: Posted,
    *,
    again_url: str,
    context=None,
) -> HttpResponse:
    report = posted.report
    assert report is not None
    return render(
        request,
        RESULT_TEMPLATE,
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "pos",
            "summary": summary_line(report, len(posted.left_out)),
            "imported": imported_rows(report, campaign),
            "duplicates": report.duplicates,
            "failed": report.failed + report.skipped,
            "left_out": posted.left_out,
            "again_url": again_url,
            **(context or {}),
        },
    )
