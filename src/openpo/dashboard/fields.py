"""Fields every area of the dashboard shares: rupiah and count inputs as Indonesians type them."""

import re

from django import forms

from openpo.core.money import AMOUNT_TOO_LARGE, COUNT_TOO_LARGE, MAX_AMOUNT, MAX_COUNT


def numeric_input(attrs: dict | None = None) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})


class RupiahField(forms.IntegerField):
    """Whole rupiah, typed as `120000`, `120.000` or `Rp 120.000`."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_AMOUNT)
        kwargs.setdefault("widget", numeric_input({"placeholder": "120.000"}))
        super().__init__(**kwargs)
        self.error_messages["max_value"] = AMOUNT_TOO_LARGE

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"(?i)^\s*rp\.?|[\s.]", "", value).replace(",00", "")
        return super().to_python(value)

    def prepare_value(self, value):
        """Show stored amounts as Indonesians write them: 120000 → 120.000."""
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value


class CountField(forms.IntegerField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_COUNT)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}))
        super().__init__(**kwargs)
        self.error_messages["max_value"] = COUNT_TOO_LARGE
