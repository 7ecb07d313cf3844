"""Seller endpoints under /api/v1/shop/ (a personal API token, `Authorization: Bearer …`).

One module per area: `campaigns` (POs, their products, lifecycle steps, production recap and
exports), `orders` (list, read, manual orders, changes, payments, shipments) and `customers`.
A token sees its own shop only; another shop's objects answer 404, as if they did not exist.
"""

from ninja import Router

from openpo.api.auth import TokenAuth
from openpo.api.seller import campaigns, customers, orders

router = Router(auth=TokenAuth())
router.add_router("", campaigns.router)
router.add_router("", orders.router)
router.add_router("", customers.router)
