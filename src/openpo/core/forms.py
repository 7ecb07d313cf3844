"""Showing a service's refusal on a Django form: the one way every adapter does it."""

from django import forms

from openpo.core.errors import DomainError


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
