"""Forms of the bank statement pages: the upload (type, size, bank format) and the column
choice for a statement whose format was not recognised."""

import string

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from openpo.core.forms import Form
from openpo.payments.statements.presets import PRESETS, ColumnMapping
from openpo.payments.statements.reading import MAX_STATEMENT_BYTES

EXTENSIONS = (".csv", ".xlsx")


def column_letter(index: int) -> str:
    """A, B, … Z, AA, AB: how spreadsheets name columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


class StatementUploadForm(Form):
    file = forms.FileField(
        label=_("Statement file"),
        help_text=_(
            "The account statement (mutasi rekening) exported from internet banking as CSV or "
            "Excel (XLSX), at most 5 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    bank_format = forms.ChoiceField(
        label=_("Bank"),
        required=False,
        choices=[("", _("Recognise automatically"))]
        + [(name, preset.label) for name, preset in PRESETS.items()],
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Upload a CSV or XLSX file."))
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is too large: at most 5 MB."))
        return upload


class ColumnMappingForm(Form):
    """Which column holds what, chosen by the seller from the first rows of the file."""

    upload = forms.CharField(widget=forms.HiddenInput, max_length=64)
    date = forms.TypedChoiceField(label=_("Date"), coerce=int)
    description = forms.TypedChoiceField(label=_("Description"), coerce=int)
    amount = forms.TypedChoiceField(
        label=_("Amount"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("One column with every amount (negative or marked DB for money out)."),
    )
    credit = forms.TypedChoiceField(
        label=_("Money in (credit)"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Or: the column of money in, when the bank has separate columns."),
    )
    debit = forms.TypedChoiceField(
        label=_("Money out (debit)"), coerce=int, required=False, empty_value=None
    )
    marker = forms.TypedChoiceField(
        label=_("CR/DB column"), coerce=int, required=False, empty_value=None
    )
    balance = forms.TypedChoiceField(
        label=_("Balance (saldo)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, columns: int, labels: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (str(i), f"{column_letter(i)} · {label}" if label else column_letter(i))
            for i, label in enumerate(labels[:columns] + [""] * (columns - len(labels)))
        ]
        for field in self.fields.values():
            if isinstance(field, forms.TypedChoiceField):
                field.choices = ([] if field.required else [("", "—")]) + choices

    def clean(self) -> dict:
        data = super().clean()
        if data.get("amount") is None and data.get("credit") is None and not self.errors:
            raise forms.ValidationError(
                _("Choose the amount column, or the column of money in (credit).")
            )
        return data

    def mapping(self) -> ColumnMapping:
        data = self.cleaned_data
        by_columns = data["credit"] is not None
        return ColumnMapping(
            date=data["date"],
            description=(data["description"],),
            amount=None if by_columns else data["amount"],
            credit=data["credit"],
            debit=data["debit"] if by_columns else None,
            marker=None if by_columns else data["marker"],
            balance=data["balance"],
        )
