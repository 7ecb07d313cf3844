"""`openpo serve`: migrate, collect static files, then serve OpenPO with gunicorn (production)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openpo.ops import serve


class Command(BaseCommand):
    help = (
        "Production server: migrate the database, collect static files, then serve OpenPO "
        "with gunicorn (threaded workers; static files from WhiteNoise) in the foreground. "
        "SIGTERM stops it gracefully."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", help=f"address to listen on (default {serve.DEFAULT_HOST}; 0.0.0.0 for all)"
        )
        parser.add_argument(
            "--port", type=int, help=f"TCP port, 1-65535 (default {serve.DEFAULT_PORT})"
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="worker processes (default OPENPO_WORKERS, else 2 x CPU cores + 1, "
            f"at most {serve.MAX_DEFAULT_WORKERS})",
        )
        parser.add_argument(
            "--threads",
            type=int,
            help=f"threads per worker (default OPENPO_THREADS, else {serve.DEFAULT_THREADS})",
        )

    def handle(self, *args, **options) -> None:
        try:
            settings = serve.make_options(
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                threads=options["threads"],
            )
        except serve.InvalidServeOptions as exc:
            raise CommandError(str(exc)) from exc
        serve.serve(settings, announce=self._announce)

    def _announce(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
