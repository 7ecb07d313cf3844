"""App config for the REST API: adapts HTTP/JSON to the services, holds no rules of its own."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "openpo.api"
    label = "api"
