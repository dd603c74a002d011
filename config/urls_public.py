"""URLs of the platform host (the public schema): landing, sign-up, staff admin, Stripe."""

from django.contrib import admin
from django.urls import include, path
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from tenants import views as tenant_views

# simplejwt's blacklist tables exist in tenant schemas only (it is a tenant app), so the public
# admin has none to show. Unregistered here: admin modules are all loaded by the time URLs are.
for model in (OutstandingToken, BlacklistedToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

urlpatterns = [
    path("", tenant_views.landing, name="landing"),
    path("signup/", tenant_views.signup, name="signup"),
    path("admin/", admin.site.urls),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
