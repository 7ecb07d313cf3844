"""The buyer's order page (/o/<secret>/): what was ordered, what to pay and how (exact transfer
amount, dynamic QRIS), the proof upload and the WhatsApp confirmation link; what was paid and
what is left (the DP and the settlement each with its own amount and deadline), payments waiting
for the seller's check or rejected with the seller's reason, and, when money may go back, the
account for the refund (posted to the page itself) and the refunds received. Once the order no
longer goes ahead (cancelled, expired, or its PO failed or was cancelled) the page asks for no
payment and shows what happens to the buyer's money instead of the production timeline; the
figures are `payments.balances`. Extra charges added after the PO closed (a second invoice) are
listed each with its label, exact amount, kode unik, deadline and state, and paid the same way
(transfer, QRIS, a proof sent for that charge). Its "pay online" button opens a Midtrans Snap
payment page (`payments.gateways`)."""

import logging
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.money import format_rupiah
from openpo.core.ratelimit import rate_limit
from openpo.core.uploads import limit_upload
from openpo.orders.models import Order
from openpo.payments.balances import goes_ahead, order_balance
from openpo.payments.gateways.midtrans import GatewayOff, GatewayUnavailable
from openpo.payments.gateways.notifications import start_midtrans_payment
from openpo.payments.models import ExpectedPayment, Payment
from openpo.payments.qris import InvalidQris, make_dynamic, qr_svg
from openpo.payments.services import submit_payment_proof
from openpo.payments.services.refunds import set_refund_account
from openpo.payments.uploads import MAX_PROOF_BYTES
from openpo.storefront.order_sections import sections_context

logger = logging.getLogger(__name__)


