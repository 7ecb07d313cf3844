"""`openpo import_orders --campaign SHOP/CAMPAIGN FILE [--apply]`: import orders from a Google
Forms responses export (CSV, the .zip Google Forms downloads, or XLSX) or a seller's own table,
one order per row, and print one JSON object:

- `rows`: the responses read (non-empty rows below the header);
- `columns`: each column's title and the role guessed for it (`guess_mapping`: name, phone,
  address, items, "variant:<sku>", ignore, …);
- `orders`: one per row with something in a used column, `ParsedOrder.as_json()` plus `row`
  (the spreadsheet's row number, 1 = the header); `code` when the order exists (made by this
  import, or the earlier order it duplicates); with `--apply` also `status`: imported,
  duplicate, failed (not placed: the message says why, e.g. the quota is used up) or skipped
  (has errors, not placed);
- `imported`: orders placed; `duplicates`: orders already in the PO (same phone and items),
  found without changing anything in a dry run, from the import with `--apply`;
- `errors`: a list of `{row, message}`, one entry per problem of an order that cannot be
  imported as read, and per order that failed to import (row 0: the file itself);
- `dry_run`: true without `--apply`, which changes nothing.

Orders are placed with channel "import" through `intake.services.importing.import_orders`,
each in its own transaction: one that fails (sold out) leaves the others. Exit status 1 when
the file cannot be read or any order has an error or failed.
"""

import json
import sys

from django.core.management.base import BaseCommand

from openpo.core.errors import DomainError
from openpo.intake.catalogue import catalogue_for
from openpo.intake.forms_csv import guess_mapping, orders_from_sheet, read_sheet
from openpo.intake.services.importing import find_duplicates, import_orders
from openpo.ops.management.commands.parse_order import find_campaign, read_input
from openpo.orders.models import Order


class Command(BaseCommand):
    help = "Import orders from a Google Forms responses export (CSV or XLSX) into a PO."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the responses as CSV (or the .zip, or XLSX)")
        parser.add_argument(
            "--campaign", required=True, help="the PO as SHOP/CAMPAIGN (the two link names)"
        )
        parser.add_argument(
            "--apply", action="store_true", help="place the orders (default: dry run)"
        )

    def handle(self, *args, file: str, campaign: str, apply: bool, **options) -> None:
        found = find_campaign(campaign)
        data = read_input(file, sys.stdin)
        summary = {
            "rows": 0,
            "columns": [],
            "orders": [],
            "imported": 0,
            "duplicates": 0,
            "errors": [],
            "dry_run": not apply,
        }
        try:
            sheet = read_sheet(data)
        except DomainError as error:
            summary["errors"] = [{"row": 0, "message": error.message}]
            self._print(summary)
            sys.exit(1)
        catalogue = catalogue_for(found)
        mapping = guess_mapping(sheet.columns, catalogue)
        parsed = orders_from_sheet(sheet, mapping, catalogue)
        summary["rows"] = len(sheet.rows)
        summary["columns"] = [
            {"column": title, "role": role}
            for title, role in zip(sheet.columns, mapping, strict=True)
        ]
        rows = [{**order.as_json(), "row": order.row} for order in parsed]
        errors = [
            {"row": order.row, "message": str(problem)}
            for order in parsed
            for problem in order.errors
        ]
        if apply:
            report = import_orders(campaign=found, orders=parsed, channel=Order.Channel.IMPORT)
            for outcome in report.outcomes:
                row = rows[outcome.index]
                row["status"] = outcome.status
                if outcome.order is not None:
                    row["code"] = outcome.order.code
                if outcome.status == "failed":
                    errors.append({"row": outcome.parsed.row, "message": outcome.message})
            summary["imported"] = len(report.imported)
            summary["duplicates"] = len(report.duplicates)
        else:
            summary["duplicates"] = _dry_run_duplicates(found, parsed, rows)
        summary["orders"] = rows
        summary["errors"] = sorted(errors, key=lambda e: e["row"] or 0)
        self._print(summary)
        if summary["errors"]:
            sys.exit(1)

    def _print(self, summary: dict) -> None:
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))


def _dry_run_duplicates(campaign, parsed: list, rows: list[dict]) -> int:
    """What `import_orders` would call duplicates: orders already in the PO (their code noted)
    and the second copy of one order in the file."""
    earlier = find_duplicates(campaign, parsed)
    seen = set()
    count = 0
    for index, order in enumerate(parsed):
        if order.errors or not order.quantities():
            continue
        signature = (order.phone, tuple(sorted(order.quantities().items())))
        if index in earlier:
            rows[index]["code"] = earlier[index].code
            count += 1
        elif signature in seen:
            count += 1
        seen.add(signature)
    return count
