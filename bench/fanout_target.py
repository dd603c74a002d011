"""The fan-out benchmark's tenant, users and tokens (Django, before and between measurements).

The tenant (`fanout`), its users and the room (the tenant's `general`) are created on the first
run and kept. Every socket authenticates with a bearer token of a tenant user, minted before each
measurement (access tokens live five minutes). The broadcasters are users of their own; the
other sockets take turns over the listener users, so that connecting thousands of sockets does
not turn into thousands of presence changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.lib.tenant import Target, bench_tenant, mint_access_tokens, room_target

DB_SUFFIX = "_bench_fanout"
SLUG = "fanout"
TENANT_ID_FLOOR = 970_000
# Tokens are minted here and checked by the server process: both sign with this key.
SECRET_KEY = "bench-fanout-not-secret-but-long-enough-for-hmac-sha256"


@dataclass(frozen=True)
class Tokens:
    broadcasters: list[str]
    listeners: list[str]

    def for_socket(self, index: int, broadcasters: int) -> str:
        """The token of socket `index`: the first `broadcasters` sockets are the broadcasters."""
        if index < broadcasters:
            return self.broadcasters[index % len(self.broadcasters)]
        return self.listeners[index % len(self.listeners)]


# The bare baseline server authenticates nobody.
NO_TOKENS = Tokens([""], [""])


def ensure_target(broadcasters: int, listeners: int) -> Target:
    """The tenant, its broadcaster and listener users, all members of its `general` room."""
    client = bench_tenant(SLUG, name="Fan-out", owner_email=f"owner@{SLUG}.bench.test", id_floor=TENANT_ID_FLOOR)
    return room_target(client, SLUG, [("b", broadcasters), ("l", listeners)])


def mint(broadcasters: int, listeners: int) -> Tokens:
    """Fresh access tokens for every user of the benchmark."""
    broadcaster_tokens, listener_tokens = mint_access_tokens(SLUG, [("b", broadcasters), ("l", listeners)])
    return Tokens(broadcasters=broadcaster_tokens, listeners=listener_tokens)
