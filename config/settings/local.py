"""Development: `make run`. Debug on, e-mail to the console, plain HTTP on port 8000."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-secret-but-long-enough-for-hmac")
os.environ.setdefault("SITE_SCHEME", "http")
os.environ.setdefault("SITE_PORT", os.environ.get("PORT", "8000"))

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
