"""The editable preview of orders read from a chat or a form export, shared by both doors, and
the result page of an import.

The preview is a formset: one form per order, every field editable. Nothing the page posts is
trusted as it was shown: each post reads every order again from its fields with
`order_from_fields`, and only orders read without errors are placed, by `import_orders`
(which also keeps a double submit from doubling them).

A month of a busy seller's chat is ~1,100 orders on one page (bench/intake_preview.py), so the
page is built for that many: each order's inputs are written from plain values by `Input`
(label, input, refusals; `Row.groups`), not through the forms' widget templates, which took
~3 s for 1,100 orders; a preview is made from the orders' values without building a form per
order (only a posted preview goes through the formset, for its checks); the PO's orders are
read in one query for every row (`find_duplicates`) and the catalogue once per request.

Each card shows the order's problems under its heading, and marks the field each belongs to
(`FIELD_OF_PROBLEM`); the page lists the first orders with errors as links to their cards.
Empty fields the seller rarely needs (`MORE_FIELDS`) wait behind "More fields".
"""

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape
from urllib.parse import quote_plus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openpo.catalog.models import Campaign
from openpo.core.money import format_rupiah
from openpo.core.phone import format_phone_local
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
# The editable fields of an order, as the page groups them: the buyer's, then the items (the
# original message follows the items, read-only).
GROUPS = (
    ("intake-buyer", ("name", "phone", "address", "email", "notes")),
    ("intake-items", ("items",)),
)
# Fields shown behind "More fields" (a <details>, still posted) while empty and not marked.
MORE_FIELDS = ("email", "notes")
# The field a problem of the parser (Problem.code) is about, to mark it.
FIELD_OF_PROBLEM = {
    "missing_name": "name",
    "name_from_sender": "name",
    "missing_phone": "phone",
    "invalid_phone": "phone",
    "phone_from_sender": "phone",
    "invalid_email": "email",
    "missing_address": "address",
    **dict.fromkeys(
        (
            "missing_items",
            "unknown_product",
            "ambiguous_product",
            "missing_variant",
            "unknown_variant",
            "bad_quantity",
            "fuzzy_match",
            "assumed_quantity",
            "quantity_not_used",
        ),
        "items",
    ),
}
# Orders with errors linked from the top of the preview, at most.
MAX_LINKS = 50
# A preview's post may use this share of the body Django accepts (DATA_UPLOAD_MAX_MEMORY_SIZE);
# the rest is room for what the seller types into it.
POST_SHARE = 0.8
# What a row posts besides its values, at most: ten names such as `orders-1499-address=&`, the
# tick's `on` and `ready`'s `True`.
ROW_OVERHEAD = 10 * 22 + 10


@lru_cache(maxsize=4096)
def _local_phone(e164: str) -> str:
    """0812-3456-7890: the same buyers come back through a chat, and phonenumbers is slow."""
    return format_phone_local(e164)


@dataclass(frozen=True)
class Input:
    """One editable field of a row: an <input>, or a <textarea> of `rows` lines; `{{ input }}`
    in a template writes it with its label and refusals."""

    name: str  # as posted: orders-3-phone
    label: str
    value: str
    rows: int = 0
    maxlength: int | None = None
    spellcheck: bool = True
    errors: tuple[str, ...] = ()  # the form's refusals of the value
    autofocus: bool = False
    mark: str = ""  # "error" or "warning": a problem of the order is about this field
    describedby: str = ""  # the ids of the problems about it, space-separated

    @property
    def id(self) -> str:
        return f"id_{self.name}"

    def __html__(self) -> SafeString:
        """The field as the page shows it: its label, the input (or textarea) and the form's
        refusals, every text escaped. Written here rather than by a template: a preview has up
        to 9,000 of them, and each costs ~15 template nodes."""
        name, id_ = escape(self.name), escape(self.id)
        attrs = f' name="{name}" id="{id_}"'
        if self.maxlength:
            attrs += f' maxlength="{int(self.maxlength)}"'
        if not self.spellcheck:
            attrs += ' spellcheck="false"'
        invalid = bool(self.errors) or self.mark == "error"
        if invalid:
            attrs += ' aria-invalid="true"'
        if self.describedby:
            attrs += f' aria-describedby="{escape(self.describedby)}"'
        if self.autofocus:
            attrs += " autofocus"
        value = escape(self.value)
        if self.rows:
            # The line break after <textarea> is dropped by the browser, so a value that
            # begins with one keeps it.
            control = f'<textarea{attrs} rows="{int(self.rows)}">\n{value}</textarea>'
        else:
            control = f'<input type="text"{attrs} value="{value}">'
        errors = "".join(f'<p class="error" role="alert">{escape(e)}</p>' for e in self.errors)
        css = "field has-error" if invalid else "field"
        if self.mark == "warning" and not invalid:
            css = "field has-warning"
        label = f'<label for="{id_}">{escape(self.label)}</label>'
        return mark_safe(f'<div class="{css}">{label}{control}{errors}</div>')

    __str__ = __html__  # a template writes str() of what is not a str


