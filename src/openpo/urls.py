"""URL map of the whole site."""

from django.contrib import admin
from django.urls import include, path

from openpo.storefront import views as storefront

urlpatterns = [
    path("", storefront.home, name="home"),
    path("health/", storefront.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
