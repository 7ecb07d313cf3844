"""`openpo backup [--to DIR] [--keep-daily N] [--keep-weekly M]`: a consistent backup of the
database and the uploads while the shop keeps taking orders (ops/backup.py); the new file's path
alone on the last line, so a script can take it with `tail -n 1`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from openpo.ops.backup import BackupError, prune, write_backup


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one file."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="the folder to write into (default: backups/ in the data folder)",
        )
        parser.add_argument(
            "--keep-daily",
            type=_count,
            default=None,
            help="after the backup, keep the newest of each of the last N days",
        )
        parser.add_argument(
            "--keep-weekly",
            type=_count,
            default=None,
            help="and the newest of each of the last M weeks (delete the rest)",
        )

    def handle(self, *args, to, keep_daily, keep_weekly, **options) -> None:
        directory = to or Path(settings.DATA_DIR) / "backups"
        try:
            path = write_backup(directory)
        except (BackupError, OSError) as error:
            raise CommandError(_("The backup failed: %(error)s") % {"error": error}) from error
        if keep_daily is not None or keep_weekly is not None:
            for removed in prune(directory, daily=keep_daily or 0, weekly=keep_weekly or 0):
                self.stdout.write(_("Removed the old backup %(path)s") % {"path": removed})
        self.stdout.write(_("Backup written (%(size)s bytes):") % {"size": path.stat().st_size})
        self.stdout.write(str(path))
