"""`openpo export_shop SHOP [--to DIR] [--no-files]`: all of a shop's data as one ZIP archive
(`orders.archive`: a CSV per kind of row, the payment proof files, a README saying what each
file holds). The file is readable by its owner alone (0600) and appears whole or not at all;
its path is alone on the last line, so a script can take it with `tail -n 1`. Audited as an
export by the operator."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from openpo.catalog.models import Shop
from openpo.orders.archive import archive_name, export_shop


def _free_path(directory: Path, name: str) -> Path:
    """`name` in `directory`, or `name-2`, `name-3`, … when an export of the same second is
    there already."""
    path = directory / name
    number = 2
    while path.exists():
        path = directory / name.replace(".zip", f"-{number}.zip")
        number += 1
    return path


class Command(BaseCommand):
    help = "Write all of a shop's data (orders, buyers, payments, messages, ...) into one ZIP."

    def add_arguments(self, parser) -> None:
        parser.add_argument("shop", help="the shop's link name (slug)")
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="the folder to write into (default: exports/ in the data folder)",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="leave the payment proof files out"
        )

    def handle(self, *args, shop: str, to: Path | None, no_files: bool, **options) -> None:
        found = Shop.objects.filter(slug=shop).first()
        if found is None:
            raise CommandError(_("There is no shop %(slug)s.") % {"slug": shop})
        directory = to or Path(settings.DATA_DIR) / "exports"
        now = timezone.now()
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = _free_path(directory, archive_name(found, now))
            partial = path.with_name(path.name + ".part")
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise CommandError(
                _("Cannot write into %(folder)s: %(problem)s")
                % {"folder": directory, "problem": error.strerror}
            ) from error
        try:
            with os.fdopen(descriptor, "wb") as handle:
                manifest = export_shop(
                    shop=found,
                    target=handle,
                    actor_label="operator",
                    include_files=not no_files,
                    now=now,
                )
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(
            _("Exported %(rows)s rows and %(files)s proof files of %(shop)s:")
            % {"rows": manifest.total_rows, "files": manifest.files, "shop": found.slug}
        )
        self.stdout.write(str(path))
