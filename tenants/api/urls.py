"""`/api/domains/` (tenant hosts)."""

from django.urls import path

from tenants.api import views

urlpatterns = [
    path("", views.DomainListView.as_view(), name="domains"),
    path("<int:pk>/", views.DomainView.as_view(), name="domain"),
    path("<int:pk>/verify/", views.DomainVerifyView.as_view(), name="domain-verify"),
    path("<int:pk>/primary/", views.DomainPrimaryView.as_view(), name="domain-primary"),
]