class ProofForm(Form):
    proof = forms.FileField(
        label=gettext_lazy("Photo, screenshot or PDF of your transfer"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )


class RefundAccountForm(Form):
    bank_name = forms.CharField(
        label=gettext_lazy("Bank or e-wallet"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "BCA, BRI, DANA…", "autocomplete": "off"}),
    )
    account_number = forms.CharField(
        label=gettext_lazy("Account number"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_holder = forms.CharField(label=gettext_lazy("Name on the account"), max_length=100)


def _get_order(secret: str) -> Order:
    return get_object_or_404(
        Order.objects.select_related("shop", "campaign").prefetch_related(
            "lines", "shop__bank_accounts", "payment_proofs", "expected_payments", "refunds"
        ),
        secret=secret,
    )


def _refund_may_be_due(order: Order, payments: list[Payment]) -> bool:
    """Money is (or, once a waiting payment is confirmed, would be) owed back to the buyer."""
    if order_balance(order).to_refund > 0 or order.amount_refunded:
        return True
    return not goes_ahead(order) and any(p.status == Payment.Status.CLAIMED for p in payments)


def _settlement_plan(order: Order, expected_payments: list[ExpectedPayment]) -> dict | None:
    """Under a DP policy: the DP and the settlement, each paid, open (with its exact amount)
    or still to come."""
    if not order.campaign.takes_deposit or order.deposit_due >= order.total:
        return None

    def latest(kind: str) -> ExpectedPayment | None:
        found = [e for e in expected_payments if e.kind == kind and e.status != "void"]
        return found[-1] if found else None

    return {
        "deposit_due": order.deposit_due,
        "deposit": latest(ExpectedPayment.Kind.DEPOSIT),
        "deposit_paid": order.amount_paid >= order.deposit_due,
        "settlement_due": order.total - order.deposit_due,
        "settlement": latest(ExpectedPayment.Kind.SETTLEMENT),
        "settlement_paid": order.amount_paid >= order.total,
        "settlement_due_on": order.campaign.settlement_due_on,
    }


def _qris_svg(order: Order, expected: ExpectedPayment | None) -> str | None:
    """The shop's QRIS with this payment's amount filled in, drawn; None without one."""
    if expected is None or not order.shop.static_qris:
        return None
    try:
        return qr_svg(make_dynamic(order.shop.static_qris, expected.amount))
    except InvalidQris:
        return None


def _extra_charges(
    order: Order, expected_payments: list[ExpectedPayment], payments: list[Payment], ahead: bool
) -> list[dict]:
    """Each extra charge (not cancelled ones), and for an open one its QRIS and whether a
    payment of it waits for the seller's check."""
    charges = []
    for charge in expected_payments:
        if charge.kind != ExpectedPayment.Kind.EXTRA or charge.status == "void":
            continue
        payable = ahead and charge.status == ExpectedPayment.Status.OPEN
        charges.append(
            {
                "charge": charge,
                "payable": payable,
                "qris_svg": _qris_svg(order, charge) if payable else None,
                "waiting": any(
                    p.expected_payment_id == charge.pk and p.status == Payment.Status.CLAIMED
                    for p in payments
                ),
            }
        )
    return charges


def _whatsapp_link(order: Order, amount: int | None) -> str | None:
    if not order.shop.whatsapp_number:
        return None
    text = _("Hello %(shop)s, I have paid for order %(code)s (%(amount)s). Thank you!") % {
        "shop": order.shop.name,
        "code": order.code,
        "amount": format_rupiah(amount if amount is not None else order.total),
    }
    return f"https://wa.me/{order.shop.whatsapp_number.lstrip('+')}?text={quote(text)}"


def _render(
    request: HttpRequest,
    order: Order,
    form: ProofForm,
    status: int = 200,
    refund_form: RefundAccountForm | None = None,
):
    ahead = goes_ahead(order)
    balance = order_balance(order)
    payments = list(order.payments.select_related("expected_payment"))
    expected_payments = list(order.expected_payments.all())
    # An order that no longer goes ahead takes no payment, whatever is still open for it.
    # The order's own step (full, DP, settlement) is "what to pay"; extra charges added after
    # the PO closed each have their own card below it.
    open_ones = [e for e in expected_payments if e.status == ExpectedPayment.Status.OPEN]
    expected = next((e for e in open_ones if e.kind != ExpectedPayment.Kind.EXTRA), None)
    expected = expected if ahead else None
    extra_charges = _extra_charges(order, expected_payments, payments, ahead)
    rejected = [p for p in payments if p.status == Payment.Status.REJECTED]
    if refund_form is None:
        refund_form = RefundAccountForm(
            initial={
                "bank_name": order.refund_bank_name,
                "account_number": order.refund_account_number,
                "account_holder": order.refund_account_holder or order.buyer_name,
            }
        )
    qris_svg = _qris_svg(order, expected)
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
        "payments": payments,
        "waiting": [p for p in payments if p.status == Payment.Status.CLAIMED],
        # The latest rejection, when nothing was claimed after it: the buyer should act on it.
        "rejected": rejected[0]
        if rejected and not any(p.received_at > rejected[0].received_at for p in payments)
        else None,
        "plan": _settlement_plan(order, expected_payments) if ahead else None,
        "refund_form": refund_form,
        "show_refund": _refund_may_be_due(order, payments),
        "goes_ahead": ahead,
        "balance": balance,
        "refund_owed": balance.to_refund,
        "refunds": list(order.refunds.all()),
        "extra_charges": extra_charges,
    }
    context.update(sections_context(order))
    return render(request, "storefront/order.html", context, status=status)


@require_http_methods(["GET", "POST"])
@rate_limit("proof")
def order_page(request: HttpRequest, secret: str) -> HttpResponse:
    """The page; a POST saves the account a refund should go to."""
    order = _get_order(secret)
    if request.method == "POST":
        return _save_refund_account(request, order)
    response = _render(request, order, ProofForm())
    # The URL is the buyer's key: the site-wide "same-origin" referrer policy keeps it from
    # other sites (no-referrer would make browsers send `Origin: null`, failing CSRF).
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@rate_limit("proof")
@limit_upload(MAX_PROOF_BYTES)
def proof_upload(request: HttpRequest, secret: str) -> HttpResponse:
    order = _get_order(secret)
    form = ProofForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, order, form, status=422)
    charge = None
    if charge_id := request.POST.get("charge", ""):
        # A proof for one of the order's open extra charges, not for its own step.
        charge = ExpectedPayment.objects.filter(
            pk=int(charge_id) if charge_id.isdigit() else 0,
            order=order,
            kind=ExpectedPayment.Kind.EXTRA,
            status=ExpectedPayment.Status.OPEN,
        ).first()
        if charge is None or not goes_ahead(order):
            form.add_error("proof", _("This charge is no longer awaiting transfer."))
            return _render(request, order, form, status=409)
    try:
        submit_payment_proof(
            order=order, upload=form.cleaned_data["proof"], expected_payment=charge
        )
    except DomainError as error:
        form.add_error("proof", error.message)
        return _render(request, order, form, status=error.http_status)
    messages.success(request, _("Thank you! The seller will check your proof of transfer."))
    return redirect(reverse("order_page", args=[secret]) + "#payment")


def _save_refund_account(request: HttpRequest, order: Order) -> HttpResponse:
    form = RefundAccountForm(request.POST)
    if form.is_valid():
        try:
            set_refund_account(order=order, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you! The seller will send your refund there."))
            return redirect(reverse("order_page", args=[order.secret]) + "#refund")
    response = _render(request, order, ProofForm(), status=422, refund_form=form)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def midtrans_pay(request: HttpRequest, secret: str) -> HttpResponse:
    """The buyer's "pay online": off to Snap's payment page, or back with a message."""
    order = get_object_or_404(Order.objects.select_related("shop", "campaign"), secret=secret)
    if not order.shop.midtrans_server_key:
        error = GatewayOff()
        return JsonResponse(
            {"code": error.code, "message": error.message}, status=error.http_status
        )
    order_url = reverse("order_page", args=[secret])
    try:
        url = start_midtrans_payment(order=order, finish_url=request.build_absolute_uri(order_url))
    except GatewayUnavailable as error:
        logger.warning("Snap refused order %s: %s %s", order.code, error.status, error.detail)
        messages.error(request, error.message)
        return redirect(order_url + "#payment")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(order_url + "#payment")
    return redirect(url)
