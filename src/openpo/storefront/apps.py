"""App config for the storefront: the pages buyers (and visitors of the demo) see."""

from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "openpo.storefront"
    label = "storefront"
