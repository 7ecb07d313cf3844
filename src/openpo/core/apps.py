"""App config for the cross-cutting core: audit trail, domain errors, phone and money helpers."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openpo.core"
    label = "core"
    verbose_name = "OpenPO core"
