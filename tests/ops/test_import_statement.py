"""`openpo import_statement --shop SHOP FILE [--mapping NAME] [--apply]` prints one JSON
summary; without --apply it changes nothing in the database."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from openpo.core.models import AuditEvent
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment, Payment, StatementImport, StatementLine
from tests.payments.statement_world import SAMPLES, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shop, buyer):
    return build_world(shop, buyer)


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("import_statement", *args, stdout=out)
    (line,) = out.getvalue().strip().splitlines()
    return json.loads(line)


def snapshot() -> dict:
    return {
        "imports": StatementImport.objects.count(),
        "lines": StatementLine.objects.count(),
        "payments": Payment.objects.count(),
        "audit": AuditEvent.objects.count(),
        "orders": list(Order.objects.values_list("pk", "amount_paid", "payment_status")),
        "expected": list(ExpectedPayment.objects.values_list("pk", "status", "amount")),
    }


def test_without_apply_it_prints_the_summary_and_changes_nothing(world, shop):
    before = snapshot()
    summary = run("--shop", shop.slug, str(SAMPLES / "bca.csv"))

    assert summary["dry_run"] is True
    assert {
        k: summary[k] for k in ("matched", "ambiguous", "unmatched", "applied", "duplicates")
    } == {
        "matched": 1,
        "ambiguous": 1,
        "unmatched": 1,
        "applied": 0,
        "duplicates": 0,
    }
    assert (summary["late"], summary["debits_skipped"], summary["format"]) == (1, 2, "bca")
    assert snapshot() == before


def test_a_dry_run_changes_nothing_even_when_the_shop_confirms_automatically(world, shop):
    shop.auto_confirm_exact_matches = True
    shop.save()
    before = snapshot()
    summary = run("--shop", shop.slug, str(SAMPLES / "mandiri.csv"))
    assert summary["applied"] == 1  # what an import would do
    assert snapshot() == before


def test_with_apply_it_records_exact_matches_once(world, shop):
    first = run("--shop", shop.slug, "--apply", "--mapping", "bri", str(SAMPLES / "bri.csv"))
    second = run("--shop", shop.slug, "--apply", str(SAMPLES / "bri.csv"))

    assert (first["dry_run"], first["matched"], first["applied"]) == (False, 1, 1)
    assert (second["duplicates"], second["applied"]) == (4, 0)
    assert Payment.objects.get().order == world.sari
    assert StatementImport.objects.count() == 2


def test_a_bad_file_exits_with_the_problem_and_writes_nothing(world, shop):
    with pytest.raises(CommandError) as error:
        run("--shop", shop.slug, "--apply", str(SAMPLES / "broken.csv"))
    assert error.value.returncode == 1
    assert "2025-11-31" in str(error.value)
    assert not StatementImport.objects.exists()


def test_an_unknown_shop_or_file_is_a_clear_error(world, shop, tmp_path):
    with pytest.raises(CommandError, match="nobody"):
        run("--shop", "nobody", str(SAMPLES / "bca.csv"))
    with pytest.raises(CommandError, match=r"missing\.csv"):
        run("--shop", shop.slug, str(tmp_path / "missing.csv"))
