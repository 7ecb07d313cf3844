"""The "format order" for chats: a form buyers fill in that the parser reads back, and the
choices (products with their variants, one example line) as a message of its own."""

import pytest

from openpo.intake.catalogue import Catalogue
from openpo.intake.order_format import format_order, format_order_text, product_line
from openpo.intake.parser import parse_text

COLOURS = ("Hitam", "Putih")
SIZES = ("S", "M", "L", "XL")
CATALOGUE = Catalogue.from_products(
    [
        {
            "name": "Kaos Polos Premium",
            "variants": [
                {"options": {"Warna": colour, "Ukuran": size}, "sku": f"K-{colour}-{size}"}
                for colour in COLOURS
                for size in SIZES
            ],
        },
        {"name": "Tote Bag", "variants": [{"sku": "TB"}]},
    ]
)
ANSWERS = [
    "Budi Santoso",
    "0812-3456-7890",
    "Jl. Melati No. 5, Bandung",
    "40115",
    "Kaos Polos Premium Putih M x2",
    "warna jangan ketuker ya",
]


def _filled(form: str) -> str:
    """The form as a buyer sends it back: each label line with its answer after it."""
    title, *labels = form.splitlines()
    assert len(labels) == len(ANSWERS)
    return "\n".join(
        [title, *(f"{label} {answer}" for label, answer in zip(labels, ANSWERS, strict=True))]
    )


def test_it_lists_each_products_option_values_once():
    products = CATALOGUE.products()

    lines = [product_line(entries) for entries in products.values()]

    assert lines == ["• Kaos Polos Premium: Hitam, Putih / S, M, L, XL", "• Tote Bag"]


def test_the_choices_end_with_an_example_line_the_parser_reads():
    choices = format_order("PO Kaos Agustus", CATALOGUE, language="en").choices
    example = choices.splitlines()[-1]

    assert example == "Kaos Polos Premium Hitam S x2"
    message = f"Nama: Budi\nNo. HP: 081234567890\nAlamat: Jl. Melati 5\n{example}"
    (order,) = parse_text(message, CATALOGUE)
    assert [(i.sku, i.quantity) for i in order.items] == [("K-Hitam-S", 2)]


@pytest.mark.parametrize("language", ["en", "id"])
def test_a_filled_in_form_reads_as_one_clean_order(language):
    form = format_order("PO Kaos Agustus", CATALOGUE, language=language).form

    (order,) = parse_text(_filled(form), CATALOGUE)

    assert order.errors == [] and order.warnings == []
    assert order.name == "Budi Santoso" and order.phone == "+6281234567890"
    assert order.address.startswith("Jl. Melati No. 5, Bandung") and "40115" in order.address
    assert [(i.sku, i.quantity) for i in order.items] == [("K-Putih-M", 2)]
    assert order.notes == "warna jangan ketuker ya"


def test_the_choices_sent_on_their_own_are_not_an_order():
    choices = format_order("PO Kaos Agustus", CATALOGUE, language="en").choices

    assert parse_text(choices, CATALOGUE) == []


def test_the_form_names_the_po_and_every_field():
    form = format_order("  PO Kaos Agustus ", CATALOGUE, language="en").form

    assert form.splitlines() == [
        "ORDER FORMAT — PO Kaos Agustus",
        "Name:",
        "WhatsApp:",
        "Full address:",
        "Postal code:",
        "Order:",
        "Notes:",
    ]


def test_a_po_without_products_gets_the_form_alone():
    made = format_order("PO Kosong", Catalogue(()), language="en")

    assert made.choices == ""
    assert format_order_text("PO Kosong", Catalogue(()), language="en") == made.form


def test_the_whole_text_puts_the_choices_before_the_form():
    text = format_order_text("PO Kaos Agustus", CATALOGUE, language="en")

    assert text.index("• Tote Bag") < text.index("ORDER FORMAT")
