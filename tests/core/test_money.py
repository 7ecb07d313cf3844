"""Rupiah amounts read the Indonesian way, and a down payment never falls short."""

from openpo.core.money import format_rupiah, percent_of


def test_it_formats_rupiah_with_dots():
    assert format_rupiah(150_000) == "Rp 150.000"
    assert format_rupiah(1_500_000) == "Rp 1.500.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(-25_000) == "-Rp 25.000"
    assert format_rupiah(None) == ""


def test_a_percentage_rounds_up_to_the_next_rupiah():
    assert percent_of(135_000, 30) == 40_500
    assert percent_of(100_001, 50) == 50_001
    assert percent_of(99, 1) == 1
