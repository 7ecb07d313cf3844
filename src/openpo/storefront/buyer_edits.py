"""The order page's "correct your details" part: until the seller locks the PO's addresses the
buyer fixes name, WhatsApp number, address and postal code (and city and province where the
order has them); after the lock the page says whom to ask. Every change is audited for the
seller (`fulfillment.services.addresses`)."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openpo.core.errors import DomainError
from openpo.core.forms import Form, add_domain_error
from openpo.core.phone import format_phone_local
from openpo.core.ratelimit import rate_limit
from openpo.fulfillment.services.addresses import (
    BuyerCorrection,
    addresses_locked,
    buyer_may_edit,
    correct_buyer_details,
)
from openpo.orders.models import Order
from openpo.payments.balances import goes_ahead

# A bound form with errors, put on the order by `correct` for `section_context` to show.
FORM_ATTRIBUTE = "buyer_edit_form"


class BuyerEditForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    phone = forms.CharField(label=gettext_lazy("WhatsApp number"), max_length=30)
    address = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=1000,
        help_text=gettext_lazy("Street and house number, RT/RW, village, district."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False)
    province = forms.CharField(label=gettext_lazy("Province"), max_length=100, required=False)
    postal_code = forms.CharField(
        label=gettext_lazy("Postal code"),
        max_length=5,
        min_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        # City and province only where the order has them: many addresses carry them inline.
        self.with_region = bool(order.city or order.province)
        if not self.with_region:
            del self.fields["city"], self.fields["province"]

    @classmethod
    def for_order(cls, order: Order) -> "BuyerEditForm":
        return cls(
            order=order,
            initial={
                "name": order.buyer_name,
                "phone": format_phone_local(order.buyer_phone),
                "address": order.address,
                "city": order.city,
                "province": order.province,
                "postal_code": order.postal_code,
            },
        )

    def correction(self) -> BuyerCorrection:
        data = self.cleaned_data
        return BuyerCorrection(
            name=data["name"],
            phone=data["phone"],
            address=data["address"],
            postal_code=data["postal_code"],
            city=data.get("city") if self.with_region else None,
            province=data.get("province") if self.with_region else None,
        )


def _ask_seller_link(order: Order) -> str | None:
    if not order.shop.whatsapp_number:
        return None
    text = _("Hello %(shop)s, I need to change the address of my order %(code)s.") % {
        "shop": order.shop.name,
        "code": order.code,
    }
    return f"https://wa.me/{order.shop.whatsapp_number.lstrip('+')}?text={quote(text)}"


def section_context(order: Order) -> dict:
    """What this part of the order page needs (see `storefront.order_sections`)."""
    if order.status != Order.Status.ACTIVE or not goes_ahead(order):
        return {"buyer_edit": None}
    editable = buyer_may_edit(order)
    return {
        "buyer_edit": {
            "editable": editable,
            "locked": addresses_locked(order.campaign),
            "form": (getattr(order, FORM_ATTRIBUTE, None) or BuyerEditForm.for_order(order))
            if editable
            else None,
            "ask_seller_link": None if editable else _ask_seller_link(order),
        }
    }


@require_POST
@rate_limit("proof")
def correct(request: HttpRequest, secret: str) -> HttpResponse:
    """The buyer's correction of the order's details."""
    # The order page's module imports this one (through `order_sections`): imported here.
    from openpo.storefront.orders import ProofForm, _get_order, _render

    order = _get_order(secret)
    form = BuyerEditForm(request.POST, order=order)
    status = 422
    if form.is_valid():
        try:
            changes = correct_buyer_details(order=order, correction=form.correction())
        except DomainError as error:
            add_domain_error(form, error)
            status = error.http_status
        else:
            if changes:
                messages.success(request, _("Saved. The seller sees your new details."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(reverse("order_page", args=[secret]) + "#buyer-edit")
    setattr(order, FORM_ATTRIBUTE, form)
    response = _render(request, order, ProofForm(), status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
