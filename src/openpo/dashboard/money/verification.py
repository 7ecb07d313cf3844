"""The seller's payment checks: the verification queue (claimed payments, oldest first, for the
whole shop or one PO), confirming or rejecting one, the proof file itself (streamed from
private storage to members of the shop only), and a payment the seller records by hand (cash).

Confirm and reject are small POST forms posted from the queue or from an order's page; after
each, the seller lands where they came from, where the next payment waits.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openpo.catalog.models import Campaign, Membership
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.money import format_rupiah
from openpo.dashboard.access import get_shop_object, shop_member_required
from openpo.dashboard.fields import RupiahField
from openpo.dashboard.money.private_files import private_file_response
from openpo.orders.models import Order
from openpo.payments.gateways.refusals import recent_refusals
from openpo.payments.models import Payment, PaymentProof
from openpo.payments.services.recording import confirm_payment, record_payment, reject_payment
from openpo.payments.uploads import EXTENSIONS

QUEUE_PAGE = 30


class ConfirmForm(Form):
    amount = RupiahField(
        label=gettext_lazy("Amount that arrived (if different)"), required=False, min_value=1
    )
    second_transfer = forms.BooleanField(
        label=gettext_lazy("This money really arrived on top of what the order already has"),
        required=False,
    )


class RejectForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the buyer sees it)"),
        max_length=500,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("e.g. No transfer of this amount arrived")}
        ),
    )


class ManualPaymentForm(Form):
    amount = RupiahField(label=gettext_lazy("Amount received (Rp)"), min_value=1)
    more_than_owed = forms.BooleanField(
        label=gettext_lazy("Yes, the buyer really paid more than the order owes"),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Cash at the booth")}),
    )


def claimed_payments(shop, campaign: Campaign | None = None) -> QuerySet[Payment]:
    """Payments of the shop waiting for the seller's check, oldest first."""
    found = Payment.objects.filter(shop=shop, status=Payment.Status.CLAIMED)
    if campaign is not None:
        found = found.filter(order__campaign=campaign)
    return (
        found.select_related("order", "order__campaign", "expected_payment", "proof")
        .prefetch_related("claim_proofs")
        .order_by("received_at", "id")
    )


def proofs_of_claim(payment: Payment) -> list[PaymentProof]:
    """Every proof that supports a claim, first sent first (a claim made before proofs could
    join one has only its own)."""
    joined = sorted(payment.claim_proofs.all(), key=lambda proof: (proof.uploaded_at, proof.pk))
    if not joined and payment.proof is not None:
        return [payment.proof]
    return joined


def describe_claim(payment: Payment, order: Order) -> Payment:
    """What a claim's card says: its proofs, what is still owed, and whether confirming it
    would over-pay the order (then the seller must tick "a second transfer arrived")."""
    payment.all_proofs = proofs_of_claim(payment)
    payment.owed = max(0, order.total - order.amount_paid)
    payment.would_overpay = order.status == Order.Status.ACTIVE and (
        payment.amount - payment.unique_code > payment.owed
    )
    return payment


def _queue_url(campaign: Campaign | None) -> str:
    if campaign is None:
        return reverse("dashboard:payments")
    return reverse("dashboard:campaign_payments", args=[campaign.pk])


