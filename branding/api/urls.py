"""Brand endpoints under /api/brand/ (tenant hosts)."""

from django.urls import path

from branding.api import views

urlpatterns = [
    path("", views.BrandView.as_view(), name="brand"),
    path("draft/", views.DraftView.as_view(), name="brand-draft"),
    path("draft/assets/", views.DraftImageView.as_view(), name="brand-draft-assets"),
    path("publish/", views.PublishView.as_view(), name="brand-publish"),
    path("versions/", views.VersionsView.as_view(), name="brand-versions"),
    path("versions/<int:number>/restore/", views.RestoreView.as_view(), name="brand-restore"),
    path("contrast/", views.ContrastView.as_view(), name="brand-contrast"),
]
