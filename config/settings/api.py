"""The REST API: DRF, its JWTs and the OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

from config.settings.env import env

# ------------------------------------------------------------------------------
# REST API
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TenantJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    # JSON whatever the Accept header: a browser asking for HTML still gets the error shape
    # of CONTRACT.md (the interactive docs are at /api/docs/).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "config.api.throttles.TenantRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="600/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chat platform API",
    "DESCRIPTION": "The tenant API: rooms, messages, documents and search. "
    "Every request is scoped to the tenant of its Host.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and docs describe the API to anyone; every endpoint still checks access.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Several objects have a `status`; each set of choices gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "DomainStatusEnum": "tenants.models.CustomDomain.Status",
        "DocumentStatusEnum": ["pending", "processing", "ready", "failed"],
        # Billing's `interval` is month or year; the dashboard's is a period of its charts.
        "AnalyticsIntervalEnum": "analytics.ranges.INTERVALS",
    },
}
