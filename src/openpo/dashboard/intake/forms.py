"""Forms of the intake pages: the chat paste (or WhatsApp export), the editable preview of the
orders read from it (a formset, one form per order), the Google Forms CSV upload and its
column choice."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from openpo.core.forms import Form
from openpo.intake.catalogue import Catalogue
from openpo.intake.forms_csv import MAX_BYTES as MAX_SHEET_BYTES

MAX_CHAT_BYTES = 2 * 1024 * 1024
MAX_PASTE_CHARS = 500_000
# The orders one preview shows: a month of a busy seller's chat (~5,000 messages, ~1,100
# orders) fits in one. A preview posts at most 10 fields per order (the tick, `ready` and
# `row` only when set, the original message only when shown), which settings.py's
# DATA_UPLOAD_MAX_NUMBER_FIELDS allows for this many orders; a longer chat is previewed in
# parts (preview.py `_fit`), and so is one whose orders would post more than the body Django
# takes (DATA_UPLOAD_MAX_MEMORY_SIZE).
MAX_ORDERS = 1500
MAX_SOURCE_CHARS = 10_000
TEXT_TYPES = ("text/plain", "text/csv", "application/octet-stream", "")
# Google Forms downloads its responses as a .zip holding the CSV; a sheet saved as XLSX reads too.
SHEET_EXTENSIONS = (".csv", ".zip", ".xlsx")
# Several columns may make the address (street, kota, kode pos) or the notes; not these.
SINGLE_ROLES = ("timestamp", "name", "phone", "email")


def _decode_text(data: bytes) -> str | None:
    """UTF-8 text (a WhatsApp export is), or None for anything that is not text."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


class PasteForm(Form):
    text = forms.CharField(
        label=_("Paste the buyers' chat: one order, several, or a WhatsApp chat export"),
        required=False,
        max_length=MAX_PASTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    chat_file = forms.FileField(
        label=_("Or upload a WhatsApp chat export (.txt)"),
        help_text=_(
            'In WhatsApp: open the chat, ⋮ → More → Export chat → "Without media"; at most 2 MB.'
        ),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
    )

    def clean_chat_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("chat_file")
        if not upload:
            return None
        if upload.size > MAX_CHAT_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)s MB.")
                % {"limit": MAX_CHAT_BYTES // (1024 * 1024)}
            )
        name = (upload.name or "").lower()
        if name.endswith(".zip"):
            raise forms.ValidationError(
                _('That is a chat export with media (.zip); export it "Without media" (.txt).')
            )
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if not name.endswith(".txt") or content_type not in TEXT_TYPES:
            raise forms.ValidationError(_("Upload the chat export as a text file (.txt)."))
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("chat_file")
        if upload:
            text = _decode_text(upload.read())
            if text is None:
                self.add_error("chat_file", _("This file is not readable text (UTF-8)."))
                return cleaned
            cleaned["chat_text"] = text
        elif not self.errors and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Paste the chat, or upload a chat export."))
        return cleaned

    def chat(self) -> str:
        """The text to read: the uploaded export's, else the pasted one."""
        return self.cleaned_data.get("chat_text") or self.cleaned_data.get("text") or ""


class OrderRowForm(Form):
    """One order of the preview, every field editable; re-read by the parser on each post."""

    selected = forms.BooleanField(label=_("Import"), required=False)
    # Whether the order was ready to import when the preview was shown: a tick the seller
    # removed from a ready order stays removed; an order that became ready gets its tick.
    ready = forms.BooleanField(required=False, widget=forms.HiddenInput)
    row = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    phone = forms.CharField(label=_("Buyer's WhatsApp number"), required=False, max_length=40)
    email = forms.CharField(label=_("Email"), required=False, max_length=254)
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Buyer's notes"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    items = forms.CharField(
        label=_("Items (one per line)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    # What the order was read from, shown to compare; never read back into the order.
    source = forms.CharField(
        label=_("Original message"),
        required=False,
        max_length=MAX_SOURCE_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "readonly": True}),
    )

    def has_changed(self) -> bool:
        # Every form of the preview is an order shown, never an empty extra one: always read
        # (and spare the formset comparing each field with its initial value).
        return True

    def fields_for_parser(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data.get(name) or "" for name in PARSER_FIELDS}


PARSER_FIELDS = ("name", "phone", "email", "address", "notes", "items")

OrderFormSet = formset_factory(
    OrderRowForm,
    extra=0,
    max_num=MAX_ORDERS,
    absolute_max=MAX_ORDERS,
    validate_max=True,
    can_delete=False,
)


class CsvUploadForm(Form):
    file = forms.FileField(
        label=_("Google Forms responses (CSV)"),
        help_text=_(
            "In Google Forms: Responses → ⋮ → Download responses (a .zip with the CSV: "
            "upload it as it is); or in the linked sheet: File → Download → CSV. At most 5 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.zip,.xlsx,text/csv,application/zip"}
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size > MAX_SHEET_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)s MB.")
                % {"limit": MAX_SHEET_BYTES // (1024 * 1024)}
            )
        if not (upload.name or "").lower().endswith(SHEET_EXTENSIONS):
            raise forms.ValidationError(_("Upload the responses as a CSV file (.csv)."))
        return upload


def role_choices(roles: list[tuple[str, str]], catalogue: Catalogue) -> list[tuple[str, str]]:
    """The fixed roles, then one "Quantity of <product — variant>" per variant of the PO."""
    choices = [(value, str(label)) for value, label in roles]
    for entry in catalogue.entries:
        name = f"{entry.product} — {entry.variant}" if entry.variant else entry.product
        choices.append(
            (f"variant:{entry.sku}", str(_("Quantity of %(variant)s") % {"variant": name}))
        )
    return choices


class ColumnRolesForm(Form):
    """What each column of the sheet holds, one select per column, titled with its header."""

    def __init__(self, *args, columns: list[str], choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        for index, title in enumerate(columns):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=title or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = [cleaned.get(f"col_{i}") for i in range(len(self.columns))]
        if None in chosen:
            return cleaned
        for role in SINGLE_ROLES:
            if chosen.count(role) > 1:
                raise forms.ValidationError(
                    _("Only one column can hold “%(role)s”.") % {"role": self.role_label(role)}
                )
        if not any(r == "items" or r.startswith("variant:") for r in chosen):
            raise forms.ValidationError(
                _(
                    "Choose the column with the order text, or the columns with the "
                    "quantity of each variant."
                )
            )
        return cleaned

    def role_label(self, role: str) -> str:
        field = self.fields.get("col_0")
        choices = dict(field.choices) if field else {}
        return str(choices.get(role, role))

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"col_{i}"] for i in range(len(self.columns))]

    def initial_of(self, mapping: list[str]) -> None:
        for index, role in enumerate(mapping[: len(self.columns)]):
            self.initial[f"col_{index}"] = role
