"""Each benchmark's own database on DATABASE_URL's server, and Django set up on it.

No benchmark touches the database named in DATABASE_URL: each works in `<that name><suffix>`,
created (and migrated) on its first run and kept between runs with what it filled.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

# Set by `make bench-quick`: every benchmark in one database, migrated once, instead of one each
# (migrating a new database takes minutes).
SHARED_SUFFIX_ENV = "BENCH_DATABASE_SUFFIX"


def bench_database_url(url: str, suffix: str) -> str:
    """DATABASE_URL with its database name (the last path segment) suffixed with `suffix`, or
    with $BENCH_DATABASE_SUFFIX when set."""
    suffix = os.environ.get(SHARED_SUFFIX_ENV) or suffix
    base, sep, query = url.partition("?")
    head, slash, name = base.rpartition("/")
    if not slash or not name:
        raise SystemExit(f"cannot find a database name in DATABASE_URL {url!r}")
    if name.endswith(suffix):
        return url
    return f"{head}/{name}{suffix}{sep}{query}"


def server_connection_kwargs(url: str) -> dict[str, Any]:
    """psycopg keyword arguments for the server's maintenance database `postgres`."""
    import environ

    config = environ.Env.db_url_config(url)
    kwargs: dict[str, Any] = {"dbname": "postgres", "autocommit": True}
    for key, option in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if config.get(key):
            kwargs[option] = config[key]
    kwargs.update(config.get("OPTIONS", {}))
    return kwargs


def prepare_database(url: str, *, fresh: bool) -> str:
    """Create (or with `fresh`, drop and recreate) the benchmark database; return its name."""
    import environ
    import psycopg
    from psycopg import sql

    name = str(environ.Env.db_url_config(url)["NAME"])
    with psycopg.connect(**server_connection_kwargs(url)) as conn:
        if fresh:
            print(f"Dropping database {name} (--fresh) ...", flush=True)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Creating database {name} ...", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def setup_django(url: str, env: dict[str, str] | None = None) -> None:
    """Django in this process on `url`, with `env` set first (the secret key that signs the tokens
    a server will check, a Celery queue, the settings module)."""
    os.environ.update(env or {})
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    # One line per provisioned tenant would drown the tables.
    logging.getLogger("tenants").setLevel(logging.WARNING)


def open_bench_database(
    suffix: str, make_target: str, *, fresh: bool = False, env: dict[str, str] | None = None, verbosity: int = 0
) -> str:
    """The benchmark's own database, created, Django set up on it and every schema migrated;
    returns its name. Exits when DATABASE_URL is not set (`make_target` runs the script with it)."""
    url = bench_database_url(source_database_url(make_target), suffix)
    database = prepare_database(url, fresh=fresh)
    setup_django(url, env)
    migrate(database, verbosity)
    return database


def source_database_url(make_target: str) -> str:
    """DATABASE_URL; exits when it is not set (`make_target` runs the script with it)."""
    source_url = os.environ.get("DATABASE_URL")
    if not source_url:
        print(f"DATABASE_URL is not set; run through `make {make_target}`.", file=sys.stderr)
        raise SystemExit(2)
    return source_url


def migrate(database: str, verbosity: int = 0) -> None:
    """`migrate_all`: the public schema, the template and every tenant (seconds when nothing is
    pending, minutes on a new database because of dj-stripe)."""
    from django.core.management import call_command

    print(f"==> Migrating {database} (public, template, tenants) ...", flush=True)
    started = time.perf_counter()
    call_command("migrate_all", verbosity=verbosity)
    print(f"    ({time.perf_counter() - started:.1f}s)", flush=True)
