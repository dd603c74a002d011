"""Document pages on tenant hosts: the list with its upload form, and the viewer."""

from django.urls import URLPattern, path

from documents import views

app_name = "documents"
urlpatterns: list[URLPattern] = [
    path("", views.document_list_page, name="list"),
    path("<int:pk>/", views.viewer, name="viewer"),
]
