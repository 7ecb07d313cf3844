"""The base of every OpenPO form, and showing a service's refusal on a form: the one way every
adapter does it.

`Form` refuses text a database or a seller cannot use (control characters, lone surrogates,
bidirectional overrides; line breaks only in multi-line fields) with a message on the field,
before any `clean()` sees it. Django already turns a required field of only spaces into an
empty one (CharField strips). `tests/core/test_forms_text.py` checks that every form of the
project is built on it.
"""

from django import forms

from openpo.core.errors import DomainError
from openpo.core.text import text_problem


class TextChecked:
    """Mixin for a Django form: each text value is checked once the fields are cleaned."""

    def _clean_fields(self) -> None:
        super()._clean_fields()
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not isinstance(value, str) or isinstance(field.widget, forms.PasswordInput):
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            if problem := text_problem(value, multiline=multiline):
                self.add_error(name, problem)


class Form(TextChecked, forms.Form):
    """`django.forms.Form` that refuses unusable text."""


def add_domain_error(
    form: forms.Form, error: DomainError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's field errors on the form's fields (the rest on the whole form);
    `aliases` maps a service's field name to the form's (e.g. image → photo)."""
    for field, problems in error.field_errors.items():
        field = (aliases or {}).get(field, field)
        for problem in problems:
            form.add_error(field if field in form.fields else None, str(problem))
    if not error.field_errors:
        form.add_error(None, error.message)
