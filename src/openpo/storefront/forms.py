"""The buyer's forms: the order form (quantities per variant, buyer, address, terms) and the
"Ingatkan saya" sign-up. They only parse input; the rules live in the services, whose domain
errors `core.forms.add_domain_error` places beside the fields they concern."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Variant
from openpo.core.forms import Form
from openpo.core.regions import PROVINCES
from openpo.orders.services import BuyerDetails

MAX_QUANTITY = 999


class OrderForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(
        label=_("Your WhatsApp number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "0812 3456 7890"}
        ),
    )
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    province = forms.ChoiceField(
        label=_("Province"), choices=[("", "—")] + [(p, p) for p in PROVINCES]
    )
    city = forms.CharField(label=_("City / regency"), max_length=100)
    address = forms.CharField(
        label=_("Full address"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("Street, house number, RT/RW, village, district."),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    notes = forms.CharField(
        label=_("Notes for the seller (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    wants_updates = forms.BooleanField(
        label=_("Tell me on WhatsApp or email when this shop opens its next PO."), required=False
    )
    terms = forms.BooleanField(label=_("I have read and accept the PO terms."), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, variants: list[Variant], **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.variants = variants
        for variant in variants:
            attrs = {"inputmode": "numeric", "data-price": variant.price, "class": "qty"}
            if variant.is_sold_out:
                attrs["disabled"] = True
            self.fields[self.quantity_field(variant)] = forms.IntegerField(
                label=str(variant),
                min_value=0,
                max_value=MAX_QUANTITY,
                required=False,
                initial=0,
                widget=forms.NumberInput(attrs=attrs),
            )
        # The quantities come first on the page, so first in the form: the first error a
        # buyer is led to (core.forms) is the first one on the page.
        quantities = [self.quantity_field(v) for v in variants]
        self.order_fields([*quantities, *(n for n in self.fields if n not in quantities)])

    @staticmethod
    def quantity_field(variant: Variant) -> str:
        return f"qty_{variant.pk}"

    def quantity_rows(self) -> list[tuple[Variant, forms.BoundField]]:
        return [(v, self[self.quantity_field(v)]) for v in self.variants]

    def items(self) -> dict[int, int]:
        return {v.pk: self.cleaned_data.get(self.quantity_field(v)) or 0 for v in self.variants}

    def buyer(self) -> BuyerDetails:
        data = self.cleaned_data
        return BuyerDetails(
            name=data["name"],
            phone=data["phone"],
            email=data.get("email", ""),
            address=data["address"],
            city=data["city"],
            province=data["province"],
            postal_code=data["postal_code"],
            notes=data.get("notes", ""),
            wants_updates=data.get("wants_updates", False),
        )


class ReminderForm(Form):
    contact = forms.CharField(
        label=_("WhatsApp number or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "tel email"}),
    )
