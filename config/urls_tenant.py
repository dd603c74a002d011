"""URLs of tenant hosts. `/admin/` deliberately does not exist here."""

from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from branding.views import assets as brand_assets
from branding.views import studio as brand_studio
from chat import views as chat_views
from tenants import welcome as tenant_welcome

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("", include("chat.api.urls")),
    path("documents/", include("documents.api.urls")),
    path("brand/", include("branding.api.urls")),
    path("domains/", include("tenants.api.urls")),
    path("billing/", include("billing.api.urls")),
    path("analytics/", include("analytics.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", chat_views.home, name="home"),
    path("", include("accounts.urls")),
    # The new owner's sign-in handoff from the platform host's sign-up (tenants.signups).
    path("welcome/<str:token>/", tenant_welcome.welcome, name="welcome"),
    path("favicon.ico", brand_assets.favicon, name="favicon"),
    path("manifest.webmanifest", brand_assets.manifest, name="manifest"),
    re_path(
        r"^brand/assets/(?P<digest>[0-9a-f]{64})\.(?P<extension>[a-z]{2,4})$", brand_assets.asset, name="brand-asset"
    ),
    re_path(
        r"^brand/letter-icon/(?P<key>[0-9a-f]{16})/(?P<size>[0-9]{2,3})\.png$",
        brand_assets.letter_icon_png,
        name="brand-letter-icon",
    ),
    path("settings/brand/", brand_studio.studio, name="brand-studio"),
    path("settings/brand/preview/", brand_studio.make_preview, name="brand-preview"),
    path("settings/brand/preview/<str:token>/login/", brand_studio.preview_login, name="brand-preview-login"),
    path("settings/brand/preview/<str:token>/email/", brand_studio.preview_email, name="brand-preview-email"),
    path(
        "settings/brand/preview/<str:token>/chat/",
        brand_studio.preview_chat(chat_views.home),
        name="brand-preview-chat",
    ),
    path("documents/", include("documents.urls")),
    path("settings/domains/", include("tenants.domains.urls")),
    path("settings/billing/", include("billing.urls")),
    path("analytics/", include("analytics.urls")),
    path("api/", include((api_patterns, "api"))),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
