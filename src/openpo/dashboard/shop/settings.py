"""Shop settings (name, link, logo, WhatsApp, email, time zone, colour, QRIS, payment window,
message language, the delay after which buyers may cancel) and payment settings (automatic
statement confirmation, Midtrans) for the shop's owners; the bank account pages are in
`shop.bank_accounts` and the team pages in `shop.team`.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openpo.catalog.models import Shop
from openpo.catalog.services.bank_accounts import add_bank_account
from openpo.catalog.services.shop_settings import (
    MAX_LOGO_BYTES,
    MAX_PAYMENT_WINDOW_HOURS,
    SETTINGS_FIELDS,
    update_payment_settings,
    update_shop_settings,
)
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.phone import format_phone_local
from openpo.core.uploads import limit_upload
from openpo.dashboard.access import owner_required
from openpo.dashboard.shop.bank_accounts import BankAccountForm
from openpo.fulfillment.services.delays import MAX_DELAY_LIMIT_DAYS, set_delay_limit
from openpo.payments.gateways.midtrans import snap_base_url
from openpo.payments.qris import InvalidQris, QrisInfo, validate_static


class ShopSettingsForm(Form):
    name = forms.CharField(label=gettext_lazy("Shop name"), max_length=100)
    slug = forms.CharField(
        label=gettext_lazy("Shop link"),
        max_length=50,
        help_text=gettext_lazy(
            "Changing the link changes every public link of the shop: links already shared "
            "in chats and posts stop working."
        ),
    )
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP, at most 2 MB; shown at most 512 px wide."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)
    whatsapp_number = forms.CharField(
        label=gettext_lazy("Shop WhatsApp number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    # Ranges, formats and choices are checked by the service, so all problems show at once.
    email = forms.CharField(
        label=gettext_lazy("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    timezone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=Shop.TimeZone.choices)
    brand_color = forms.CharField(
        label=gettext_lazy("Brand colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=gettext_lazy("Buttons on your pages and the background of announcements."),
    )
    static_qris = forms.CharField(
        label=gettext_lazy("Static QRIS code"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "The text read from your shop's QRIS (it starts with 000201). Scan the QRIS with "
            "a QR reader app and paste the text here; buyers then get a QRIS with the exact "
            "amount."
        ),
    )
    default_payment_window_hours = forms.IntegerField(
        label=gettext_lazy("Time to pay (hours)"),
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_PAYMENT_WINDOW_HOURS}),
        help_text=gettext_lazy(
            "Unpaid orders expire after this and give their slots back. New POs start with it."
        ),
    )
    message_language = forms.ChoiceField(
        label=gettext_lazy("Language of messages to buyers"), choices=Shop.Language.choices
    )
    # Empty keeps the current limit (a form posted without the field changes nothing).
    delay_cancel_after_days = forms.IntegerField(
        label=gettext_lazy("Offer buyers a cancel after a delay of (days)"),
        required=False,
        min_value=1,
        max_value=MAX_DELAY_LIMIT_DAYS,
        help_text=gettext_lazy(
            "When a PO's ship date moves more than this many days past the first promise, "
            "each buyer who paid can cancel and ask for a refund on their order page."
        ),
    )


class PaymentSettingsForm(Form):
    auto_confirm_exact_matches = forms.BooleanField(
        label=gettext_lazy("Confirm exact bank-statement matches automatically"),
        required=False,
        help_text=gettext_lazy(
            "A statement line with exactly one order's amount (kode unik included) is "
            "confirmed at import, without a tap. Ambiguous and late lines always wait for you."
        ),
    )
    # Never shown back: empty keeps the stored key.
    midtrans_server_key = forms.CharField(
        label=gettext_lazy("Midtrans server key"),
        required=False,
        max_length=100,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=gettext_lazy(
            "From the Midtrans dashboard, Settings, Access Keys. With a key, buyers can pay "
            "online (e-wallets, virtual accounts, cards) and payments are confirmed "
            "automatically. Leave empty to keep the current key."
        ),
    )
    remove_midtrans_server_key = forms.BooleanField(
        label=gettext_lazy("Remove the key (turns Midtrans off)"), required=False
    )


def _initial(shop: Shop) -> dict[str, object]:
    initial = {name: getattr(shop, name) for name in SETTINGS_FIELDS}
    initial["delay_cancel_after_days"] = shop.delay_cancel_after_days
    if shop.whatsapp_number:  # shown the way the seller writes it: 0812-…
        initial["whatsapp_number"] = format_phone_local(shop.whatsapp_number)
    return initial


def qris_info(shop: Shop) -> QrisInfo | None:
    """What the shop's stored QRIS says (merchant name, city), if it has one."""
    if not shop.static_qris:
        return None
    try:
        return validate_static(shop.static_qris)
    except InvalidQris:
        return None


