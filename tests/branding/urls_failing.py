"""The tenant URLs plus one view that fails, to draw the 500 page as people would meet it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls_tenant import handler403, handler404, handler500
from config.urls_tenant import urlpatterns as tenant_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("failing/", failing_view), *tenant_urlpatterns]
