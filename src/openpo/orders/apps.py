"""App config for orders: customers, orders and order lines, and the quota they reserve."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "openpo.orders"
    label = "orders"
    verbose_name = _("Orders")
