"""URLs of the platform host (the public schema): landing, sign-up, staff admin, Stripe."""

from django.contrib import admin
from django.urls import include, path

from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.landing, name="landing"),
    path("signup/", tenant_views.signup, name="signup"),
    path("admin/", admin.site.urls),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
]

handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
