"""The courier registry: names sellers type, tracking links, resi shapes."""

import pytest

from openpo.fulfillment.couriers import (
    COURIERS,
    courier_label,
    find_courier,
    needs_resi,
    normalize_resi,
    resi_warning,
    tracking_url,
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("JNE", "jne"),
        ("jne reg", "jne"),
        ("J&T", "jnt"),
        ("jnt", "jnt"),
        ("J&T Express", "jnt"),
        ("J & T", "jnt"),
        ("sicepat", "sicepat"),
        ("SiCepat HALU", "sicepat"),
        ("AnterAja", "anteraja"),
        ("Pos Indonesia", "pos"),
        ("POS", "pos"),
        ("Ninja Xpress", "ninja"),
        ("ID Express", "idexpress"),
        ("idx", "idexpress"),
        ("Lion Parcel", "lion"),
        ("SAP Express", "sap"),
        ("GoSend", "gosend"),
        ("Grab Express", "grab"),
        ("ambil sendiri", "pickup"),
        ("Lainnya", "other"),
    ],
)
def test_it_finds_a_courier_by_its_common_names(text, key):
    assert find_courier(text) == key


@pytest.mark.parametrize("text", ["", "  ", "Kirim pakai merpati", "tiki", "jt express 2"])
def test_it_finds_no_courier_for_unknown_names(text):
    assert find_courier(text) is None


def test_every_courier_of_the_issue_is_known():
    assert set(COURIERS) == {
        "jne", "jnt", "sicepat", "anteraja", "pos", "ninja", "idexpress", "lion", "sap",
        "gosend", "grab", "pickup", "other",
    }  # fmt: skip


def test_it_builds_tracking_links_with_the_resi_where_the_page_takes_it():
    assert tracking_url("jne", "CGK1234567890") == (
        "https://www.jne.co.id/id/tracking/trace/CGK1234567890"
    )
    assert (
        tracking_url("ninja", "NLIDAP123")
        == "https://www.ninjaxpress.co/id-id/tracking?id=NLIDAP123"
    )
    assert tracking_url("sicepat", "00 12/3") == "https://www.sicepat.com/checkAwb/00%2012%2F3"
    # J&T's page has only a search form: the link opens it.
    assert tracking_url("jnt", "JP1234567890") == "https://jet.co.id/track"
    assert tracking_url("pickup", "") == ""
    assert tracking_url("jne", "") == ""
    assert tracking_url("nope", "X") == ""


def test_it_labels_couriers_and_uses_the_sellers_words_for_other():
    assert courier_label("jnt") == "J&T Express"
    assert courier_label("other", "Paxel") == "Paxel"
    assert courier_label("legacy", "") == "legacy"


def test_it_warns_about_a_resi_of_the_wrong_shape_only_where_the_shape_is_known():
    assert resi_warning("jnt", "JP1234567890") == ""
    assert resi_warning("jnt", "jp 1234 5678 90") == ""  # spaces and case are forgiven
    assert "JP12345" in resi_warning("jnt", "JP12345")
    assert resi_warning("sicepat", "000123456789") == ""
    assert resi_warning("sicepat", "JP1234567890") != ""
    assert resi_warning("pos", "RR123456789ID") == ""
    assert resi_warning("idexpress", "IDS012345678901") == ""
    # No documented shape: never a warning.
    assert resi_warning("jne", "anything-goes") == ""
    assert resi_warning("anteraja", "x") == ""
    assert resi_warning("other", "x") == ""


def test_it_normalizes_a_resi_and_knows_which_couriers_need_one():
    assert normalize_resi(" jp-123 456 ") == "JP123456"
    assert needs_resi("jne") and not needs_resi("pickup") and not needs_resi("gosend")