@dataclass(frozen=True)
class Spec:
    """What the template needs of an OrderRowForm field: its label (in the request's
    language), lines and length."""

    label: str
    rows: int
    maxlength: int | None
    spellcheck: bool


def _specs() -> dict[str, Spec]:
    specs = {}
    for _group, names in GROUPS:
        for name in names:
            form_field = OrderRowForm.base_fields[name]
            attrs = form_field.widget.attrs
            specs[name] = Spec(
                label=str(form_field.label),
                rows=int(attrs.get("rows", 0)),
                maxlength=form_field.max_length,
                spellcheck=attrs.get("spellcheck") != "false",
            )
    return specs


@dataclass
class Row:
    """One order of the preview: the values its fields show, what the parser read (None while
    a field of the form itself is refused), the order already in the PO that it repeats, if
    any, and the form's own refusals by field."""

    number: int
    values: dict
    order: ParsedOrder | None
    duplicate: Order | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    specs: dict[str, Spec] = field(default_factory=dict, repr=False)
    focus: str = ""  # the field that takes the focus: the page's first one refused
    shipping_fee: int = 0  # the PO's, added to each order at import

    @property
    def prefix(self) -> str:
        return f"{PREFIX}-{self.number - 1}"

    @property
    def pick_label(self) -> str:
        return _("Import order #%(number)s") % {"number": self.number}

    @property
    def selected(self) -> bool:
        return bool(self.values.get("selected"))

    @property
    def ready(self) -> bool:
        return bool(self.values.get("ready"))

    @property
    def sheet_row(self) -> str:
        value = self.values.get("row")
        return "" if value is None else str(value)

    @property
    def source(self) -> str:
        return self.values.get("source") or ""

    @property
    def problems_id(self) -> str:
        return f"intake-problems-{self.number}"

    @property
    def noted(self) -> bool:
        """Whether the card has anything to say under its heading: refused fields, problems,
        or the order already in the PO."""
        order = self.order
        return order is None or bool(order.errors or order.warnings) or self.duplicate is not None

    @cached_property
    def marks(self) -> dict[str, tuple[str, list[str]]]:
        """field name → ("error" or "warning", the ids of the problems about it), for the
        fields the order's problems are about; the ids are those of the template's list
        items (`intake-problems-3-e1`: the first error of order #3)."""
        marks: dict[str, tuple[str, list[str]]] = {}
        if self.order is None:
            return marks
        for kind, problems in (("e", self.order.errors), ("w", self.order.warnings)):
            for index, problem in enumerate(problems, start=1):
                name = FIELD_OF_PROBLEM.get(problem.code)
                if name is None:
                    continue
                mark, ids = marks.get(name, ("error" if kind == "e" else "warning", []))
                ids.append(f"{self.problems_id}-{kind}{index}")
                marks[name] = (mark, ids)
        return marks

    @cached_property
    def groups(self) -> list[tuple[str, list[Input], list[Input]]]:
        """The editable fields, grouped as the page shows them: each group's fields, and
        those shown behind "More fields" (empty, and nothing to correct in them)."""
        specs = self.specs or _specs()
        prefix, marks = self.prefix, self.marks
        groups = []
        for css, names in GROUPS:
            inputs, more = [], []
            for name in names:
                spec, value = specs[name], self.values.get(name)
                text = "" if value is None else str(value)
                errors = tuple(self.errors.get(name, ()))
                mark, ids = marks.get(name, ("", ()))
                field_input = Input(
                    name=f"{prefix}-{name}",
                    label=spec.label,
                    value=text,
                    rows=spec.rows,
                    maxlength=spec.maxlength,
                    spellcheck=spec.spellcheck,
                    errors=errors,
                    autofocus=name == self.focus,
                    mark=mark,
                    describedby=" ".join(ids),
                )
                tucked = name in MORE_FIELDS and not text.strip() and not errors and not mark
                (more if tucked else inputs).append(field_input)
            groups.append((css, inputs, more))
        return groups

    @cached_property
    def lines(self) -> list[dict]:
        """What the parser understood, item by item, with each item's subtotal."""
        if self.order is None:
            return []
        lines = []
        for item in self.order.items:
            matched = item.matched
            lines.append(
                {
                    "item": item,
                    "product": item.product or "?",
                    "variant": item.variant or "—",
                    "quantity": item.quantity or "?",
                    "subtotal": format_rupiah(item.price * (item.quantity or 0))
                    if matched
                    else None,
                }
            )
        return lines

    @property
    def subtotal(self) -> str:
        return format_rupiah(self.order.subtotal()) if self.order is not None else ""

    @property
    def total(self) -> str:
        """The items and the PO's shipping fee: what the order comes to (before the unique
        code that the import adds to the amount to transfer)."""
        if self.order is None:
            return ""
        return format_rupiah(self.order.subtotal() + self.shipping_fee)

    @property
    def first_problem(self) -> str:
        """What the list of orders with problems says of this one."""
        if self.order is None:
            return _("Correct the fields marked in red, then check again.")
        return str(self.order.errors[0]) if self.order.errors else ""

    @property
    def phone(self) -> str:
        """The number understood, written the local way."""
        return _local_phone(self.order.phone) if self.order and self.order.phone else ""

    @cached_property
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
    """What the preview template shows: its rows, where it posts, and notes."""

    rows: list[Row]
    action: str  # the URL the form posts to
    hidden: dict[str, str] = field(default_factory=dict)  # e.g. the upload's token
    notes: list[str] = field(default_factory=list)
    problem: str = ""  # why nothing was imported (shown above the buttons)
    more: bool = False  # orders were left for the next preview (they did not fit this one)

    @property
    def management_form(self):
        """The formset's count of forms, for the post to be read back (no form is built)."""
        return OrderFormSet(initial=[{}] * len(self.rows), prefix=PREFIX).management_form

    @property
    def ready(self) -> int:
        return sum(1 for row in self.rows if row.state in ("ready", "warning"))

    @property
    def with_errors(self) -> int:
        return len(self.with_problems)

    @property
    def duplicates(self) -> int:
        return sum(1 for row in self.rows if row.state == "duplicate")

    @property
    def count_line(self) -> str:
        """`3 orders read: 1 ready to import, 1 with problems, 1 already in this PO.`"""
        total = len(self.rows)
        values = {
            "total": total,
            "ready": self.ready,
            "errors": self.with_errors,
            "duplicates": self.duplicates,
        }
        if values["duplicates"]:
            return (
                ngettext(
                    "%(total)s order read: %(ready)s ready to import, %(errors)s with problems, "
                    "%(duplicates)s already in this PO.",
                    "%(total)s orders read: %(ready)s ready to import, %(errors)s with problems, "
                    "%(duplicates)s already in this PO.",
                    total,
                )
                % values
            )
        return (
            ngettext(
                "%(total)s order read: %(ready)s ready to import, %(errors)s with problems.",
                "%(total)s orders read: %(ready)s ready to import, %(errors)s with problems.",
                total,
            )
            % values
        )

    @cached_property
    def with_problems(self) -> list[Row]:
        return [row for row in self.rows if row.state == "error"]

    @property
    def problem_links(self) -> list[tuple[int, str]]:
        """(order number, what to correct) of the first orders with errors, to jump to."""
        line = _("Order #%(number)s: %(problem)s")
        return [
            (row.number, line % {"number": row.number, "problem": row.first_problem})
            for row in self.with_problems[:MAX_LINKS]
        ]

    @property
    def problems_not_linked(self) -> int:
        return max(0, len(self.with_problems) - MAX_LINKS)

    def set_shipping_fee(self, fee: int) -> None:
        """Each order's total counts the PO's shipping fee."""
        for row in self.rows:
            row.shipping_fee = fee


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
) -> list[Row]:
    """The rows showing `orders`; `ticks` overrides the default (ready → ticked)."""
    specs = _specs()
    rows = []
    for index, order in enumerate(orders):
        duplicate = duplicates.get(index)
        ready = _is_ready(order, duplicate)
        selected = ready if ticks is None else ticks[index]
        values = _initial(order, selected=selected, ready=ready)
        rows.append(Row(index + 1, values, order, duplicate, specs=specs))
    return rows


