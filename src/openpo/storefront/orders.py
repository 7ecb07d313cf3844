"""The buyer's order page (/o/<secret>/): what was ordered, what to pay and how (exact transfer
amount, dynamic QRIS), the proof upload and the WhatsApp confirmation link."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from openpo.core.errors import DomainError
from openpo.core.money import format_rupiah
from openpo.core.ratelimit import rate_limit
from openpo.orders.models import Order
from openpo.payments.qris import qr_svg
from openpo.payments.services import submit_payment_proof


class ProofForm(forms.Form):
    proof = forms.FileField(
        label=gettext_lazy("Photo, screenshot or PDF of your transfer"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )


def _get_order(secret: str) -> Order:
    return get_object_or_404(
        Order.objects.select_related("shop", "campaign").prefetch_related(
            "lines", "shop__bank_accounts", "payment_proofs"
        ),
        secret=secret,
    )


def _whatsapp_link(order: Order, amount: int | None) -> str | None:
    if not order.shop.whatsapp_number:
        return None
    text = _("Hello %(shop)s, I have paid for order %(code)s (%(amount)s). Thank you!") % {
        "shop": order.shop.name,
        "code": order.code,
        "amount": format_rupiah(amount if amount is not None else order.total),
    }
    return f"https://wa.me/{order.shop.whatsapp_number.lstrip('+')}?text={quote(text)}"


def _render(request: HttpRequest, order: Order, form: ProofForm, status: int = 200):
    expected = order.open_expected_payment
    qris_svg = qr_svg(order.dynamic_qris) if order.dynamic_qris else None
    context = {
        "order": order,
        "shop": order.shop,
        "campaign": order.campaign,
        "lines": order.lines.all(),
        "expected": expected,
        "qris_svg": qris_svg,
        "bank_accounts": [a for a in order.shop.bank_accounts.all() if a.is_active],
        "proofs": order.payment_proofs.all(),
        "form": form,
        "whatsapp_link": _whatsapp_link(order, expected.amount if expected else None),
    }
    return render(request, "storefront/order.html", context, status=status)


@require_GET
def order_page(request: HttpRequest, secret: str) -> HttpResponse:
    response = _render(request, _get_order(secret), ProofForm())
    # The URL is the buyer's key: the site-wide "same-origin" referrer policy keeps it from
    # other sites (no-referrer would make browsers send `Origin: null`, failing CSRF).
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@rate_limit("proof")
def proof_upload(request: HttpRequest, secret: str) -> HttpResponse:
    order = _get_order(secret)
    form = ProofForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, order, form, status=422)
    try:
        submit_payment_proof(order=order, upload=form.cleaned_data["proof"])
    except DomainError as error:
        form.add_error("proof", error.message)
        return _render(request, order, form, status=error.http_status)
    messages.success(request, _("Thank you! The seller will check your proof of transfer."))
    return redirect(reverse("order_page", args=[secret]) + "#payment")
