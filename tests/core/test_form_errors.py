"""A form sent back with errors leads to them without JavaScript (core.forms): its first field
with an error renders with `autofocus` and `aria-invalid`, and `error_summary` lists every
problem, the whole form's first, each field's linked to it, for the box above the button."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from openpo.core.forms import Form, error_summary, first_error_field
from tests.formpage import FormPage


class ParcelForm(Form):
    key = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label="Name", widget=forms.TextInput(attrs={"autofocus": True}))
    city = forms.CharField(label="City")
    postal_code = forms.CharField(label="Postal code.")
    terms = forms.BooleanField(label="I accept the terms.")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _bound(**changes) -> ParcelForm:
    data = {"key": "k", "name": "Sari", "city": "Bandung", "postal_code": "40115", "terms": "on"}
    form = ParcelForm({**data, **changes})
    form.is_valid()
    return form


def _render(form: ParcelForm) -> str:
    return Template(
        "{% include '_form_errors_near_submit.html' %}{% for f in form %}{{ f }}{% endfor %}"
    ).render(Context({"form": form}))


def test_the_first_field_with_an_error_takes_the_focus_and_no_other():
    form = _bound(city="", postal_code="")

    assert first_error_field(form).name == "city"
    page = FormPage(_render(form))
    assert page.invalid == ["city", "postal_code"]
    # Only the first takes the focus: the name field's own autofocus gives way too.
    assert [attrs["id"] for attrs in page.autofocused] == ["id_city"]


def test_an_unbound_or_valid_form_leads_nowhere_and_keeps_its_own_autofocus():
    for form in (ParcelForm(), _bound()):
        assert first_error_field(form) is None
        assert error_summary(form) == []
        page = FormPage(_render(form))
        assert page.summary is None
        assert "autofocus" in page.inputs["name"]


def test_the_summary_lists_the_forms_errors_first_then_each_field_linked():
    form = _bound(city="", terms="")
    form.add_error(None, "Sorry, only 2 left.")
    form.add_error("key", "This form was sent before.")

    lines = [(p.message, p.label, p.anchor) for p in error_summary(form)]
    assert lines == [
        ("Sorry, only 2 left.", "", ""),
        ("This form was sent before.", "", ""),  # a hidden field: nothing to link to
        ("This field is required.", "City", "id_city"),
        ("This field is required.", "", "id_terms"),  # a checkbox's label is a sentence
    ]
    html = _render(form)
    assert '<a href="#id_city">City: This field is required.</a>' in html
    assert '<a href="#id_terms">This field is required.</a>' in html


def test_a_label_ending_in_a_full_stop_reads_well_before_its_message():
    (problem,) = error_summary(_bound(postal_code=""))
    assert (problem.label, problem.message) == ("Postal code", "This field is required.")


def test_without_a_field_to_focus_the_summary_takes_the_focus():
    form = _bound()
    form.add_error(None, "Sorry, this is sold out.")

    html = _render(form)
    page = FormPage(html)
    assert first_error_field(form) is None
    assert (page.summary["role"], page.summary["tabindex"]) == ("alert", "-1")
    assert "autofocus" in page.summary
    assert "Sorry, this is sold out." in html
    assert page.autofocused == [page.summary]  # the name field gives its own up


def test_an_error_added_after_validation_leads_too():
    form = _bound()
    form.add_error("postal_code", "No such postal code.")
    assert first_error_field(form).name == "postal_code"
    page = FormPage(_render(form))
    assert (page.focused, page.invalid) == ("id_postal_code", ["postal_code"])
