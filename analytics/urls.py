"""`/analytics/` (tenant hosts, owners and admins): the page and its CSV export."""

from django.urls import path

from analytics import export, views

urlpatterns = [
    path("", views.dashboard, name="analytics"),
    path("export.csv", export.export_csv, name="analytics-export"),
]
