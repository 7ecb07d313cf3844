"""The WhatsApp Cloud API settings page (owners only): the shop's number ID, access token, app
secret, approved template and the on/off switch, with the callback URL and verify token the
seller pastes into their Meta app's webhook settings.

The access token and app secret are write-only: once saved, the page shows only their last
four characters, and an empty field keeps the stored value. The rules live in
`messaging.services.save_whatsapp_account`.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.dashboard.access import owner_required
from openpo.messaging.models import WhatsAppAccount, secret_hint
from openpo.messaging.services import save_whatsapp_account


def _secret_input() -> forms.PasswordInput:
    # Never rendered back: the page shows the last characters beside the field instead.
    return forms.PasswordInput(
        render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}
    )


class WhatsAppAccountForm(Form):
    phone_number_id = forms.CharField(
        label=gettext_lazy("Phone number ID"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("Meta app, WhatsApp, API Setup: the ID of your business number."),
    )
    access_token = forms.CharField(
        label=gettext_lazy("Access token"),
        required=False,
        max_length=500,
        widget=_secret_input(),
        help_text=gettext_lazy(
            "A permanent token of a system user with the whatsapp_business_messaging "
            "permission. Leave empty to keep the saved one."
        ),
    )
    app_secret = forms.CharField(
        label=gettext_lazy("App secret"),
        required=False,
        max_length=200,
        widget=_secret_input(),
        help_text=gettext_lazy(
            "Meta app, App settings, Basic. It proves that the messages arriving here come "
            "from Meta. Leave empty to keep the saved one."
        ),
    )
    template_name = forms.CharField(
        label=gettext_lazy("Approved template name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "A template Meta approved, with one variable ({{1}}) for the whole message. "
            "WhatsApp allows free text only within 24 hours of the buyer's last message; "
            "after that this template carries it. Without one, such messages wait in your "
            "WhatsApp queue to send from your phone."
        ),
    )
    template_language = forms.CharField(
        label=gettext_lazy("Template language"),
        max_length=10,
        initial="id",
        help_text=gettext_lazy("The language code of the approved template, e.g. id or en_US."),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Send WhatsApp messages through the Cloud API"), required=False
    )
    renew_verify_token = forms.BooleanField(
        label=gettext_lazy("Make a new verify token"), required=False
    )


def _initial(account: WhatsAppAccount | None) -> dict[str, object]:
    if account is None:
        return {"template_language": "id"}
    return {
        "phone_number_id": account.phone_number_id,
        "template_name": account.template_name,
        "template_language": account.template_language,
        "is_active": account.is_active,
    }


@owner_required
@require_http_methods(["GET", "POST"])
def whatsapp_settings(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    account = WhatsAppAccount.objects.filter(shop=shop).first()
    form = WhatsAppAccountForm(request.POST or None, initial=_initial(account))
    if request.method == "POST" and form.is_valid():
        try:
            save_whatsapp_account(shop=shop, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("WhatsApp settings saved."))
            return redirect("dashboard:whatsapp_settings")
    context = {
        "shop": shop,
        "dash_section": "settings",
        "form": form,
        "account": account,
        "access_token_hint": secret_hint(account.access_token) if account else "",
        "app_secret_hint": secret_hint(account.app_secret) if account else "",
        "callback_url": request.build_absolute_uri(
            reverse("whatsapp_webhook", kwargs={"shop_slug": shop.slug})
        ),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "dashboard/shop/whatsapp.html", context, status=status)


urlpatterns = [
    path("settings/whatsapp/", whatsapp_settings, name="whatsapp_settings"),
]