def _queue(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    now = timezone.now()
    waiting = claimed_payments(request.shop, campaign)
    items = list(waiting[:QUEUE_PAGE])
    for payment in items:
        expected = payment.expected_payment
        payment.expected_amount = expected.amount if expected else None
        payment.difference = payment.amount - expected.amount if expected else None
        payment.order_changed = bool(expected and expected.status == "void")
        describe_claim(payment, payment.order)
    per_campaign = (
        Campaign.objects.filter(shop=request.shop)
        .annotate(
            waiting=Count(
                "orders__payments", filter=Q(orders__payments__status=Payment.Status.CLAIMED)
            )
        )
        .filter(waiting__gt=0)
        .order_by("-opens_at", "-id")
    )
    return render(
        request,
        "dashboard/payments/queue.html",
        {
            "shop": request.shop,
            "campaign": campaign,
            "dash_section": "payments",
            "items": items,
            "count": waiting.count() if len(items) == QUEUE_PAGE else len(items),
            "shop_count": claimed_payments(request.shop).count(),
            "per_campaign": per_campaign,
            "now": now,
            "back": request.get_full_path(),
            "confirm_form": ConfirmForm(),
            "reject_form": RejectForm(),
            # Owners only: what was refused at the Midtrans door (forged or unconfirmed).
            "refused_notifications": recent_refusals(request.shop, now=now)
            if request.membership.role == Membership.Role.OWNER
            else [],
        },
    )


@require_GET
@shop_member_required
def queue(request: HttpRequest) -> HttpResponse:
    return _queue(request, None)


@require_GET
@shop_member_required
def campaign_queue(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _queue(request, get_shop_object(request, Campaign, pk=campaign_id))


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (a dashboard page of this site), else `fallback`."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if safe and target.startswith("/dashboard/") else fallback)


def _say_errors(request: HttpRequest, form: forms.Form, error: DomainError | None = None):
    if error is not None:
        texts = [str(m) for errors in error.field_errors.values() for m in errors]
        for text in texts or [error.message]:
            messages.error(request, text)
        return
    for errors in form.errors.values():
        for text in errors:
            messages.error(request, text)


@require_POST
@shop_member_required
def confirm(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = get_shop_object(request, Payment, pk=payment_id)
    form = ConfirmForm(request.POST)
    fallback = _queue_url(None)
    if not form.is_valid():
        _say_errors(request, form)
        return _back(request, fallback)
    try:
        confirm_payment(
            payment=payment,
            actor=request.user,
            amount=form.cleaned_data["amount"],
            allow_overpayment=form.cleaned_data["second_transfer"],
        )
    except DomainError as error:
        _say_errors(request, form, error)
    else:
        messages.success(
            request,
            _("%(code)s: %(amount)s confirmed.")
            % {"code": payment.order.code, "amount": format_rupiah(payment.amount)},
        )
    return _back(request, fallback)


@require_POST
@shop_member_required
def reject(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = get_shop_object(request, Payment, pk=payment_id)
    form = RejectForm(request.POST)
    fallback = _queue_url(None)
    if not form.is_valid():
        messages.error(request, _("Tell the buyer why, so they can fix it."))
        return _back(request, fallback)
    try:
        reject_payment(payment=payment, reason=form.cleaned_data["reason"], actor=request.user)
    except DomainError as error:
        _say_errors(request, form, error)
    else:
        messages.success(
            request,
            _("%(code)s: payment rejected; the buyer sees your reason on their order page.")
            % {"code": payment.order.code},
        )
    return _back(request, fallback)


@require_GET
@shop_member_required
def proof_file(request: HttpRequest, proof_id: int) -> FileResponse:
    """The proof's bytes, for members of its shop only; images inline, PDFs as a download."""
    proof = get_shop_object(request, PaymentProof, pk=proof_id)
    content_type = proof.content_type if proof.content_type in EXTENSIONS else None
    if content_type is None or not proof.file:
        raise Http404("No such proof")
    try:
        handle = proof.file.open("rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404("Proof file missing") from missing
    return private_file_response(
        handle,
        content_type=content_type,
        filename=f"{proof.order.code}-proof-{proof.pk}.{EXTENSIONS[content_type]}",
    )


@require_http_methods(["GET", "POST"])
@shop_member_required
def record_manual(request: HttpRequest, order_id: int) -> HttpResponse:
    """Money the seller received outside the bank (cash, a transfer they saw themselves)."""
    order = get_shop_object(request, Order, pk=order_id)
    form = ManualPaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_payment(
                order=order,
                amount=form.cleaned_data["amount"],
                source=Payment.Source.MANUAL,
                expected_payment=order.open_expected_payment,
                note=form.cleaned_data["note"],
                allow_overpayment=form.cleaned_data["more_than_owed"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(amount)s recorded on %(code)s.")
                % {"amount": format_rupiah(form.cleaned_data["amount"]), "code": order.code},
            )
            return redirect(reverse("dashboard:order", args=[order.pk]) + "#payments")
    return render(
        request,
        "dashboard/payments/record.html",
        {
            "shop": request.shop,
            "order": order,
            "campaign": order.campaign,
            "dash_section": "payments",
            "form": form,
        },
        status=422 if form.errors else 200,
    )


urlpatterns = [
    path("payments/", queue, name="payments"),
    path("po/<int:campaign_id>/payments/", campaign_queue, name="campaign_payments"),
    path("payments/<int:payment_id>/confirm/", confirm, name="payment_confirm"),
    path("payments/<int:payment_id>/reject/", reject, name="payment_reject"),
    path("payments/proofs/<int:proof_id>/", proof_file, name="payment_proof"),
    path("orders/<int:order_id>/payments/new/", record_manual, name="order_payment_new"),
]
