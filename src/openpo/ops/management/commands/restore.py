"""`openpo restore FILE`: a backup made by `openpo backup` into the empty database that
OPENPO_DATABASE_URL names and the upload folders of OPENPO_DATA_DIR (ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openpo.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup into an empty database and the data folder."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="a backup file written by `openpo backup`")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            restored = restore_backup(file, progress=self.stdout.write)
        except (BackupError, OSError) as error:
            raise CommandError(_("The restore failed: %(error)s") % {"error": error}) from error
        self.stdout.write(
            _(
                "Restored the backup of %(created)s: %(tables)s tables, %(rows)s rows (as many "
                "as when it was taken), %(files)s files. Run `openpo migrate` if this version "
                "is newer than the backup's."
            )
            % {
                "created": restored.created,
                "tables": restored.tables,
                "rows": restored.rows,
                "files": restored.files,
            }
        )
