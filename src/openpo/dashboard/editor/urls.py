"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.editor import campaigns, products

urlpatterns = [
    *campaigns.urlpatterns,
    *products.urlpatterns,
]
