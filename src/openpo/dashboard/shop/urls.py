"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.shop import (
    api_docs,
    api_tokens,
    bank_accounts,
    settings,
    team,
    webhooks,
    whatsapp,
)

urlpatterns = [
    *settings.urlpatterns,
    *bank_accounts.urlpatterns,
    *team.urlpatterns,
    *api_tokens.urlpatterns,
    *api_docs.urlpatterns,
    *whatsapp.urlpatterns,
    *webhooks.urlpatterns,
]
