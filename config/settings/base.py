"""Settings shared by every environment. Every value comes from the environment; the larger
sections live in modules of their own, star-imported where they stand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django_stubs_ext
from celery.schedules import crontab

from config import services
from config.settings.env import BASE_DIR, DATA_DIR, PLATFORM_DOMAIN, REDIS_URL, env

# Lets admin, forms and generic views be subscripted in type hints at run time.
django_stubs_ext.monkeypatch()

# ------------------------------------------------------------------------------
# General
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
# Tenants bring their own domains, so the Host is checked against `Domain` rows by
# TenantMainMiddleware (unknown host: 404) instead of a fixed list here.
ALLOWED_HOSTS = ["*"]
PLATFORM_NAME: str = env("PLATFORM_NAME", default="Parley")
# Self-serve sign-ups that one address may make per hour.
SIGNUP_LIMIT_PER_HOUR: int = env.int("SIGNUP_LIMIT_PER_HOUR", default=10)
# Scheme and port used to build absolute URLs to tenant hosts (never from the request's Host).
SITE_SCHEME: str = env("SITE_SCHEME", default="https")
SITE_PORT: int | None = env.int("SITE_PORT", default=None)
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------
# Databases
# ------------------------------------------------------------------------------
# Without DATABASE_URL the embedded PostgreSQL under DATA_DIR is used (config.services).
DATABASES = {"default": env.db_url_config(env("DATABASE_URL", default=services.embedded_database_url(DATA_DIR)))}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A pool of connections per process (psycopg_pool), off unless DB_POOL_MAX_SIZE is set. Under
# ASGI every HTTP request runs its synchronous part in a thread of its own, so persistent
# connections (CONN_MAX_AGE) are one per thread: a burst of requests through Django can take a
# process up to PostgreSQL's limit (bench/billing.py saw 96). The pool caps that, but it hands
# the WebSocket consumers' one database thread a connection per call, which cost the fan-out a
# fifth of its deliveries per CPU-second (bench/ws_fanout.py). Stripe's webhooks and the TLS ask,
# the bursty paths, are answered before Django on connections of their own (config.asyncdb).
DB_POOL_MAX_SIZE: int = env.int("DB_POOL_MAX_SIZE", default=0)
if DB_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

# ------------------------------------------------------------------------------
# Tenants
# ------------------------------------------------------------------------------
TENANT_MODEL = "tenants.Client"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New tenants are provisioned by cloning this migrated schema (see tenants.provisioning):
# running every migration per tenant costs over a minute with dj-stripe installed.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# `SET search_path` once after each schema switch, not before every query: the switch, a
# rollback and a closed connection make the next cursor set it again (django-tenants tracks
# them). Every query of a message's send paid a second round trip before (bench/billing.py).
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"

# Custom domains and TLS (tenants.domains)
from config.settings.domains import *  # noqa: E402, F403

# ------------------------------------------------------------------------------
# Apps: SHARED_APPS in the public schema, TENANT_APPS in every tenant's
# ------------------------------------------------------------------------------
SHARED_APPS = [
    "daphne",
    "django_tenants",
    "tenants",
    "billing",
    "analytics.platform",
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "channels",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "storages",
    "anymail",
    "billing.stripe_raw.StripeRawDataConfig",  # dj-stripe, grouped in the admin
    "branding",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "accounts",
    "branding",
    "chat",
    "documents",
    "analytics",
    # Refresh-token blacklist, per tenant: a token's row lives beside its user.
    "rest_framework_simplejwt.token_blacklist",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

# Authentication
from config.settings.accounts import *  # noqa: E402, F403

# ------------------------------------------------------------------------------
# Middleware, templates, static files
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    # Answers /healthz before the tenant is resolved, so it works on every host.
    "config.health.HealthCheckMiddleware",
    # Caddy's on-demand TLS asks here whether a host may get a certificate: answered from the
    # Domain index before any tenant lookup, on the platform host only, over the plain HTTP the
    # front end speaks to daphne (so before SECURE_SSL_REDIRECT).
    "tenants.tls.TlsAskMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are the same on every host: served before (and without) a tenant lookup.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-tenants' TenantMainMiddleware matching hosts exactly (no `www.` stripping).
    "tenants.middleware.TenantHostMiddleware",
    # Every host but the tenant's primary one redirects there (pages only).
    "tenants.middleware.PrimaryHostRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.SuspendedTenantMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "branding.context_processors.brand",
                "billing.context_processors.billing",
            ],
        },
    }
]
STATIC_URL = env("STATIC_URL", default="/static/")
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Media on S3 when a bucket is configured, else on local disk under MEDIA_ROOT. Keys carry the
# tenant's prefix (tenants.storage); objects stay private and are served only through checked
# views, so no public or presigned URL is ever handed out.
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

# ------------------------------------------------------------------------------
# Security: cookies stay host-only so no two tenants ever share a session.
# ------------------------------------------------------------------------------
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# ------------------------------------------------------------------------------
# Redis: cache, throttles, channel layer, Celery broker
# ------------------------------------------------------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys carry the schema, so one tenant's cache entries never answer another's.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "TIMEOUT": 300,
    }
}

# Channel layer and chat sockets
from config.settings.realtime import *  # noqa: E402, F403

# Documents (uploads, text extraction) and brand images
from config.settings.uploads import *  # noqa: E402, F403

# ------------------------------------------------------------------------------
# Celery (tenant-aware: tenant-schemas-celery carries the schema in a header)
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = services.celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = services.celery_url(REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
# Without it Celery closes the database connection before and after every task, so each task
# (a document's pages come in tens of them) opened a new one; kept for up to 50 tasks instead.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=50)
# A task not acknowledged this long after delivery (its worker died) is delivered again. Longer
# than the longest task (a page task: DOCUMENTS_PAGES_PER_TASK pages of DOCUMENTS_PAGE_SECONDS),
# else a slow task would run twice at once; documents do not wait for it (resume_stalled).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "flush-expired-tokens": {"task": "accounts.flush_expired_tokens", "schedule": 24 * 60 * 60},
    # The e-mail of missed mentions and direct messages, per tenant (chat.digest).
    "chat-send-digests": {"task": "chat.send_all_digests", "schedule": 60},
    # Completes documents whose worker was killed mid-extraction.
    "resume-stalled-documents": {"task": "documents.resume_stalled", "schedule": 60},
    # Custom domains due for a check (pending with backoff, daily re-checks, failing ones).
    "check-due-domains": {"task": "tenants.check_due_domains", "schedule": 60},
    # Sign-ups whose e-mailed link expired a week ago unused, and their password hashes.
    "prune-pending-signups": {"task": "tenants.prune_pending_signups", "schedule": crontab(hour=4, minute=10)},
    # Stripe events stored whose task was lost (a web process killed between storing and sending).
    "billing-sweep-pending-events": {"task": "billing.sweep_pending_events", "schedule": 60},
    # Stripe events that failed (attempts left) or whose task was lost, applied again.
    "billing-retry-failed-events": {"task": "billing.retry_failed_events", "schedule": crontab(hour=3, minute=15)},
    # Complimentary plans past their end date go back to the default plan.
    "billing-end-expired-comps": {"task": "billing.end_expired_comps", "schedule": crontab(hour=3, minute=45)},
    # Seat counts pushed to subscriptions (each tenant at most once per BILLING_SEAT_SYNC_SECONDS).
    "billing-sync-seats": {"task": "billing.sync_seats", "schedule": 60},
    # Metered plans: the previous hour's messages reported to Stripe's meter.
    "billing-report-meters": {"task": "billing.report_meters", "schedule": crontab(minute=5)},
    # Analytics rollups of every tenant (analytics.fill); each run counts only whole periods.
    "analytics-fill": {"task": "analytics.fill_all", "schedule": crontab(minute="*/5")},
}

# Analytics: a period is counted this long after it ends, so rows written in its last moments
# are in; and a stat whose fill is this much older than it should be is reported stale.
ANALYTICS_FILL_LAG_SECONDS = env.int("ANALYTICS_FILL_LAG_SECONDS", default=120)
ANALYTICS_STALE_AFTER_SECONDS = env.int("ANALYTICS_STALE_AFTER_SECONDS", default=2 * 60 * 60)

# REST API
from config.settings.api import *  # noqa: E402, F403

# Stripe (dj-stripe) and billing
from config.settings.billing import *  # noqa: E402, F403

# ------------------------------------------------------------------------------
# E-mail
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"no-reply@{PLATFORM_DOMAIN}")
ANYMAIL: dict[str, str] = env.dict("ANYMAIL", default={})
# Account e-mails leave through a Celery task (after the commit) unless this is off.
EMAIL_ASYNC: bool = env.bool("EMAIL_ASYNC", default=True)
EMAIL_SUBJECT_PREFIX = ""

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
