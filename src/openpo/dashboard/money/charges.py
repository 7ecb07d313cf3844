"""Extra charges after a PO closed (the second invoice, "tagihan ongkir"): add one to an order
from its page, cancel an unpaid one with a reason, and charge many orders of a PO at once from
a CSV/XLSX file or pasted rows of order code and amount, or of order code and weight in grams
priced per kg by shipping zone, always previewed before anything is applied.

Members of the shop see these pages; adding and cancelling are the owners' (the service says
so, `catalog.permissions.require_owner`): a charge asks buyers for money in the shop's name,
like a broadcast, while checking the transfers that pay it stays with the whole team.
The work is `openpo.payments.services.charges`.
"""

from datetime import date, datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from openpo.catalog.models import Campaign, Membership
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.money import format_rupiah
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.fields import RupiahField
from openpo.orders.models import Order
from openpo.payments.charges_file import ChargeLine, read_charge_lines
from openpo.payments.errors import InvalidCharge
from openpo.payments.models import ExpectedPayment
from openpo.payments.services.charges import (
    CHARGEABLE,
    add_extra_charge,
    add_extra_charges,
    cancel_extra_charge,
    due_at_end_of,
    plan_extra_charges,
)
from openpo.payments.statements.reading import MAX_STATEMENT_BYTES
from openpo.payments.zones import ZONES

AMOUNT, WEIGHT = "amount", "weight"


def _due_on_field() -> forms.DateField:
    return forms.DateField(
        label=gettext_lazy("Pay before (end of that day)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _label_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("What it is for (the buyer sees it)"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Ongkir, Pajak impor")}),
    )


class ChargeForm(Form):
    label = _label_field()
    amount = RupiahField(label=gettext_lazy("Amount (Rp)"), min_value=1)
    due_on = _due_on_field()


class CancelChargeForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is cancelled"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Charged twice")}),
    )


