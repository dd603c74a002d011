"""`/settings/billing/` (tenant hosts, owners)."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.billing_page, name="settings"),
    path("checkout/", views.start_checkout, name="checkout"),
    path("portal/", views.open_portal, name="portal"),
    path("free/", views.go_free, name="free"),
]
