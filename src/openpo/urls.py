"""URL map of the whole site. The storefront's `/<shop>/` patterns come last.

/healthz and /metrics are not here: a middleware answers them before the host check
(ops/health.py), since a load balancer or Prometheus asks by the server's own address."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy
from django.views.static import serve

from openpo import error_pages
from openpo.core import outage
from openpo.core.ratelimit import rate_limit
from openpo.dashboard.shop import invitation, signup

# The admin is for operators; its "View site" leads sellers back to their dashboard.
admin.site.site_url = "/dashboard/"
admin.site.site_header = admin.site.site_title = gettext_lazy("OpenPO administration")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # One log-in for everyone, with its lockout and its messages: the admin's form sends there.
    path("admin/login/", signup.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("openpo.api.urls")),  # ninja's API, the Midtrans notification
    path("accounts/login/", signup.LockoutLoginView.as_view(), name="login"),
    path("accounts/signup/", signup.signup, name="signup"),
    path("accounts/invite/<str:token>/", invitation.accept, name="invitation_accept"),
    # Each reset request sends an email: limited, so nobody floods a seller's inbox from here.
    path(
        "accounts/password_reset/",
        rate_limit("password_reset")(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/", include("openpo.dashboard.urls")),
    # Product photos, shop logos and production photos (random names, shown to a PO's buyers)
    # are public; payment proofs live elsewhere
    # (PRIVATE_MEDIA_ROOT), unserved.
    # On several machines, put photos in object storage instead (README, "Scaling out").
    re_path(
        r"^media/(?P<path>(?:photos|logos|production)/.+)$",
        serve,
        {"document_root": settings.MEDIA_ROOT},
        name="media",
    ),
    path("", include("openpo.storefront.urls")),
]

# A page in the site's look that leads back (to the shop of a mistyped PO link, the dashboard,
# home); the API keeps its JSON. Errors (500) show templates/500.html, static; the database
# gone answers 503 with Retry-After instead (core/outage.py).
handler404 = error_pages.page_not_found
handler500 = outage.server_error
