"""`openpo import_resi --shop SHOP FILE [--apply] [--accept-warnings]`: import a file of resi
(CSV or XLSX: order code, courier, resi per row) for a shop and print one JSON object:
`rows`, `applied`, `already_shipped`, `parcels`, `errors` (each `{row, code, message}`),
`warnings` and `dry_run`.

Without `--apply` nothing changes. With it, the rows are applied together or not at all; a
resi that does not look like its courier's also needs `--accept-warnings`. Exit status 1 when
any row (or the file) has an error.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openpo.catalog.models import Shop
from openpo.core.errors import DomainError
from openpo.fulfillment.services.resi_import import import_resi


class Command(BaseCommand):
    help = "Import couriers' tracking numbers (resi) for a shop's orders from CSV or XLSX."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV or XLSX with order code, courier and resi columns")
        parser.add_argument("--shop", required=True, help="the shop's link name (slug)")
        parser.add_argument(
            "--apply", action="store_true", help="ship the orders (default: dry run)"
        )
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="apply even rows whose resi does not look like the courier's",
        )

    def handle(
        self, *args, file: str, shop: str, apply: bool, accept_warnings: bool, **options
    ) -> None:
        found = Shop.objects.filter(slug=shop).first()
        if found is None:
            raise CommandError(_("There is no shop %(slug)s.") % {"slug": shop})
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(problem)s") % {"file": file, "problem": error.strerror}
            ) from error
        try:
            summary = import_resi(
                shop=found, data=data, apply=apply, accept_warnings=accept_warnings
            ).as_dict()
        except DomainError as error:
            summary = {
                "rows": 0,
                "applied": 0,
                "already_shipped": 0,
                "parcels": 0,
                "errors": [{"row": 0, "code": error.code, "message": error.message}],
                "warnings": [],
                "dry_run": not apply,
            }
        self.stdout.write(json.dumps(summary, sort_keys=True, ensure_ascii=False))
        if summary["errors"]:
            sys.exit(1)
