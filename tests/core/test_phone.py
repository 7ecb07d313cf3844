"""Phone numbers typed the way Indonesians write them all become one E.164 number."""

import pytest

from openpo.core.phone import InvalidPhoneNumber, format_phone_local, normalize_phone


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "62812 3456 7890",
        "+62 812-3456-7890",
        "6281234567890",
        "(0812) 3456 7890",
    ],
)
def test_it_normalises_the_ways_buyers_type_a_number(typed):
    assert normalize_phone(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["", "   ", "12345", "08", "abc", "0812", "+1 555"])
def test_it_refuses_what_is_not_a_phone_number(typed):
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(typed)


def test_it_keeps_foreign_numbers_with_their_country_code():
    assert normalize_phone("+60 12-345 6789") == "+60123456789"


def test_it_shows_a_stored_number_the_local_way():
    assert format_phone_local("+6281234567890") == "0812-3456-7890"
