"""Forms of the campaign editor. They only parse what a seller types on a phone (prices like
`Rp 120.000`, sizes like `S, M, L, XXL=135000`, local dates and times); every rule lives in
`catalog.services` (campaigns, products, photos, materials), whose field errors the views
place back on these forms."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from openpo.catalog.models import Campaign
from openpo.catalog.services.photos import PHOTO_FORMATS
from openpo.catalog.services.products import split_values
from openpo.core.forms import Form
from openpo.dashboard.fields import CountField, RupiahField

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
PHOTO_ACCEPT = ",".join(f"image/{kind.lower()}" for kind in PHOTO_FORMATS)


def _datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        **kwargs,
    )


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class CampaignForm(Form):
    """A PO's settings. Times are read and shown in the shop's time zone: the view activates it
    around validating and rendering."""

    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is it, material, size chart: buyers read this on the PO page."),
    )
    opens_at = _datetime_field(_("PO opens"))
    closes_at = _datetime_field(_("PO closes"))
    production_starts_on = _date_field(_("Production starts"), required=False)
    ships_on = _date_field(_("Ships from"), required=False)
    moq_units = CountField(
        label=_("Minimum order (units)"),
        initial=0,
        help_text=_("The PO goes ahead only if at least this many are ordered. 0: no minimum."),
    )
    unit_cap = CountField(
        label=_("Limit for the whole PO (units)"),
        required=False,
        min_value=1,
        help_text=_("Empty: no limit."),
    )
    max_units_per_order = CountField(
        label=_("Limit per order (units)"), required=False, min_value=1
    )
    payment_policy = forms.ChoiceField(
        label=_("How buyers pay"),
        choices=Campaign.PaymentPolicy.choices,
        initial=Campaign.PaymentPolicy.FULL,
        widget=forms.RadioSelect,
    )
    deposit_percent = CountField(
        label=_("Down payment (%)"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("Only with a down payment, e.g. 50."),
    )
    settlement_due_on = _date_field(_("Settlement due on"), required=False)
    payment_window_hours = CountField(
        label=_("Time to pay (hours)"),
        min_value=1,
        help_text=_("Unpaid orders are cancelled after this and their slots released."),
    )
    shipping_fee = RupiahField(
        label=_("Shipping fee per order (Rp)"), initial=0, help_text=_("0: free shipping.")
    )
    early_bird_until = _datetime_field(_("Early-bird price until"), required=False)
    early_bird_units = CountField(
        label=_("Early-bird price for the first (units)"), required=False, min_value=1
    )
    terms = forms.CharField(
        label=_("PO terms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your own rules (e.g. no cancellation after payment). OpenPO adds the payment, "
            "DP and minimum-order rules itself."
        ),
    )

    GROUPS = (
        ("po", _("The PO"), ("title", "description")),
        ("timeline", _("Timeline"), ("opens_at", "closes_at", "production_starts_on", "ships_on")),
        ("units", _("Minimum order and limits"), ("moq_units", "unit_cap", "max_units_per_order")),
        (
            "payment",
            _("Payment"),
            (
                "payment_policy",
                "deposit_percent",
                "settlement_due_on",
                "payment_window_hours",
                "shipping_fee",
            ),
        ),
        ("early", _("Early bird"), ("early_bird_until", "early_bird_units")),
        ("terms", _("Terms"), ("terms",)),
    )

    # Groups most POs leave as they are: folded away unless filled in or wrong.
    OPTIONAL_GROUPS = frozenset({"units", "early", "terms"})

    def groups(self) -> list[dict]:
        """The fields by group, each with `folded`: an optional group nobody filled in."""
        result = []
        for key, title, names in self.GROUPS:
            fields = [self[name] for name in names]
            used = any(f.errors or f.value() not in (None, "", 0, "0") for f in fields)
            folded = key in self.OPTIONAL_GROUPS and not used
            result.append({"key": key, "title": title, "fields": fields, "folded": folded})
        return result

    def settings(self) -> dict:
        """The cleaned values as keyword arguments of the campaign services."""
        data = dict(self.cleaned_data)
        data["description"] = data["description"].strip()
        return data


class VariantsForm(Form):
    """Variants to generate: every size × colour at one price (a size may have its own)."""

    price = RupiahField(label=_("Price (Rp)"))
    early_bird_price = RupiahField(label=_("Early-bird price (Rp, optional)"), required=False)
    sizes = forms.CharField(
        label=_("Sizes"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "S, M, L, XL", "autocomplete": "off"}),
        help_text=_("Separate with commas. A size with its own price: XXL=135000."),
    )
    colours = forms.CharField(
        label=_("Colours (optional)"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "Hitam, Putih", "autocomplete": "off"}),
    )
    quota = CountField(
        label=_("Quota per variant (optional)"),
        required=False,
        help_text=_("Empty: unlimited."),
    )

    def clean_sizes(self) -> tuple[list[str], dict[str, int]]:
        sizes, prices = [], {}
        for item in split_values(self.cleaned_data["sizes"]):
            size, sep, price = item.partition("=")
            size = size.strip()
            if sep:
                try:
                    prices[size] = RupiahField().clean(price)
                except ValidationError as exc:
                    raise ValidationError(
                        _("Write a size's own price as a number, e.g. XXL=135000.")
                    ) from exc
            if size:
                sizes.append(size)
        return sizes, prices

    def clean_colours(self) -> list[str]:
        return split_values(self.cleaned_data["colours"])

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        sizes, size_prices = data["sizes"]
        return {
            "price": data["price"],
            "early_bird_price": data["early_bird_price"],
            "sizes": sizes,
            "size_prices": size_prices,
            "colours": data["colours"],
            "quota": data["quota"],
        }


class AddProductForm(VariantsForm):
    """A new product with its variants and, optionally, its first photo: one submit."""

    name = forms.CharField(label=_("Product name"), max_length=150)
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    field_order = [
        "name",
        "price",
        "sizes",
        "colours",
        "quota",
        "early_bird_price",
        "photo",
        "description",
    ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_arguments(),
            "name": data["name"],
            "description": data["description"],
            "photo": data["photo"],
        }


class ProductForm(Form):
    name = forms.CharField(label=_("Product name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VariantForm(Form):
    price = RupiahField(label=_("Price (Rp)"))
    early_bird_price = RupiahField(label=_("Early-bird price (Rp)"), required=False)
    quota = CountField(label=_("Quota"), required=False, help_text=_("Empty: unlimited."))
    is_active = forms.BooleanField(label=_("On sale"), required=False)


class PhotoForm(Form):
    image = forms.FileField(
        label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT})
    )
    alt_text = forms.CharField(
        label=_("What the photo shows (optional)"), required=False, max_length=200
    )


class DecimalText(forms.DecimalField):
    """A quantity typed with a decimal comma or point: `0,5` or `0.5`."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class MaterialForm(Form):
    name = forms.CharField(
        label=_("Material"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Kain katun combed 30s"}),
    )
    quantity_per_unit = DecimalText(
        label=_("Per unit"), max_digits=12, decimal_places=3, min_value=Decimal("0.001")
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "m"})
    )
    all_variants = forms.BooleanField(
        label=_("Apply to every variant of this product"), required=False, initial=True
    )
