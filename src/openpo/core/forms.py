"""The base of every OpenPO form, and showing a service's refusal on a form: the one way every
adapter does it.

`Form` refuses text a database or a seller cannot use (control characters, lone surrogates,
bidirectional overrides; line breaks only in multi-line fields) with a message on the field,
before any `clean()` sees it. Django already turns a required field of only spaces into an
empty one (CharField strips). `tests/core/test_forms_text.py` checks that every form of the
project is built on it.

A form sent back with errors leads its reader to them without JavaScript: the first field
with an error (in the order of the form's fields, which is the order on the page) renders
with `autofocus`, so the browser scrolls to it, and `error_summary` lists every problem for
the box above the submit button (`_form_errors_near_submit.html`).
"""

from dataclasses import dataclass

from django import forms
from django.forms.boundfield import BoundField

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


def first_error_field(form: forms.BaseForm) -> BoundField | None:
    """The first field a reader can fix (shown, enabled) that has an error, or None."""
    if not form.is_bound or not form.errors:
        return None
    for name, field in form.fields.items():
        if name in form.errors and not field.widget.is_hidden and not field.disabled:
            return form[name]
    return None


@dataclass(frozen=True)
class Problem:
    """One line of an error summary: the message, and the field it links to (if any) with
    the name to show before the message."""

    message: str
    label: str = ""
    anchor: str = ""


def error_summary(form: forms.BaseForm) -> list[Problem]:
    """Every error of a bound form, the whole form's first, then field by field in order;
    a shown field's errors link to it (`anchor` is its id)."""
    if not form.is_bound or not form.errors:
        return []
    problems = [Problem(str(message)) for message in form.non_field_errors()]
    for name, field in form.fields.items():
        if name not in form.errors:
            continue
        bound = form[name]
        anchor = "" if field.widget.is_hidden or field.disabled else bound.id_for_label or ""
        # A checkbox's label is a sentence of its own ("I accept the terms."): its message
        # says enough; other labels name the field ("Postal code: This field is required.").
        label = "" if isinstance(field.widget, forms.CheckboxInput) else str(bound.label or "")
        for message in bound.errors:
            problems.append(Problem(str(message), label.rstrip(" .:") if anchor else "", anchor))
    return problems


class LeadingBoundField(BoundField):
    """A bound field that takes the focus (`autofocus`) when it is its form's first error.
    A form with errors gives no other field an `autofocus` of its own: the focus goes to the
    first error, or (none on a field) to the error summary."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.form.errors:
            first = first_error_field(self.form)  # False overrides the widget's own autofocus
            attrs["autofocus"] = first is not None and first.name == self.name
        return attrs


class Form(TextChecked, forms.Form):
    """`django.forms.Form` that refuses unusable text and leads to its first error."""

    bound_field_class = LeadingBoundField


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
