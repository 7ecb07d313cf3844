"""The shop's bank accounts on the settings page: edit, hide/show, delete (owners only; adding
is on the settings page itself, `shop.account_add`).

Every account in a URL is fetched through `get_shop_object`, so other shops' ids answer 404.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openpo.catalog.models import BankAccount
from openpo.catalog.services.bank_accounts import (
    delete_bank_account,
    set_bank_account_active,
    update_bank_account,
)
from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.dashboard.access import get_shop_object, owner_required


class BankAccountForm(Form):
    bank_name = forms.CharField(
        label=gettext_lazy("Bank"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "BCA, BRI, Mandiri, DANA…"}),
    )
    account_number = forms.CharField(
        label=gettext_lazy("Account number"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_holder = forms.CharField(label=gettext_lazy("Account holder"), max_length=100)


@owner_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_shop_object(request, BankAccount, pk=account_id)
    initial = {
        "bank_name": account.bank_name,
        "account_number": account.account_number,
        "account_holder": account.account_holder,
    }
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_bank_account(account=account, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            account.refresh_from_db()
            add_domain_error(form, error)
        else:
            messages.success(request, _("Bank account saved."))
            return redirect("dashboard:settings")
    return render(
        request,
        "dashboard/shop/account_edit.html",
        {"shop": request.shop, "dash_section": "settings", "account": account, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@owner_required
@require_POST
def account_toggle(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_shop_object(request, BankAccount, pk=account_id)
    set_bank_account_active(account=account, actor=request.user, active=not account.is_active)
    if account.is_active:
        messages.success(request, _("%(account)s is shown to buyers again.") % {"account": account})
    else:
        messages.success(request, _("%(account)s is hidden from buyers.") % {"account": account})
    return redirect("dashboard:settings")


@owner_required
@require_POST
def account_delete(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_shop_object(request, BankAccount, pk=account_id)
    label = str(account)
    delete_bank_account(account=account, actor=request.user)
    messages.success(request, _("Bank account %(account)s deleted.") % {"account": label})
    return redirect("dashboard:settings")


urlpatterns = [
    path("settings/accounts/<int:account_id>/edit/", account_edit, name="settings_account_edit"),
    path(
        "settings/accounts/<int:account_id>/toggle/",
        account_toggle,
        name="settings_account_toggle",
    ),
    path(
        "settings/accounts/<int:account_id>/delete/",
        account_delete,
        name="settings_account_delete",
    ),
]
