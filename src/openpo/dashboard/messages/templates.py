"""Message templates in the dashboard: the list of events with the wording each uses, the
editor of one event in one language (placeholder help, a preview with a real order of the
shop) and going back to the default. The event and language travel as query parameters
(`?event=shipped&lang=id`); everything is read and written for `request.shop` only.

Writing goes through `messaging.services`; this module parses, shows and redirects.
"""

from django import forms
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.dashboard.access import get_shop_object, owner_required
from openpo.messaging import events
from openpo.messaging.models import MessageTemplate
from openpo.messaging.rendering import check_template, local_time, money
from openpo.messaging.rendering import render as fill_in
from openpo.messaging.services import reset_template, save_template
from openpo.messaging.templates_default import EVENTS, LANGUAGES, default_template
from openpo.orders.models import Order

LANGUAGE_NAMES = {"id": gettext_lazy("Indonesian"), "en": gettext_lazy("English")}
# What each placeholder stands for, shown next to the editor.
PLACEHOLDER_HELP = {
    "nama": gettext_lazy("buyer's name"),
    "kode": gettext_lazy("order code"),
    "po": gettext_lazy("PO title"),
    "toko": gettext_lazy("shop name"),
    "total": gettext_lazy("order total"),
    "link": gettext_lazy("link to the buyer's order page (or the PO page)"),
    "jumlah": gettext_lazy("amount (to transfer, paid or refunded)"),
    "tenggat": gettext_lazy("deadline or closing time"),
    "sisa": gettext_lazy("amount left to pay"),
    "alasan": gettext_lazy("reason the payment was rejected"),
    "resi": gettext_lazy("tracking number"),
    "kurir": gettext_lazy("courier"),
    "pesan": gettext_lazy("your message text"),
}


class TemplateForm(Form):
    subject = forms.CharField(label=gettext_lazy("Email subject"), max_length=200, required=False)
    body = forms.CharField(
        label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 10}), max_length=5000
    )


def _event_and_language(request: HttpRequest) -> tuple[str, str]:
    event = request.GET.get("event", "")
    language = request.GET.get("lang") or request.shop.message_language or "id"
    if event not in EVENTS or language not in LANGUAGES:
        raise Http404
    return event, language


def _preview_order(request: HttpRequest) -> Order | None:
    if order_id := request.GET.get("order", "").strip():
        if not order_id.isdigit():
            raise Http404
        return get_shop_object(request, Order, pk=int(order_id))
    return (
        Order.objects.filter(shop=request.shop).select_related("campaign").order_by("-pk").first()
    )


def _preview_context(order: Order | None, request: HttpRequest) -> dict[str, str]:
    shop = request.shop
    context = {
        "nama": "Sari",
        "kode": "PO-AB123",
        "po": "PO Kaos Agustus",
        "total": money(135_000),
        "sisa": money(0),
        "link": events.order_link(order) if order else "https://…",
        "jumlah": money(135_123),
        "tenggat": "",
        "alasan": _("The amount does not match."),
        "resi": "JNE0123456789",
        "kurir": "JNE",
        "pesan": _("Production has started; we ship next week."),
    }
    if order:
        context.update(events.order_context(order, order.campaign))
        context["jumlah"] = money(order.deposit_due)
        context["tenggat"] = local_time(shop, order.payment_deadline)
    return context


def _with_language(request: HttpRequest, language: str):
    """The shop as the preview renders it: in the language being edited."""
    shop = request.shop
    shop.message_language = language
    return shop


@owner_required  # first: staff get 403 whatever the method
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    own = set(MessageTemplate.objects.filter(shop=request.shop).values_list("event", "language"))
    rows = [
        {
            "event": event,
            "label": spec.label,
            "languages": [
                {"code": code, "name": LANGUAGE_NAMES[code], "own": (event, code) in own}
                for code in LANGUAGES
            ],
        }
        for event, spec in EVENTS.items()
    ]
    return render(
        request,
        "dashboard/messages/templates.html",
        {"shop": request.shop, "rows": rows, "dash_section": "settings"},
    )


@owner_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest) -> HttpResponse:
    event, language = _event_and_language(request)
    order = _preview_order(request)
    own = MessageTemplate.objects.filter(shop=request.shop, event=event, language=language).first()
    subject, body = (own.subject, own.body) if own else default_template(event, language)
    form = TemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    preview_text = (subject, body)
    if request.method == "POST" and form.is_valid():
        preview_text = (form.cleaned_data["subject"], form.cleaned_data["body"])
        try:
            if "preview" in request.POST:
                check_template(event, *preview_text)
            else:
                save_template(
                    shop=request.shop,
                    event=event,
                    language=language,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    actor=request.user,
                )
                flash.success(request, _("Template saved."))
                return redirect(f"{reverse('dashboard:message_templates')}#event-{event}")
        except DomainError as error:
            add_domain_error(form, error)
    shop = request.shop
    spec = EVENTS[event]
    preview = None
    if not form.errors:
        preview_shop = _with_language(request, language)
        preview = fill_in(
            event, preview_shop, _preview_context(order, request), template=preview_text
        )
    return render(
        request,
        "dashboard/messages/templates_edit.html",
        {
            "shop": shop,
            "form": form,
            "event": event,
            "label": spec.label,
            "language": language,
            "language_name": LANGUAGE_NAMES[language],
            "placeholders": [(name, PLACEHOLDER_HELP.get(name, "")) for name in spec.placeholders],
            "is_own": own is not None,
            "preview": preview,
            "preview_order": order,
            "query": f"event={event}&lang={language}",
            "dash_section": "settings",
        },
        status=422 if form.errors else 200,
    )


@owner_required  # first, so a visitor who is not logged in is sent to log in
@require_POST
def template_reset(request: HttpRequest) -> HttpResponse:
    event, language = _event_and_language(request)
    if reset_template(shop=request.shop, event=event, language=language, actor=request.user):
        flash.success(request, _("The default text applies again."))
    return redirect(f"{reverse('dashboard:message_templates')}#event-{event}")


urlpatterns = [
    path("messages/templates/", template_list, name="message_templates"),
    path("messages/templates/edit/", template_edit, name="message_template_edit"),
    path("messages/templates/reset/", template_reset, name="message_template_reset"),
]
