"""Document endpoints under /api/documents/ (tenant hosts)."""

from django.urls import path

from documents.api import views

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="document-list"),
    path("<int:pk>/", views.DocumentView.as_view(), name="document"),
    path("<int:pk>/text/", views.DocumentTextView.as_view(), name="document-text"),
    path("<int:pk>/download/", views.DocumentDownloadView.as_view(), name="document-download"),
]
