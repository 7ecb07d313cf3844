"""`openpo import_statement --shop SHOP FILE [--mapping NAME] [--apply]`: import a bank
statement (CSV or XLSX) for a shop and print one JSON summary.

Without `--apply` it is a dry run: the import runs in a transaction that is rolled back, so
the counts are what an import would find and the database is left as it was. With `--apply`
the lines are stored and exact matches are recorded as payments.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from openpo.catalog.models import Shop
from openpo.core.errors import DomainError
from openpo.payments.services.statements import import_statement
from openpo.payments.statements.presets import PRESETS


class _DryRun(Exception):
    """Raised to roll the dry run back."""


class Command(BaseCommand):
    help = "Import a bank statement (CSV or XLSX) and match its credit lines to orders."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the statement exported from internet banking")
        parser.add_argument("--shop", required=True, help="the shop's link name (slug)")
        parser.add_argument(
            "--mapping",
            choices=sorted(PRESETS),
            help="the bank format (default: detected from the file)",
        )
        parser.add_argument(
            "--apply",
            action="store_true",
            help="store the lines and record exact matches as payments (default: dry run)",
        )

    def handle(
        self, *args, file: str, shop: str, mapping: str | None, apply: bool, **options
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
        summary: dict[str, object] = {}
        try:
            with transaction.atomic():
                summary = import_statement(
                    shop=found, file=data, mapping=mapping, apply=apply, file_name=file
                )
                if not apply:
                    raise _DryRun
        except _DryRun:
            summary = {**summary, "statement": None}
        except DomainError as error:
            raise CommandError(error.message) from error
        summary["dry_run"] = not apply
        self.stdout.write(json.dumps(summary, sort_keys=True))
