"""The channel layer and the chat sockets: fan-out, send limits, presence."""

from __future__ import annotations

import environ

from config.settings.env import REDIS_URL, env

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
# How long a thread may hold Python's GIL while others wait for it (CPython's default: 5 ms). A
# socket database thread whose query has answered waits that long for the event loop to let go,
# while it holds the room's row lock (docs/benchmarks.md, the send path), so the web process
# (config.asgi) sets it shorter.
WEB_SWITCH_INTERVAL_SECONDS: float = env.float("WEB_SWITCH_INTERVAL_SECONDS", default=0.0005)
