"""URLs of tenant hosts. `/admin/` deliberately does not exist here."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from branding import views as branding_views
from chat import views as chat_views

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("", include("chat.api.urls")),
    path("documents/", include("documents.api.urls")),
    path("domains/", include("tenants.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", chat_views.home, name="home"),
    path("", include("accounts.urls")),
    path("branding/logo/", branding_views.logo, name="brand-logo"),
    path("documents/", include("documents.urls")),
    path("settings/domains/", include("tenants.domains.urls")),
    path("api/", include((api_patterns, "api"))),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
