"""Forms of the dashboard's order pages: the table's filters, bulk actions, the buyer's details,
cancelling, internal notes, and the quantity-per-variant inputs (`qty_<variant id>`).

Forms only parse; the services in `orders.services` decide what is allowed.
"""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.core.forms import Form
from openpo.core.phone import format_phone_local
from openpo.orders.services.placing import BuyerDetails

QTY_PREFIX = "qty_"
PER_PAGE = 50

ATTENTION_CHOICES = [
    ("", _("Anything")),
    ("overdue", _("Unpaid past the deadline")),
    ("proof", _("Proof uploaded, waiting for a check")),
    ("partial", _("Partly paid")),
    ("unpaid", _("Not paid yet")),
    ("to_ship", _("Paid, not shipped yet")),
]
SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("total", _("Highest total")),
    ("name", _("Buyer name")),
    ("code", _("Order code")),
]


def _with_all(choices) -> list[tuple[str, str]]:
    return [("", _("All")), *choices]


class OrderFilterForm(Form):
    """The table's GET parameters; an invalid value is ignored, the others still apply."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Order status"), required=False)
    payment = forms.ChoiceField(label=_("Payment status"), required=False)
    fulfillment = forms.ChoiceField(label=_("Shipping status"), required=False)
    variant = forms.TypedChoiceField(label=_("Variant"), required=False, coerce=int)
    attention = forms.ChoiceField(
        label=_("Needs attention"), required=False, choices=ATTENTION_CHOICES
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, data: QueryDict, *, campaign: Campaign) -> None:
        super().__init__(data)
        from openpo.orders.models import Order

        self.fields["status"].choices = _with_all(Order.Status.choices)
        self.fields["payment"].choices = _with_all(Order.PaymentStatus.choices)
        self.fields["fulfillment"].choices = _with_all(Order.FulfillmentStatus.choices)
        variants = campaign.variants.select_related("product").order_by(
            "product__position", "product_id", "position", "id"
        )
        self.fields["variant"].choices = _with_all((v.pk, str(v)) for v in variants)

    def filters(self) -> dict:
        """The valid parameters (an invalid one is dropped rather than failing the page)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}

    @property
    def is_filtered(self) -> bool:
        return any(k != "sort" for k in self.filters())


class BulkActionForm(Form):
    ACTIONS = [
        ("cancel", _("Cancel selected")),
        ("export_csv", _("Export selected (CSV)")),
        ("export_xlsx", _("Export selected (Excel)")),
    ]
    action = forms.ChoiceField(label=_("With the selected orders"), choices=ACTIONS)
    reason = forms.CharField(label=_("Reason for cancelling"), required=False, max_length=1000)
    back = forms.CharField(required=False, max_length=2000)

    def clean(self) -> dict:
        cleaned = super().clean()
        # The ids are only parsed here; the view looks them up within the PO.
        cleaned["ids"] = sorted({int(pk) for pk in self.data.getlist("ids") if pk.isdigit()})
        if not cleaned["ids"]:
            raise forms.ValidationError(_("Select at least one order."))
        if cleaned.get("action") == "cancel" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the orders are cancelled."))
        return cleaned

    def back_query(self) -> str:
        """The table's filters to go back to (a query string, never a URL of its own)."""
        back = (self.data.get("back") or "").lstrip("?")
        return "?" + QueryDict(back).urlencode() if back else ""


BUYER_FIELDS = ("name", "phone", "email", "address", "city", "province", "postal_code", "notes")


class BuyerForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Buyer's WhatsApp number"), max_length=30)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(
        label=_("Address"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    province = forms.CharField(label=_("Province"), required=False, max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=10)
    notes = forms.CharField(
        label=_("Buyer's notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs["inputmode"] = "tel"

    def buyer(self) -> BuyerDetails:
        return BuyerDetails(**{name: self.cleaned_data.get(name) or "" for name in BUYER_FIELDS})

    @staticmethod
    def initial_from(order) -> dict:
        return {
            "name": order.buyer_name,
            "phone": format_phone_local(order.buyer_phone),
            "email": order.buyer_email,
            **{name: getattr(order, name) for name in BUYER_FIELDS[3:]},
        }


class CancelForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the order; the buyer may be told this reason."),
    )


class NoteForm(Form):
    text = forms.CharField(
        label=_("Internal note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ManualOrderForm(BuyerForm):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


def posted_quantities(data: QueryDict) -> tuple[dict[int, int], list[str]]:
    """`{variant id: quantity}` from every `qty_<id>` field posted (empty means 0), and errors.

    Every posted id is kept, even one that is not on the page: the service refuses variants
    that are not part of the PO, which is how another shop's variant is turned away."""
    quantities: dict[int, int] = {}
    errors: list[str] = []
    for key, value in data.items():
        if not key.startswith(QTY_PREFIX):
            continue
        raw_id, raw_qty = key[len(QTY_PREFIX) :], (value or "").strip()
        if not raw_id.isdigit():
            errors.append(str(_("One of the chosen items is not part of this PO.")))
            continue
        if raw_qty in ("", "0"):
            quantities[int(raw_id)] = 0
        elif raw_qty.isdigit():
            quantities[int(raw_id)] = int(raw_qty)
        else:
            errors.append(str(_("Quantities must be whole numbers.")))
    return quantities, errors
