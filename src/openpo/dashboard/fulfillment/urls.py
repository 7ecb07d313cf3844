"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.fulfillment import (
    printables,
    production,
    reconfirm,
    resi_import,
    shipping,
    testimonials,
)

urlpatterns = [
    *production.urlpatterns,
    *shipping.urlpatterns,
    *resi_import.urlpatterns,
    *printables.urlpatterns,
    *reconfirm.urlpatterns,
    *testimonials.urlpatterns,
]
