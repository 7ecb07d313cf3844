"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.orders import detail, new, table

urlpatterns = [
    *table.urlpatterns,
    *detail.urlpatterns,
    *new.urlpatterns,
]
