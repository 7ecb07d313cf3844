"""App config for operations: the commands that run a site (`serve`, `demo`)."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "openpo.ops"
    label = "ops"
