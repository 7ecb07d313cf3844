"""App config for the cross-cutting core: audit trail, domain errors, phone and money helpers,
client addresses and rate limits. After `migrate` it makes sure the cache table exists, since
the default cache (rate-limit counters shared by all web processes, in a table of their own)
lives in the database."""

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(sender, using: str = "default", **kwargs) -> None:
    from django.conf import settings

    from openpo.core.ratelimit import create_counters_table

    # With the SQLite cache router the table lives in the `cache` database, not `using`.
    for alias in {using, *(["cache"] if "cache" in settings.DATABASES else [])}:
        call_command("createcachetable", database=alias, verbosity=0)
        create_counters_table(alias)


class CoreConfig(AppConfig):
    name = "openpo.core"
    label = "core"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="openpo-cache-table")
