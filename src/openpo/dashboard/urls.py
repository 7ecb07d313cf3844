"""Seller URLs under /dashboard/. Every view here goes through `shop_member_required`.

Each area package owns its `urlpatterns` (in its `urls.py`); this list joins them, flat, so the
isolation test sees every pattern. The shop's data export and the buyer's page with its
erasure (`shop.data_export`, `shop.buyers`, `shop.erase`) are joined here by module.
"""

from openpo.dashboard.campaigns import urls as campaigns
from openpo.dashboard.editor import urls as editor
from openpo.dashboard.fulfillment import urls as fulfillment
from openpo.dashboard.insights import urls as insights
from openpo.dashboard.intake import urls as intake
from openpo.dashboard.messages import urls as messages
from openpo.dashboard.money import urls as money
from openpo.dashboard.orders import urls as orders
from openpo.dashboard.share import urls as share
from openpo.dashboard.shop import buyers, data_export, erase
from openpo.dashboard.shop import urls as shop

app_name = "dashboard"
urlpatterns = [
    *campaigns.urlpatterns,
    *shop.urlpatterns,
    *data_export.urlpatterns,
    *buyers.urlpatterns,
    *erase.urlpatterns,
    *editor.urlpatterns,
    *share.urlpatterns,
    *orders.urlpatterns,
    *money.urlpatterns,
    *messages.urlpatterns,
    *fulfillment.urlpatterns,
    *intake.urlpatterns,
    *insights.urlpatterns,
]
