"""The analytics benchmark's requests: the dashboard API of the big tenant (against its figures
counted from the raw tables, in the same run) and the staff overview of every tenant, on the
product as deployed (the Procfile's `web` line, production settings, a fresh process).

One keep-alive connection, one request at a time; each request timed from the first byte sent
to the last byte of the answer. The cases are interleaved (round-robin) so that all see the same
load. The server is pinned to CPU 0 and this process to CPU 1 (bench/lib/processes.py).
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.analytics_raw import days_asked, raw_case
from bench.analytics_report import summary
from bench.lib.processes import GENERATOR_CPU, pin, pin_server
from bench.lib.report import RESULTS_DIR
from bench.lib.webserver import LOOPBACK_HTTP, ROOT, WebServer, production_env

SECRET_KEY = "bench-analytics-not-secret-but-long-enough-for-production-settings"
STAFF_EMAIL = "staff@bench-analytics.bench.test"
RANGE_DAYS = 365
INTERVAL = "week"
# The contract's metrics (../CONTRACT.md, "Analytics").
METRICS = (
    "messages_sent",
    "active_users",
    "new_users",
    "active_rooms",
    "documents_uploaded",
    "pages_extracted",
    "storage_bytes",
    "first_response_seconds_median",
)
# What the overview shows: every metric, for the same range (the baseline counts them all).
OVERVIEW_METRICS = list(METRICS)
# One person asks thousands of times a minute here: the API's throttles (per person, and per
# workspace by its plan, 60 a minute on the free plan) would answer most of them 429.
UNLIMITED_API = {"API_THROTTLE_USER": "1000000/minute", "BILLING_API_THROTTLE": "false"}
FLOOR = "reference: GET /api/me/"
TOKEN_LIFETIME = 240  # seconds a minted access token is used (they live five minutes)
WARM_UP = 3
# A sortable column of the changelist: its name and its `o` index.
SORTABLE = re.compile(r'<th scope="col" class="[^"]*sortable[^"]*column-([\w]+)[^"]*">.*?href="\?o=([\d.-]+)"', re.S)


@dataclass
class Case:
    """One kind of request (or raw count), its samples in milliseconds and what came back."""

    name: str
    call: Callable[[], int]  # returns the HTTP status (200 for a raw count)
    # How many of the rounds this case runs in, spread evenly over them (None: every round).
    rounds: int | None = None
    # Run before each call, untimed (the cold cases forget the kept answers here).
    before: Callable[[], None] | None = None
    samples: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def run(self, *, timed: bool) -> None:
        if self.before is not None:
            self.before()
        started = time.perf_counter()
        status = self.call()
        if timed:
            self.samples.append((time.perf_counter() - started) * 1000)
            self.statuses[status] += 1

    def summary(self) -> dict[str, Any]:
        return {
            **summary(self.samples),
            "n": len(self.samples),
            "statuses": {str(k): v for k, v in self.statuses.items()},
        }


class Http:
    """A keep-alive HTTP/1.1 connection to the server, as the front end speaks to it (TLS ended
    there: `X-Forwarded-Proto: https`)."""

    def __init__(self, port: int, host: str) -> None:
        self.port = port
        self.host = host
        self.headers: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> tuple[int, bytes]:
        headers = {"Host": self.host, "X-Forwarded-Proto": "https", **self.headers}
        try:
            self.conn.request("GET", path, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # The server closed the connection (it may, between requests): a new one, once.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request("GET", path, headers=headers)
            response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


def measure(cases: list[Case], samples: int) -> dict[str, dict[str, Any]]:
    """`samples` rounds, each case once a round (or in `case.rounds` of them, evenly spread),
    after a warm-up (one call for a case that runs in few rounds)."""
    for case in cases:
        for _ in range(WARM_UP if case.rounds is None else 1):
            case.run(timed=False)
    for n in range(samples):
        for case in cases:
            wanted = samples if case.rounds is None else min(case.rounds, samples)
            if (n + 1) * wanted // samples != n * wanted // samples:
                case.run(timed=True)
    return {case.name: case.summary() for case in cases}


# ----------------------------------------------------------------------------------------------
# The dashboard API
# ----------------------------------------------------------------------------------------------
def api_present() -> bool:
    return (ROOT / "analytics" / "api" / "urls.py").exists()


class OwnerApi:
    """The API as the tenant's owner calls it, with an access token minted here (signed with the
    server's secret) and minted again before it expires."""

    def __init__(self, port: int, big: Any) -> None:
        self.http = Http(port, big.host)
        self.big = big
        self.minted = 0.0

    def get(self, path: str) -> int:
        if time.monotonic() - self.minted > TOKEN_LIFETIME:
            self.mint()
        status, _ = self.http.get(path)
        return status

    def mint(self) -> None:
        from accounts.tokens import mint_tokens
        from tenants.db import in_tenant

        with in_tenant(self.big.client):
            token = str(mint_tokens(self.big.owner, self.big.client).access_token)
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.minted = time.monotonic()


