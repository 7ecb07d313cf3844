"""Refunds in the dashboard: who is owed money back (per PO and for the whole shop), the bank
account each buyer gave (or a WhatsApp link to ask for it), recording a refund with the
seller's transfer proof, the refunds already made, and the list as CSV.

Who is owed what comes from `payments.services.refunds`; this module only shows and records.
"""

import csv
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from openpo.catalog.models import Campaign
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.money import format_rupiah
from openpo.core.phone import format_phone_local
from openpo.core.spreadsheets import defuse
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.fields import RupiahField
from openpo.dashboard.money.private_files import private_file_response
from openpo.orders.models import Order
from openpo.payments.models import Refund
from openpo.payments.services.refunds import record_refund, refund_owed, refunds_due
from openpo.payments.uploads import MAX_PROOF_BYTES, sniff_type


class RefundForm(Form):
    amount = RupiahField(label=gettext_lazy("Amount refunded (Rp)"), min_value=1)
    proof = forms.FileField(
        label=gettext_lazy("Transfer proof (photo, screenshot or PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )
    no_proof = forms.BooleanField(
        label=gettext_lazy("Cash or other: no transfer proof"), required=False
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("proof") and not data.get("no_proof"):
            self.add_error(
                "proof", _("Attach the transfer proof, or tick “cash or other” and add a note.")
            )
        if data.get("no_proof") and not data.get("proof") and not data.get("note", "").strip():
            self.add_error("note", _("Say how the money went back (e.g. cash at pick-up)."))
        return data


def _whatsapp_ask(order: Order, page_url: str) -> str:
    text = _(
        "Hello %(name)s, about order %(code)s: we will refund %(amount)s. Please enter the "
        "bank account for the refund on your order page: %(url)s"
    ) % {
        "name": order.buyer_name,
        "code": order.code,
        "amount": format_rupiah(refund_owed(order)),
        "url": page_url,
    }
    digits = "".join(ch for ch in order.buyer_phone if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text)}"


def _scope(request: HttpRequest, campaign: Campaign | None) -> QuerySet[Order]:
    orders = Order.objects.filter(shop=request.shop)
    return orders.filter(campaign=campaign) if campaign is not None else orders


def _rows(request: HttpRequest, campaign: Campaign | None) -> list[Order]:
    rows = list(
        refunds_due(_scope(request, campaign))
        .select_related("campaign")
        .order_by("campaign__closes_at", "created_at", "id")
    )
    for order in rows:
        order.owed = refund_owed(order)
        order.owed_text = f"{order.owed:,}".replace(",", ".")
        page = request.build_absolute_uri(reverse("order_page", args=[order.secret]))
        order.ask_url = _whatsapp_ask(order, page)
    return rows


def _made(request: HttpRequest, campaign: Campaign | None) -> QuerySet[Refund]:
    made = Refund.objects.filter(shop=request.shop).select_related("order", "created_by")
    if campaign is not None:
        made = made.filter(order__campaign=campaign)
    return made.order_by("-refunded_at", "-id")


def _list(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    rows = _rows(request, campaign)
    made = list(_made(request, campaign)[:200])
    return render(
        request,
        "dashboard/refunds/list.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "refunds",
            "rows": rows,
            "owed_total": sum(order.owed for order in rows),
            "made": made,
            "made_total": sum(refund.amount for refund in made),
            "back": request.get_full_path(),
        },
    )


@require_GET
@shop_member_required
def shop_refunds(request: HttpRequest) -> HttpResponse:
    return _list(request, None)


@require_GET
@shop_member_required
def campaign_refunds(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _list(request, get_shop_object(request, Campaign, pk=campaign_id))


def _csv(request: HttpRequest, campaign: Campaign | None, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-refunds.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Order code"),
            _("PO"),
            _("Name"),
            _("Buyer's WhatsApp number"),
            _("Paid (Rp)"),
            _("Refunded (Rp)"),
            _("To refund (Rp)"),
            _("Bank"),
            _("Account number"),
            _("Account holder"),
        ]
    )
    for order in _rows(request, campaign):
        writer.writerow(
            defuse(value)
            for value in [
                order.code,
                order.campaign.title,
                order.buyer_name,
                format_phone_local(order.buyer_phone),
                order.amount_paid,
                order.amount_refunded,
                order.owed,
                order.refund_bank_name,
                order.refund_account_number,
                order.refund_account_holder,
            ]
        )
    return response


@require_GET
@shop_member_required
def shop_refunds_csv(request: HttpRequest) -> HttpResponse:
    return _csv(request, None, request.shop.slug)


@require_GET
@shop_member_required
def campaign_refunds_csv(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_shop_object(request, Campaign, pk=campaign_id)
    return _csv(request, campaign, campaign.slug)


@require_http_methods(["GET", "POST"])
@shop_member_required
@limit_upload(MAX_PROOF_BYTES)
def record(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_shop_object(request, Order, pk=order_id)
    owed = refund_owed(order)
    form = RefundForm(request.POST or None, request.FILES or None, initial={"amount": owed})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            refund = record_refund(
                order=order,
                amount=data["amount"],
                proof=data["proof"],
                note=data["note"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(code)s: refund of %(amount)s recorded.")
                % {"code": order.code, "amount": format_rupiah(refund.amount)},
            )
            target = request.POST.get("next", "")
            safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
            if safe and target.startswith("/dashboard/"):
                return redirect(target)
            return redirect(reverse("dashboard:campaign_refunds", args=[order.campaign_id]))
    return render(
        request,
        "dashboard/refunds/record.html",
        {
            "shop": request.shop,
            "order": order,
            "campaign": order.campaign,
            "dash_section": "refunds",
            "form": form,
            "owed": owed,
            "next": request.POST.get("next", ""),
            "now": timezone.now(),
        },
        status=422 if form.errors else 200,
    )


@require_GET
@shop_member_required
def refund_proof(request: HttpRequest, refund_id: int) -> FileResponse:
    """The seller's transfer proof of a refund, for members of its shop only."""
    refund = get_shop_object(request, Refund, pk=refund_id)
    if not refund.proof:
        raise Http404("No proof")
    try:
        handle = refund.proof.open("rb")
    except OSError as missing:
        raise Http404("Proof file missing") from missing
    content_type = sniff_type(handle.read(16)) or "application/octet-stream"
    handle.seek(0)
    extension = refund.proof.name.rsplit(".", 1)[-1]
    return private_file_response(
        handle,
        content_type=content_type,
        filename=f"{refund.order.code}-refund-{refund.pk}.{extension}",
    )


urlpatterns = [
    path("refunds/", shop_refunds, name="refunds"),
    path("refunds/export.csv", shop_refunds_csv, name="refunds_export_csv"),
    path("po/<int:campaign_id>/refunds/", campaign_refunds, name="campaign_refunds"),
    path(
        "po/<int:campaign_id>/refunds/export.csv",
        campaign_refunds_csv,
        name="campaign_refunds_export_csv",
    ),
    path("orders/<int:order_id>/refunds/new/", record, name="order_refund_new"),
    path("refunds/<int:refund_id>/proof/", refund_proof, name="refund_proof"),
]
