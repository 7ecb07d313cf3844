"""Erasing a buyer's personal data on their request (UU PDP), owners only: a confirmation
page that says what goes and what stays, names any order still in progress that needs the
address or refund account (erasing then needs a second, explicit tick), and the erasure
itself (`orders.services.erasure.erase_customer`), in one transaction and audited.
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
from openpo.dashboard.access import get_shop_object, owner_required
from openpo.orders.models import Customer
from openpo.orders.services.erasure import erase_customer, is_erased, orders_in_progress


class EraseForm(Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "The buyer asked for it, and I understand that their personal data cannot be "
            "brought back."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm the erasure.")},
    )
    confirm_in_progress = forms.BooleanField(
        label=gettext_lazy(
            "I have what I need to finish the orders above (address, refund account): erase anyway."
        ),
        required=False,
    )


@require_http_methods(["GET", "POST"])
@owner_required
def customer_erase(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_shop_object(request, Customer, pk=customer_id)
    page = reverse("dashboard:customer", args=[customer.pk])
    if is_erased(customer):
        messages.info(request, _("This buyer's personal data has already been erased."))
        return redirect(page)
    form = EraseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                erase_customer(
                    customer=customer,
                    actor=request.user,
                    confirm_in_progress=form.cleaned_data["confirm_in_progress"],
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("The buyer's personal data was erased; their orders stay, anonymised."),
                )
                return redirect(page)
        else:
            status = 422
    return render(
        request,
        "dashboard/shop/erase.html",
        {
            "customer": customer,
            "form": form,
            "in_progress": orders_in_progress(customer),
            "order_count": customer.orders.count(),
            "shop": request.shop,
            "dash_section": "pos",
        },
        status=status,
    )


urlpatterns = [
    path("customers/<int:customer_id>/erase/", customer_erase, name="customer_erase"),
]
