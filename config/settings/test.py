"""Tests: real PostgreSQL and Redis, fast password hashing, mail kept in Django's outbox."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret-but-long-enough-for-hmac-sha256")
os.environ.setdefault("SITE_SCHEME", "http")

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Django's outbox by default; the live-server tests run a server process that writes files.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=None)
# Sent in the request's process so tests read Django's outbox; one test drives the Celery path.
EMAIL_ASYNC = env.bool("EMAIL_ASYNC", default=False)
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
# Connections close after each request, so a schema can be cloned or the database dropped
# without waiting on idle sessions (a pool, when DB_POOL_MAX_SIZE sets one, keeps them open). A
# server a test runs as deployed keeps them (CONN_MAX_AGE set), as production does.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)  # noqa: F405
# A queue of their own, so a development worker on the same Redis never takes test tasks.
CELERY_TASK_DEFAULT_QUEUE = "tests"
# Cache keys of test runs are recognisable, so a run can clear its own and no one else's.
CACHES["default"]["KEY_PREFIX"] = "tests"  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "10000/minute", "user": "10000/minute"}  # noqa: F405
# The shared test tenants are on plans of 60 requests a minute; the throttle's own tests turn it on.
BILLING_API_THROTTLE = env.bool("BILLING_API_THROTTLE", default=False)
# Every test client comes from 127.0.0.1: lockout tests give their requests addresses of their own.
LOGIN_ADDRESS_SLOW_AFTER = 1000
LOGIN_ADDRESS_LOCK_AFTER = 2000
# The TLS front-end tests run daphne behind Caddy (config/Caddyfile) as production does: HTTPS
# known from X-Forwarded-Proto, cookies sent over HTTPS only.
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
