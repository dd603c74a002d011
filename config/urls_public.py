"""URLs of the platform host (the public schema): landing, sign-up, staff admin, Stripe."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from billing import views as billing_views
from billing.webhooks import stripe_webhook
from tenants import views as tenant_views

# simplejwt's blacklist tables exist in tenant schemas only (it is a tenant app), so the public
# admin has none to show. Unregistered here: admin modules are all loaded by the time URLs are.
for model in (OutstandingToken, BlacklistedToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

urlpatterns = [
    path("", tenant_views.landing, name="landing"),
    path("signup/", tenant_views.signup, name="signup"),
    path("signup/sent/", tenant_views.signup_sent, name="signup-sent"),
    path("signup/confirm/<str:token>/", tenant_views.signup_confirm, name="signup-confirm"),
    path("find/", tenant_views.find_workspace, name="find-workspace"),
    path("pricing/", billing_views.pricing, name="pricing"),
    path("admin/", admin.site.urls),
    # dj-stripe's URL for its endpoints, served by our own view (billing.webhooks). The
    # namespaced name is what dj-stripe's admin reverses when staff add an endpoint.
    path("stripe/webhook/<uuid:uuid>/", stripe_webhook, name="stripe_webhook"),
    path(
        "stripe/",
        include(([path("webhook/<uuid:uuid>/", stripe_webhook, name="djstripe_webhook_by_uuid")], "djstripe")),
    ),
]

# Test mode (no Stripe key): the stand-ins for Stripe's hosted pages (billing.fake_stripe).
if settings.BILLING_TEST_MODE:
    from billing.fake_stripe import views as fake_stripe_views

    urlpatterns += [
        path("billing/test-checkout/<str:session_id>/", fake_stripe_views.checkout, name="fake_stripe_checkout"),
        path("billing/test-portal/<str:session_id>/", fake_stripe_views.portal, name="fake_stripe_portal"),
        path("billing/test-invoice/<str:invoice_id>/", fake_stripe_views.invoice, name="fake_stripe_invoice"),
    ]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
