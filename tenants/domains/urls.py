"""`/settings/domains/` (tenant hosts): the page and its plain forms."""

from django.urls import path

from tenants.domains import views

app_name = "domains"

urlpatterns = [
    path("", views.domains_page, name="settings"),
    path("own-address/primary/", views.use_platform_host, name="platform-primary"),
    path("<int:domain_id>/verify/", views.check_now, name="verify"),
    path("<int:domain_id>/primary/", views.make_primary, name="primary"),
    path("<int:domain_id>/remove/", views.remove, name="remove"),
]