def _post_budget() -> int | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else int(limit * POST_SHARE)


def _posted_text(order: ParsedOrder) -> str:
    """The values a row of this order posts, run together (the original message counted
    whenever it is short enough to be shown)."""
    source = order.source if len(order.source) <= MAX_SOURCE_CHARS else ""
    phone = order.phone_text or order.phone or ""
    row = "" if order.row is None else str(order.row)
    texts = (order.name, phone, order.email, order.address, order.notes, source, row)
    return "".join(texts) + items_text(order.items)


def _fitting(orders: list[ParsedOrder]) -> int:
    """How many of `orders`, from the first, one preview holds: at most MAX_ORDERS, and no
    more than a post of them that Django takes (the seller's edits still fitting)."""
    count = min(len(orders), MAX_ORDERS)
    budget = _post_budget()
    if budget is None:
        return count
    texts = [_posted_text(order) for order in orders[:count]]
    # A byte of UTF-8 is at most 3 urlencoded (%E2), a line break 6 (%0D%0A, as browsers send).
    most = sum(3 * len(text.encode()) + 3 * text.count("\n") + ROW_OVERHEAD for text in texts)
    if most <= budget:
        return count
    total = 0
    for shown, text in enumerate(texts):
        total += len(quote_plus(text)) + 3 * text.count("\n") + ROW_OVERHEAD
        if total > budget:
            return shown
    return count


