"""The environment every settings module reads, and the few values several of them derive from."""

from __future__ import annotations

from pathlib import Path

import environ

from config import services

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# The platform's own host; the domains' CNAME target and the sender address default to names under it.
PLATFORM_DOMAIN: str = env("PLATFORM_DOMAIN", default="localhost")
# The embedded PostgreSQL and Redis (config.services) and local media live under it.
DATA_DIR = Path(env("DATA_DIR", default=str(BASE_DIR / ".data")))
# Cache, throttles, channel layer, Celery broker and the Stripe stand-in all default to it.
REDIS_URL: str = env("REDIS_URL", default=services.embedded_redis_url(DATA_DIR))
