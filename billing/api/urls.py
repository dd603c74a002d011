"""`/api/billing/` (tenant hosts)."""

from django.urls import path

from billing.api import views

urlpatterns = [
    path("", views.BillingView.as_view(), name="billing"),
    path("checkout/", views.CheckoutView.as_view(), name="billing-checkout"),
    path("portal/", views.PortalView.as_view(), name="billing-portal"),
    path("free/", views.FreePlanView.as_view(), name="billing-free"),
    path("invoices/", views.InvoicesView.as_view(), name="billing-invoices"),
]
