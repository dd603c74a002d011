"""Document endpoints under /api/documents/ (tenant hosts)."""

from django.urls import path

from documents.api import views

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="document-list"),
    path("<int:pk>/", views.DocumentView.as_view(), name="document"),
    path("<int:pk>/text/", views.DocumentTextView.as_view(), name="document-text"),
    # `number` is taken as any text so that "abc" answers 400 in words, not the router's bare 404.
    path("<int:pk>/pages/<str:number>/", views.DocumentPageView.as_view(), name="document-page"),
    path("<int:pk>/download/", views.DocumentDownloadView.as_view(), name="document-download"),
]