def forget_kept_answers(question: str) -> Callable[[], None]:
    """What deletes the server's kept answer (in Redis; its cache keys end in
    `analytics:<client>:<fill version>:<question>`) to `question` ("overview:", "series:<metric>:"),
    and no other, so the warm case of the same request still finds its own."""

    def forget() -> None:
        import redis
        from django.conf import settings

        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            keys = list(client.scan_iter(match=f"*:analytics:*:{question}*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    return forget


def api_paths() -> dict[str, str]:
    query = f"range={RANGE_DAYS}&interval={INTERVAL}"
    paths = {"overview": f"/api/analytics/overview/?{query}"}
    for metric in METRICS:
        paths[f"series {metric}"] = f"/api/analytics/series/?metric={metric}&{query}"
    return paths


def dashboard_cases(port: int, big: Any, raw_samples: int) -> tuple[list[Case], dict[str, str]]:
    """Each API request and, next to it, its baseline: the same figures from the raw tables
    (`raw_samples` times: a year of raw rows takes seconds a count)."""
    from django.db import connection

    api = OwnerApi(port, big)
    days = days_asked(big.client, RANGE_DAYS)
    connection.set_tenant(big.client)  # type: ignore[attr-defined]  # the raw counts run here
    cases, pairs = [], {}
    for name, path in api_paths().items():
        metrics = OVERVIEW_METRICS if name == "overview" else [name.removeprefix("series ")]
        count = raw_case(metrics, days)
        raw = f"raw {name}"
        cases.append(Case(name, lambda path=path: api.get(path)))  # type: ignore[misc]
        # The same request with the answers the server keeps (analytics.queries, until the next
        # fill) forgotten first: what the first request after each fill costs.
        question = "overview:" if name == "overview" else f"series:{name.removeprefix('series ')}:"
        cold = Case(f"{name} (cold)", lambda path=path: api.get(path), before=forget_kept_answers(question))  # type: ignore[misc]
        cases.append(cold)
        cases.append(Case(raw, lambda count=count: (count(), 200)[1], rounds=raw_samples))  # type: ignore[misc]
        pairs[name] = raw
        pairs[cold.name] = raw
    # For scale: the cheapest signed-in API request (the person, no analytics), what every
    # request above pays before it reads a rollup.
    cases.append(Case(FLOOR, lambda: api.get("/api/me/")))
    return cases, pairs


# ----------------------------------------------------------------------------------------------
# The staff overview
# ----------------------------------------------------------------------------------------------
def staff_session() -> tuple[str, str]:
    """A session of a platform staff account (created once), as signing in leaves it: the cookie's
    name and value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from tenants.db import in_public

    with in_public():
        user = User.objects.filter(email=STAFF_EMAIL).first()
        if user is None:
            user = User.objects.create_superuser(STAFF_EMAIL, None, name="Bench Staff")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return settings.SESSION_COOKIE_NAME, str(session.session_key)


def staff_cases(port: int) -> tuple[list[Case], list[str]]:
    """The changelist plain, and sorted (largest first) on each column about messages."""
    from django.conf import settings

    name, value = staff_session()
    client = Http(port, settings.PLATFORM_DOMAIN)
    client.headers["Cookie"] = f"{name}={value}"
    path = "/admin/tenants/client/"
    status, body = client.get(path)
    if status != 200:
        raise RuntimeError(f"the staff overview answered {status}; see the server's log")
    columns = dict(SORTABLE.findall(body.decode("utf-8", "replace")))
    sorted_on = {column: index for column, index in columns.items() if "message" in column}
    paths = {"changelist": path}
    for column, index in sorted_on.items():
        first = index.split(".")[0].lstrip("-")
        paths[f"sorted by {column}, largest first"] = f"{path}?o=-{first}"
    cases = [Case(label, lambda p=p: client.get(p)[0]) for label, p in paths.items()]  # type: ignore[misc]
    return cases, sorted(columns)


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
def tenants_shown() -> int:
    from django_tenants.utils import get_public_schema_name

    from tenants.db import in_public
    from tenants.models import Client

    with in_public():
        return Client.objects.exclude(schema_name=get_public_schema_name()).count()


def collect_static(env: dict[str, str]) -> None:
    """`collectstatic`, as a deployment's build step runs it: the production settings serve the
    admin's styles from whitenoise's manifest (git-ignored `staticfiles/`), and without one every
    admin page is a 500."""
    print("==> collectstatic (the deployment's build step) ...", flush=True)
    subprocess.run(  # a fixed command
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )


def measure_web(big: Any, samples: int, raw_samples: int) -> dict[str, Any]:
    """Start the server, measure the dashboard (when its API exists) and the staff overview."""
    env = production_env(SECRET_KEY, {**LOOPBACK_HTTP, **UNLIMITED_API})
    collect_static(env)
    pin(GENERATOR_CPU)  # the server takes CPU 0
    server = WebServer(RESULTS_DIR / "analytics-daphne.log", env, preexec_fn=pin_server)
    result: dict[str, Any] = {"samples": samples, "raw_samples": raw_samples}
    try:
        server.wait_ready()
        if api_present():
            cases, pairs = dashboard_cases(server.port, big, raw_samples)
            print(
                f"==> Dashboard API ({len(pairs)} requests x {samples}) and raw counts (x {raw_samples}),"
                " interleaved ...",
                flush=True,
            )
            rows = measure(cases, samples)
            result["dashboard"] = {
                "range_days": RANGE_DAYS,
                "interval": INTERVAL,
                "results": rows,
                "ratios": {name: rows[raw]["p95"] / rows[name]["p95"] for name, raw in pairs.items()},
            }
        else:
            print("    note: analytics/api/urls.py is missing: no dashboard API to measure", flush=True)
        cases, columns = staff_cases(server.port)
        print(f"==> Staff overview, {tenants_shown()} tenants, {len(cases)} cases x {samples} ...", flush=True)
        result["staff"] = {"tenants": tenants_shown(), "sortable_columns": columns, "results": measure(cases, samples)}
    finally:
        server.stop()
    return result
