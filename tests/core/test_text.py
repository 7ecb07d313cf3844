"""Text a database or a seller cannot use is refused at every door: the check itself, every form
of the project built on it, the order service (so the API and importers too) and the commands."""

import importlib
import pkgutil

import pytest
from django import forms
from django.core.management import CommandError, call_command

import openpo
from openpo.catalog.models import Shop
from openpo.core.forms import TextChecked
from openpo.core.text import text_problem
from openpo.orders.errors import InvalidOrder
from openpo.orders.models import Order
from openpo.orders.services import BuyerDetails, place_order


@pytest.mark.parametrize(
    "value",
    ["Sari\x00", "Sari\x1b[2J", "\u202eSari", "Sari\u2066", "S\ud800", "Sari\x7f", "a\x0bb"],
)
def test_it_names_unusable_characters(value):
    assert text_problem(value) and text_problem(value, multiline=True)


@pytest.mark.parametrize(
    "value", ["Sari Wulandari", "Jl. Mawar № 5 — RT 02", "Kaos 👕 hitam", "أحمد", "李"]
)
def test_it_lets_real_text_through(value):
    assert text_problem(value) is None


def test_line_breaks_and_tabs_belong_to_multi_line_text_only():
    assert text_problem("Jl. Mawar 5\r\nBandung\tJabar", multiline=True) is None
    assert text_problem("Jl. Mawar 5\nBandung") == "Tulis dalam satu baris saja."


def _project_forms() -> list[type]:
    for module in pkgutil.walk_packages(openpo.__path__, "openpo."):
        if ".migrations" not in module.name and not module.name.endswith("tests"):
            importlib.import_module(module.name)
    found, queue = [], [forms.BaseForm]
    while queue:
        for subclass in queue.pop().__subclasses__():
            queue.append(subclass)
            if subclass.__module__.startswith("openpo."):
                found.append(subclass)
    return found


def test_every_form_of_the_project_checks_its_text():
    project_forms = _project_forms()

    assert len(project_forms) >= 25
    unchecked = [
        f"{f.__module__}.{f.__name__}" for f in project_forms if not issubclass(f, TextChecked)
    ]
    assert unchecked == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field_name, value",
    [
        ("name", "Sari\x00"),
        ("address", "Jl. Mawar\x1b 5"),
        ("city", "Bandung\nJakarta"),
        ("notes", "\u202ecepat"),
        ("phone", "0812\x003333"),
        ("address", "   "),
    ],
)
def test_the_order_service_refuses_it_whatever_the_door(
    campaign, variants, buyer, field_name, value
):
    bad = BuyerDetails(**{**buyer.__dict__, field_name: value})

    with pytest.raises(InvalidOrder) as refused:
        place_order(campaign=campaign, buyer=bad, items={variants[0].pk: 1}, terms_accepted=True)

    assert field_name in refused.value.field_errors
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options",
    [{"owner": "mallory\x00", "password": "x-long-secret"}, {"owner": "alice", "name": "Toko\x1b"}],
)
def test_the_create_shop_command_refuses_it(alice, options):
    with pytest.raises(CommandError) as refused:
        call_command("create_shop", "toko-baru", **options)

    assert "--" in str(refused.value)
    assert not Shop.objects.filter(slug="toko-baru").exists()
