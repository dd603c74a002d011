"""Settings shared by every environment. Every value comes from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab

from config import services

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Lets admin, forms and generic views be subscripted in type hints at run time.
django_stubs_ext.monkeypatch()

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# ------------------------------------------------------------------------------
# General
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
# Tenants bring their own domains, so the Host is checked against `Domain` rows by
# TenantMainMiddleware (unknown host: 404) instead of a fixed list here.
ALLOWED_HOSTS = ["*"]
PLATFORM_DOMAIN: str = env("PLATFORM_DOMAIN", default="localhost")
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
DATA_DIR = Path(env("DATA_DIR", default=str(BASE_DIR / ".data")))
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

# ------------------------------------------------------------------------------
# Custom domains and TLS (tenants.domains)
# ------------------------------------------------------------------------------
# What tenants point their domains at: a CNAME to this host for a subdomain (chat.acme.com),
# A/AAAA records to these addresses for an apex (acme.com; refused while none are set).
DOMAINS_CNAME_TARGET: str = env("DOMAINS_CNAME_TARGET", default=f"customers.{PLATFORM_DOMAIN}").lower().rstrip(".")
DOMAINS_A_RECORDS: list[str] = env.list("DOMAINS_A_RECORDS", default=[])
DOMAINS_AAAA_RECORDS: list[str] = env.list("DOMAINS_AAAA_RECORDS", default=[])
# The TXT record proving ownership lives at <label>.<domain> and holds the claim's token.
DOMAINS_CHALLENGE_LABEL: str = env("DOMAINS_CHALLENGE_LABEL", default="_parley-challenge")
# Resolvers asked during verification, `host` or `host:port` ([v6]:port); empty: the system's.
DOMAINS_DNS_NAMESERVERS: list[str] = env.list("DOMAINS_DNS_NAMESERVERS", default=[])
# Seconds one DNS query may take; a timeout is a temporary failure, retried later.
DOMAINS_DNS_TIMEOUT: float = env.float("DOMAINS_DNS_TIMEOUT", default=5.0)
# CAs the TLS front end obtains certificates from: a CAA record allowing none of them blocks.
DOMAINS_CAA_ISSUERS: list[str] = [name.lower() for name in env.list("DOMAINS_CAA_ISSUERS", default=["letsencrypt.org"])]
# Live (not removed) domains per tenant; billing will take it from the plan (tenants.domains.limits).
DOMAINS_MAX_PER_TENANT: int = env.int("DOMAINS_MAX_PER_TENANT", default=20)
# A pending domain is checked with backoff for this long after it was added, then fails.
DOMAINS_VERIFY_HOURS: int = env.int("DOMAINS_VERIFY_HOURS", default=72)
# Verified domains are checked again this often.
DOMAINS_RECHECK_HOURS: int = env.int("DOMAINS_RECHECK_HOURS", default=24)
# A verified domain whose DNS stopped pointing here keeps routing this long before it is dropped.
DOMAINS_GRACE_HOURS: int = env.int("DOMAINS_GRACE_HOURS", default=72)
# "Check now" per domain: at most this many DNS checks a minute.
DOMAINS_CHECKS_PER_MINUTE: int = env.int("DOMAINS_CHECKS_PER_MINUTE", default=6)

SHARED_APPS = [
    "daphne",
    "django_tenants",
    "tenants",
    "billing",
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

# ------------------------------------------------------------------------------
# Authentication
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
# Reset links: valid this long, once (the token covers the password hash and auth epoch).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
INVITATION_TTL_DAYS: int = env.int("INVITATION_TTL_DAYS", default=7)
# Reset and sign-up e-mails one address may be sent per hour (stops mail bombing).
ACCOUNT_EMAILS_PER_HOUR: int = env.int("ACCOUNT_EMAILS_PER_HOUR", default=5)
# Anonymous account forms (reset request, open sign-up) one client address may post per hour.
ACCOUNT_FORMS_PER_ADDRESS_PER_HOUR: int = env.int("ACCOUNT_FORMS_PER_ADDRESS_PER_HOUR", default=20)
# Change-password attempts per person per hour: the current password is asked for so a borrowed
# session cannot take the account over, and this keeps it from being guessed there.
PASSWORD_CHANGES_PER_HOUR: int = env.int("PASSWORD_CHANGES_PER_HOUR", default=20)
# Failed sign-ins, per tenant, counted per account and per client address: after *_SLOW_AFTER
# failures each further try must wait (doubling from 1 s), after *_LOCK_AFTER the key is locked
# for LOCK_MINUTES. Counters expire 2 x LOCK_MINUTES after the last failure; success clears the
# account's. An address (an office behind one NAT) gets more room than one account.
LOGIN_SLOW_AFTER: int = env.int("LOGIN_SLOW_AFTER", default=3)
LOGIN_LOCK_AFTER: int = env.int("LOGIN_LOCK_AFTER", default=10)
LOGIN_ADDRESS_SLOW_AFTER: int = env.int("LOGIN_ADDRESS_SLOW_AFTER", default=20)
LOGIN_ADDRESS_LOCK_AFTER: int = env.int("LOGIN_ADDRESS_LOCK_AFTER", default=100)
LOGIN_LOCK_MINUTES: int = env.int("LOGIN_LOCK_MINUTES", default=15)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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
REDIS_URL: str = env("REDIS_URL", default=services.embedded_redis_url(DATA_DIR))
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

# ------------------------------------------------------------------------------
# Channel layer and chat sockets
# ------------------------------------------------------------------------------
# `core` (lists in Redis, per-channel capacity) or `pubsub` (Redis PUBLISH/SUBSCRIBE). Each
# process holds one channel for all its sockets (chat.realtime.hub), so the pool and capacity below are
# per process, not per socket. PubSub by the numbers of bench/ws_fanout.py (docs/benchmarks.md):
# it held 4,000 clients in one room against the core layer's 3,600.
CHANNEL_LAYER: str = env("CHANNEL_LAYER", default="pubsub")
# redis-py's asyncio pool would stop at 100 connections and raise MaxConnectionsError.
CHANNEL_LAYER_POOL_SIZE: int = env.int("CHANNEL_LAYER_POOL_SIZE", default=512)
# The core layer blocks in BZPOPMIN for 5 s; redis-py 8's default socket timeout is also 5 s,
# which turned idle receives into TimeoutErrors.
_channel_host = {"address": REDIS_URL, "max_connections": CHANNEL_LAYER_POOL_SIZE, "socket_timeout": 30}
if CHANNEL_LAYER == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [_channel_host]},
        }
    }
elif CHANNEL_LAYER == "core":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [_channel_host],
                # Every event of every room a process serves waits in its one hub channel.
                "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=10_000),
                "expiry": 60,
                # The hub re-adds its groups every CHAT_GROUP_REFRESH_SECONDS, well within this;
                # a process that died stops receiving (and costing) its groups' events soon after.
                "group_expiry": 300,
            },
        }
    }
else:
    raise environ.ImproperlyConfigured("CHANNEL_LAYER is `core` or `pubsub`.")
# How often a process re-adds its groups (survives group expiry and a restarted Redis).
CHAT_GROUP_REFRESH_SECONDS: float = env.float("CHAT_GROUP_REFRESH_SECONDS", default=60.0)
# message.send per socket: a token bucket of BURST frames refilled at RATE per second.
CHAT_SEND_RATE: float = env.float("CHAT_SEND_RATE", default=5.0)
CHAT_SEND_BURST: int = env.int("CHAT_SEND_BURST", default=20)
# Threads (each with its own database connection) that run the sockets' database work in a web
# process (tenants.db.on_database_thread). One thread made every frame of every socket wait for the
# one before it: its commit's disk wait included, so sends and handshakes queued behind each
# other. 1 is Channels' one shared thread.
SOCKET_DATABASE_THREADS: int = env.int("SOCKET_DATABASE_THREADS", default=4)
# Under daphne, fan-out frames are built once per event and written straight to each socket
# (chat.realtime.wsdirect); off: every delivery goes through daphne and autobahn.
CHAT_DIRECT_WRITES: bool = env.bool("CHAT_DIRECT_WRITES", default=True)
# Presence entries of a socket live this long unless refreshed (a third of it, by its process).
CHAT_PRESENCE_TTL_SECONDS: int = env.int("CHAT_PRESENCE_TTL_SECONDS", default=60)

# ------------------------------------------------------------------------------
# Documents: uploads and text extraction
# ------------------------------------------------------------------------------
# Larger uploads get 413 (a plan may lower it later).
DOCUMENTS_MAX_UPLOAD_BYTES: int = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
# Office files are zip archives: more than this once unpacked, or packed tighter than the
# ratio, is refused as a zip bomb.
DOCUMENTS_MAX_UNPACKED_BYTES: int = env.int("DOCUMENTS_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
DOCUMENTS_MAX_PACKING_RATIO: int = env.int("DOCUMENTS_MAX_PACKING_RATIO", default=100)
# Uploads per person.
DOCUMENTS_UPLOAD_RATE: str = env("DOCUMENTS_UPLOAD_RATE", default="30/minute")
# A PDF with more pages fails with `too_many_pages`.
DOCUMENTS_MAX_PAGES: int = env.int("DOCUMENTS_MAX_PAGES", default=2000)
# One page may take this long to read; the whole document this long per page in all.
DOCUMENTS_PAGE_SECONDS: float = env.float("DOCUMENTS_PAGE_SECONDS", default=30.0)
# The address space an extracting worker process may use (a decompression bomb gets MemoryError).
DOCUMENTS_WORKER_MEMORY_BYTES: int = env.int("DOCUMENTS_WORKER_MEMORY_BYTES", default=2 * 1024 * 1024 * 1024)
# Pages per extraction task after the first (page 1 goes alone, so it is searchable at once).
DOCUMENTS_PAGES_PER_TASK: int = env.int("DOCUMENTS_PAGES_PER_TASK", default=8)
# Unfinished documents that have not moved for this long are resumed (a killed worker).
DOCUMENTS_STALL_SECONDS: int = env.int("DOCUMENTS_STALL_SECONDS", default=120)
# A document whose extraction was started this many times without finishing fails.
DOCUMENTS_MAX_ATTEMPTS: int = env.int("DOCUMENTS_MAX_ATTEMPTS", default=4)

# ------------------------------------------------------------------------------
# Brand studio
# ------------------------------------------------------------------------------
# The largest brand image accepted (each kind has its own, lower limit in branding.images).
BRAND_IMAGE_MAX_BYTES: int = env.int("BRAND_IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
# Brand image uploads per person.
BRAND_IMAGE_UPLOAD_RATE: str = env("BRAND_IMAGE_UPLOAD_RATE", default="60/hour")

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
    # Completes documents whose worker was killed mid-extraction.
    "resume-stalled-documents": {"task": "documents.resume_stalled", "schedule": 60},
    # Custom domains due for a check (pending with backoff, daily re-checks, failing ones).
    "check-due-domains": {"task": "tenants.check_due_domains", "schedule": 60},
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
}

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
    },
}

# ------------------------------------------------------------------------------
# Stripe (dj-stripe): a tenant (Client) is the paying customer.
# ------------------------------------------------------------------------------
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
STRIPE_TEST_SECRET_KEY = env("STRIPE_TEST_SECRET_KEY", default="")
STRIPE_LIVE_SECRET_KEY = env("STRIPE_LIVE_SECRET_KEY", default="")
DJSTRIPE_WEBHOOK_SECRET = env("DJSTRIPE_WEBHOOK_SECRET", default="")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_SUBSCRIBER_MODEL = "tenants.Client"
# Pinned: every call and the webhook endpoint use this version, so payloads keep their shape
# (from this version on, a subscription's period lives on its items).
STRIPE_API_VERSION = env("STRIPE_API_VERSION", default="2026-05-27.dahlia")
# Without a secret key Stripe is never reached: stripe-python's HTTP client is replaced by the
# product's own stand-in (billing.fake_stripe), and pages say they are in test mode.
BILLING_TEST_MODE: bool = env.bool("BILLING_TEST_MODE", default=not (STRIPE_TEST_SECRET_KEY or STRIPE_LIVE_SECRET_KEY))
# Plans' limits are enforced (off only to measure their cost, bench/billing.py).
BILLING_ENFORCE_LIMITS: bool = env.bool("BILLING_ENFORCE_LIMITS", default=True)
# Each workspace's API requests per minute are limited by its plan (config.api.throttles).
BILLING_API_THROTTLE: bool = env.bool("BILLING_API_THROTTLE", default=True)
# A past-due workspace stays writable this long after its first failed payment.
BILLING_GRACE_DAYS: int = env.int("BILLING_GRACE_DAYS", default=7)
# Seat changes reach the subscription's quantity at most this often (billing.seats).
BILLING_SEAT_SYNC_SECONDS: int = env.int("BILLING_SEAT_SYNC_SECONDS", default=300)
# How Stripe charges a seat change mid-period: `create_prorations`, `always_invoice` or `none`.
BILLING_PRORATION_BEHAVIOR: str = env("BILLING_PRORATION_BEHAVIOR", default="create_prorations")
# Failed webhook events are processed again nightly, at most this many times in all.
BILLING_EVENT_MAX_ATTEMPTS: int = env.int("BILLING_EVENT_MAX_ATTEMPTS", default=8)
# Where /pricing/ sends people who ask about the Enterprise plan ("Talk to us").
BILLING_SALES_EMAIL: str = env("BILLING_SALES_EMAIL", default="sales@example.com")
# The stand-in takes any key, but dj-stripe links its rows to the account of a key shaped like
# Stripe's, so test mode gets one that can never reach Stripe (the transport is replaced).
if BILLING_TEST_MODE:
    STRIPE_LIVE_MODE = False
    STRIPE_TEST_SECRET_KEY = STRIPE_TEST_SECRET_KEY or "sk_test_" + "0" * 24 + "standin"
# Where the stand-in keeps its objects (Redis keys start with "fakestripe:").
BILLING_FAKE_STRIPE_REDIS_URL: str = env("BILLING_FAKE_STRIPE_REDIS_URL", default=REDIS_URL)

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
