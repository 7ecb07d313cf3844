"""`openpo import_resi --shop SHOP FILE [--apply]`: one JSON object on stdout, exit 1 on
errors, nothing changed without --apply."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from openpo.fulfillment.models import Shipment
from openpo.messaging.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("import_resi", *args, stdout=out)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, json.loads(out.getvalue())


@pytest.fixture
def resi_file(tmp_path, campaign, buyer, now):
    order = factories.paid_order(campaign, buyer=buyer, now=now)
    path = tmp_path / "resi.csv"
    path.write_text(f"kode pesanan,kurir,resi\n{order.code},J&T,JP1234567890\n")
    return str(path)


def test_it_dry_runs_by_default(shop, resi_file):
    status, summary = _run("--shop", shop.slug, resi_file)

    assert status == 0
    assert summary == {
        "rows": 1,
        "applied": 0,
        "already_shipped": 0,
        "parcels": 0,
        "errors": [],
        "warnings": [],
        "dry_run": True,
    }
    assert not Shipment.objects.exists()


def test_it_applies_once_and_a_second_run_changes_nothing(shop, resi_file):
    status, summary = _run("--shop", shop.slug, resi_file, "--apply")
    assert status == 0 and summary["applied"] == 1 and summary["dry_run"] is False

    status, summary = _run("--shop", shop.slug, resi_file, "--apply")
    assert status == 0 and (summary["applied"], summary["already_shipped"]) == (0, 1)
    assert Shipment.objects.count() == 1
    assert OutboxMessage.objects.filter(event="shipped", channel="email").count() == 1


def test_it_exits_1_with_the_rows_in_error(shop, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("order,courier,resi\nPO-NOPE1,jne,CGK1\n")

    status, summary = _run("--shop", shop.slug, str(path), "--apply")

    assert status == 1
    (error,) = summary["errors"]
    assert (error["row"], error["code"]) == (2, "unknown_order")
    assert "PO-NOPE1" in error["message"]
    assert summary["applied"] == 0


def test_an_unreadable_file_is_an_error_in_the_json(shop, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("nama,alamat\nRina,Jl\n")

    status, summary = _run("--shop", shop.slug, str(path))

    assert status == 1 and summary["errors"][0]["code"] == "invalid_resi_file"


def test_it_refuses_an_unknown_shop(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_resi", "--shop", "nope", str(tmp_path / "x.csv"))