def render_settings(
    request: HttpRequest,
    *,
    form: ShopSettingsForm | None = None,
    account_form: forms.Form | None = None,
    payment_form: PaymentSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The settings page, with whichever of its forms came back with errors."""
    shop = request.shop
    return render(
        request,
        "dashboard/shop/settings.html",
        {
            "shop": shop,
            "dash_section": "settings",
            "form": form or ShopSettingsForm(initial=_initial(shop)),
            "account_form": account_form or BankAccountForm(prefix="account"),
            "accounts": shop.bank_accounts.all(),
            "qris": qris_info(shop),
            "payment_form": payment_form
            or PaymentSettingsForm(
                initial={"auto_confirm_exact_matches": shop.auto_confirm_exact_matches}
            ),
            # Enough to recognise the key, never enough to use it.
            "midtrans_key_hint": shop.midtrans_server_key[-4:],
            "midtrans_sandbox": "sandbox" in snap_base_url(),
            "midtrans_notification_url": request.build_absolute_uri(
                reverse("midtrans_notification", kwargs={"shop_slug": shop.slug})
            ),
            "public_url": request.build_absolute_uri(
                reverse("shop", kwargs={"shop_slug": shop.slug})
            ),
        },
        status=status,
    )


@owner_required
@require_http_methods(["GET", "POST"])
@limit_upload(MAX_LOGO_BYTES)
def settings(request: HttpRequest) -> HttpResponse:
    shop: Shop = request.shop
    if request.method == "GET":
        return render_settings(request)
    form = ShopSettingsForm(request.POST, request.FILES, initial=_initial(shop))
    if form.is_valid():
        data = form.cleaned_data
        old_slug = shop.slug
        try:
            update_shop_settings(
                shop=shop,
                actor=request.user,
                logo=data["logo"] or None,
                remove_logo=data["remove_logo"],
                **{name: data[name] for name in SETTINGS_FIELDS},
            )
            if data["delay_cancel_after_days"] is not None:
                set_delay_limit(shop=shop, days=data["delay_cancel_after_days"], actor=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Shop settings saved."))
            if shop.slug != old_slug:
                messages.warning(
                    request,
                    _("Your shop's link is now /%(slug)s/. Share the new links with buyers.")
                    % {"slug": shop.slug},
                )
            if (info := qris_info(shop)) and "static_qris" in form.changed_data:
                messages.info(
                    request,
                    _("QRIS saved: payments go to %(name)s, %(city)s.")
                    % {"name": info.merchant_name, "city": info.merchant_city},
                )
            return redirect("dashboard:settings")
    return render_settings(request, form=form, status=422)


@owner_required
@require_POST
def payment_settings(request: HttpRequest) -> HttpResponse:
    form = PaymentSettingsForm(request.POST)
    if form.is_valid():
        try:
            update_payment_settings(shop=request.shop, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Payment settings saved."))
            return redirect(reverse("dashboard:settings") + "#payments")
    return render_settings(request, payment_form=form, status=422)


@owner_required
@require_POST
def account_add(request: HttpRequest) -> HttpResponse:
    form = BankAccountForm(request.POST, prefix="account")
    if form.is_valid():
        try:
            account = add_bank_account(shop=request.shop, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Bank account %(account)s added.") % {"account": account})
            return redirect("dashboard:settings")
    return render_settings(request, account_form=form, status=422)


urlpatterns = [
    path("settings/", settings, name="settings"),
    path("settings/payments/", payment_settings, name="settings_payments"),
    path("settings/accounts/add/", account_add, name="settings_account_add"),
]
