"""`/api/analytics/` (tenant hosts, owners and admins)."""

from django.urls import path

from analytics.api import views

urlpatterns = [
    path("series/", views.SeriesView.as_view(), name="analytics-series"),
    path("overview/", views.OverviewView.as_view(), name="analytics-overview"),
    path("top/", views.TopView.as_view(), name="analytics-top"),
]