def _fit(
    orders: list[ParsedOrder], duplicates: dict[int, Order]
) -> tuple[list[ParsedOrder], dict[int, Order], list[str], bool]:
    """The orders one preview shows, their duplicates, notes on those left out, and whether
    orders were left for a next preview. Past what a preview holds, those already in the PO
    are left out first, so reading the same text again after an import shows the next ones."""
    notes = []
    if duplicates and _fitting(orders) < len(orders):
        orders = [order for index, order in enumerate(orders) if index not in duplicates]
        notes.append(
            ngettext(
                "%(count)s order already in this PO is not shown.",
                "%(count)s orders already in this PO are not shown.",
                len(duplicates),
            )
            % {"count": len(duplicates)}
        )
        duplicates = {}
    shown = _fitting(orders)
    if shown < len(orders):
        notes.append(
            _(
                "Only the first %(shown)s of %(total)s orders are shown. Import them, then "
                "read the same text again: the orders already imported are left out."
            )
            % {"shown": shown, "total": len(orders)}
        )
        return orders[:shown], duplicates, notes, True
    return orders, duplicates, notes, False


def first_preview(
    campaign: Campaign, orders: list[ParsedOrder], *, action: str, hidden=None
) -> Preview:
    """The preview of orders just read: those without errors and not already in the PO are
    ticked."""
    shown, duplicates, notes, more = _fit(orders, find_duplicates(campaign, orders))
    return Preview(_fresh(shown, duplicates), action, hidden or {}, notes, more=more)


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


def _refused(formset, catalogue: Catalogue) -> list[Row]:
    """The rows of a post that a form refused: each field as posted, its refusal beside it;
    the other orders as the parser reads them. The first refused field takes the focus."""
    specs = _specs()
    shown = [name for _group, names in GROUPS for name in names]
    rows, focused = [], False
    for index, form in enumerate(formset.forms):
        cleaned = getattr(form, "cleaned_data", {})
        values = {
            name: cleaned[name] if name in cleaned else form[name].data for name in form.fields
        }
        errors = {name: [str(e) for e in form.errors[name]] for name in form.errors}
        focus = "" if focused else next((name for name in shown if name in errors), "")
        focused = focused or bool(focus)
        order = read_back(form, catalogue) if not form.errors else None
        rows.append(Row(index + 1, values, order, errors=errors, specs=specs, focus=focus))
    return rows


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
        problem = " ".join(str(e) for e in formset.non_form_errors()) or _(
            "Some fields cannot be used as they are: correct the ones marked in red."
        )
        return Posted(
            preview=Preview(_refused(formset, catalogue), action, hidden, problem=problem)
        )

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
            rows = _fresh(orders, duplicates, ticks=posted_ticks)
            return Posted(preview=Preview(rows, action, hidden, problem=problem))
        report = import_orders(
            campaign=campaign,
            orders=[orders[index] for index in ticked],
            channel=channel,
            actor=request.user,
        )
        chosen = set(ticked)
        left_out = [order for index, order in enumerate(orders) if index not in chosen]
        return Posted(report=report, left_out=left_out)

    # Check again: an order that became ready is ticked; a ready order the seller unticked
    # stays unticked; an order with errors or already in the PO is not ticked.
    ticks = []
    for index, (form, order) in enumerate(zip(forms, orders, strict=True)):
        ready = _is_ready(order, duplicates.get(index))
        was_ready = bool(form.cleaned_data.get("ready"))
        ticks.append(ready and (posted_ticks[index] or not was_ready))
    return Posted(preview=Preview(_fresh(orders, duplicates, ticks=ticks), action, hidden))


def render_preview(
    request: HttpRequest, campaign: Campaign, preview: Preview, *, context=None, status=200
) -> HttpResponse:
    now = timezone.now()
    preview.set_shipping_fee(campaign.shipping_fee)
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