class ManyChargesForm(Form):
    """Rows of order code and amount (or weight in grams), from a file or typed; by weight,
    a rate per kg for each zone shipped to."""

    label = _label_field()
    due_on = _due_on_field()
    mode = forms.ChoiceField(
        label=gettext_lazy("Each row gives"),
        choices=[
            (AMOUNT, gettext_lazy("order code, amount (Rp)")),
            (WEIGHT, gettext_lazy("order code, weight in grams (priced per kg by zone)")),
        ],
        initial=AMOUNT,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel (XLSX) file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    rows = forms.CharField(
        label=gettext_lazy("…or type the rows, one order per line"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "PO-7K3Q9, 25000"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for zone, (label, _provinces) in ZONES.items():
            self.fields[f"rate_{zone}"] = RupiahField(
                label=_("%(zone)s: Rp per kg") % {"zone": label}, required=False
            )

    def rate_fields(self):
        return [self[f"rate_{zone}"] for zone in ZONES]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("rows") or "").strip():
            raise ValidationError(_("Choose a file or type the rows."))
        if cleaned.get("mode") == WEIGHT and not any(cleaned.get(f"rate_{zone}") for zone in ZONES):
            raise ValidationError(_("Give a rate per kg for at least one zone."))
        return cleaned

    def rates(self) -> dict[str, int] | None:
        if self.cleaned_data["mode"] != WEIGHT:
            return None
        return {
            zone: self.cleaned_data[f"rate_{zone}"]
            for zone in ZONES
            if self.cleaned_data.get(f"rate_{zone}")
        }

    def lines(self) -> list[ChargeLine]:
        upload = self.cleaned_data.get("file")
        if upload:
            return read_charge_lines(upload.read(), field="file")
        return read_charge_lines(self.cleaned_data["rows"].encode(), field="rows")


def _due_at(day: date, shop) -> datetime:
    return due_at_end_of(day, shop)


def _owner(request: HttpRequest) -> bool:
    return request.membership.role == Membership.Role.OWNER


@require_http_methods(["GET", "POST"])
@shop_member_required
def order_charge_new(request: HttpRequest, order_id: int) -> HttpResponse:
    """One extra charge on one order."""
    order = get_shop_object(request, Order, pk=order_id)
    form = ChargeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            add_extra_charge(
                order=order,
                amount=form.cleaned_data["amount"],
                label=form.cleaned_data["label"],
                due_at=_due_at(form.cleaned_data["due_on"], request.shop),
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error, aliases={"due_at": "due_on"})
            status = error.http_status
        else:
            messages.success(
                request,
                _("Extra charge of %(amount)s added to %(code)s; the buyer is told.")
                % {"amount": format_rupiah(form.cleaned_data["amount"]), "code": order.code},
            )
            return redirect(reverse("dashboard:order", args=[order.pk]) + "#payments")
    return render(
        request,
        "dashboard/charges/new.html",
        {
            "shop": request.shop,
            "order": order,
            "campaign": order.campaign,
            "dash_section": "payments",
            "form": form,
            "is_owner": _owner(request),
        },
        status=422 if form.errors and status == 200 else status,
    )


@require_http_methods(["GET", "POST"])
@shop_member_required
def charge_cancel(request: HttpRequest, charge_id: int) -> HttpResponse:
    """Cancel an unpaid extra charge, with a reason."""
    charge = get_shop_object(
        request, ExpectedPayment, pk=charge_id, kind=ExpectedPayment.Kind.EXTRA
    )
    form = CancelChargeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            cancel_extra_charge(
                charge=charge, reason=form.cleaned_data["reason"], actor=request.user
            )
        except DomainError as error:
            add_domain_error(form, error)
            status = error.http_status
        else:
            messages.success(request, _("The extra charge is cancelled."))
            return redirect(reverse("dashboard:order", args=[charge.order_id]) + "#payments")
    return render(
        request,
        "dashboard/charges/cancel.html",
        {
            "shop": request.shop,
            "order": charge.order,
            "campaign": charge.order.campaign,
            "charge": charge,
            "dash_section": "payments",
            "form": form,
            "is_owner": _owner(request),
        },
        status=422 if form.errors and status == 200 else status,
    )


def _plan_rows(plan, mode: str) -> str:
    """The checked rows again, as the confirmation posts them back (checked once more)."""
    if mode == WEIGHT:
        return "\n".join(f"{p.order.code},{p.grams}" for p in plan)
    return "\n".join(f"{p.order.code},{p.amount}" for p in plan)


@require_http_methods(["GET", "POST"])
@shop_member_required
@limit_upload(MAX_STATEMENT_BYTES)
def campaign_charges(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Charge many orders of a PO: a preview of every row first, then one tap applies all
    (checked again in one transaction), or nothing when any row is wrong."""
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    form = ManyChargesForm(request.POST or None, request.FILES or None)
    plan = None
    status = 200
    if request.method == "POST" and form.is_valid():
        due_at = _due_at(form.cleaned_data["due_on"], request.shop)
        try:
            lines = form.lines()
            if request.POST.get("apply"):
                opened = add_extra_charges(
                    campaign=campaign,
                    lines=lines,
                    label=form.cleaned_data["label"],
                    due_at=due_at,
                    rates=form.rates(),
                    field="file" if form.cleaned_data.get("file") else "rows",
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("%(count)s extra charges added (%(total)s); the buyers are told.")
                    % {
                        "count": len(opened),
                        "total": format_rupiah(sum(c.base_amount for c in opened)),
                    },
                )
                return redirect("dashboard:campaign_charges", campaign_id=campaign.pk)
            if due_at <= timezone.now():
                raise InvalidCharge(
                    field_errors={"due_on": [_("The deadline must be in the future.")]}
                )
            plan = plan_extra_charges(
                campaign=campaign,
                lines=lines,
                rates=form.rates(),
                field="file" if form.cleaned_data.get("file") else "rows",
            )
        except DomainError as error:
            add_domain_error(form, error)
            status = error.http_status
            plan = None
    charges = (
        ExpectedPayment.objects.filter(
            shop=request.shop, order__campaign=campaign, kind=ExpectedPayment.Kind.EXTRA
        )
        .select_related("order")
        .order_by("-created_at", "-id")
    )
    confirm = None
    if plan:
        confirm = {
            "rows": _plan_rows(plan, form.cleaned_data["mode"]),
            "total": sum(p.amount for p in plan),
        }
    return render(
        request,
        "dashboard/charges/campaign.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "payments",
            "form": form,
            "plan": plan,
            "confirm": confirm,
            "charges": charges,
            "chargeable": campaign.phase(timezone.now()) in CHARGEABLE,
            "is_owner": _owner(request),
        },
        status=422 if form.errors and status == 200 else status,
    )


urlpatterns = [
    path("orders/<int:order_id>/charges/new/", order_charge_new, name="order_charge_new"),
    path("charges/<int:charge_id>/cancel/", charge_cancel, name="charge_cancel"),
    path("po/<int:campaign_id>/charges/", campaign_charges, name="campaign_charges"),
]
