"""Who is online, across all of a person's sockets and all processes, kept in Redis.

Each socket has an entry `status expires_at` in its person's hash, refreshed by its process every
third of the TTL, so a process that dies without a goodbye leaves nobody online for longer than
the TTL. A person is online if any socket is active, idle if all are idle, offline if none is
left. The status last announced per person sits in the tenant's hash; one Lua script updates an
entry, recomputes the status and compares it with the announced one atomically, so exactly one
caller (of any process) learns of each change and broadcasts `presence {user, status}` to
`t<client>.presence`. People whose entries may have expired are kept in a due-set that every
process sweeps, which is how a crashed process's people turn offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from redis import asyncio as aioredis

from chat import events
from config.loops import forget_on_running_loop, of_running_loop

logger = logging.getLogger(__name__)

ACTIVE = "active"
IDLE = "idle"
SOCKET_STATUSES = (ACTIVE, IDLE)
ONLINE = "online"
OFFLINE = "offline"

PREFIX = "chat:presence"
DUE_KEY = f"{PREFIX}:due"
SWEEP_BATCH = 200
# Connections of a process to Redis for presence, and how long a call waits for one: a
# reconnect storm asks for thousands at once (two calls per socket that opens).
POOL_SIZE = 32
# Presence updates sent in one pipeline at most.
PIPELINE_SIZE = 500
POOL_TIMEOUT_SECONDS = 30

# KEYS: person's hash, tenant's announced hash, due-set.
# ARGV: now (ms), due member, user id, op (set|del|check), socket id, socket status, expires (ms).
# Returns the person's new status when it differs from the announced one, else nil.
_UPDATE = """
local now = tonumber(ARGV[1])
local op = ARGV[4]
if op == 'set' then
  redis.call('HSET', KEYS[1], ARGV[5], ARGV[6] .. ' ' .. ARGV[7])
elseif op == 'del' then
  redis.call('HDEL', KEYS[1], ARGV[5])
end
local fields = redis.call('HGETALL', KEYS[1])
local status = 'offline'
local latest = 0
for i = 1, #fields, 2 do
  local st, exp = string.match(fields[i + 1], '^(%a+) (%d+)$')
  exp = tonumber(exp)
  if exp == nil or exp <= now then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    if exp > latest then latest = exp end
    if st == 'active' then
      status = 'online'
    elseif status == 'offline' then
      status = 'idle'
    end
  end
end
if latest > 0 then
  redis.call('PEXPIREAT', KEYS[1], latest)
  redis.call('ZADD', KEYS[3], latest, ARGV[2])
else
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[2])
end
local previous = redis.call('HGET', KEYS[2], ARGV[3]) or 'offline'
if previous == status then
  return false
end
if status == 'offline' then
  redis.call('HDEL', KEYS[2], ARGV[3])
else
  redis.call('HSET', KEYS[2], ARGV[3], status)
end
return status
"""


def _str(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def tenant_key(tenant_id: int) -> str:
    return f"{PREFIX}:t{tenant_id}"


def person_key(tenant_id: int, user_id: int) -> str:
    return f"{PREFIX}:t{tenant_id}:u{user_id}"


@dataclass
class LocalSocket:
    tenant_id: int
    user_id: int
    status: str


class Presence:
    """The presence entries of one event loop's sockets, and the loop that keeps them alive."""

    def __init__(self) -> None:
        pool = aioredis.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=POOL_SIZE, timeout=POOL_TIMEOUT_SECONDS
        )
        self.redis = aioredis.Redis(connection_pool=pool)
        self._update = self.redis.register_script(_UPDATE)
        self.ttl_ms = int(getattr(settings, "CHAT_PRESENCE_TTL_SECONDS", 60)) * 1000
        self.local: dict[str, LocalSocket] = {}
        self._keeper: asyncio.Task[None] | None = None
        # Updates waiting for the next pipeline, and the task sending them.
        self._queued: list[tuple[list[Any], list[Any], asyncio.Future[Any]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def _run(self, tenant_id: int, user_id: int, op: str, socket_id: str = "", status: str = "") -> str | None:
        now = int(time.time() * 1000)
        keys = [person_key(tenant_id, user_id), tenant_key(tenant_id), DUE_KEY]
        args = [now, f"{tenant_id}:{user_id}", user_id, op, socket_id, status, now + self.ttl_ms]
        result = await self._call(keys, args)
        if result is None:
            return None
        changed = _str(result)
        await announce(tenant_id, user_id, changed)
        return changed

    async def _call(self, keys: list[Any], args: list[Any]) -> Any:
        """The update script's answer. The updates asked for while a pipeline is out go together
        in the next one: a reconnect storm's sockets, and the keeper's refresh of every socket,
        paid a round trip and redis-py's command overhead each (docs/benchmarks.md, the handshake
        rate). The script runs once per update either way, in the order asked."""
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        answer.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._queued.append((keys, args, answer))
        if self._sender is None:
            self._sender = asyncio.create_task(self._send_queued())
        return await asyncio.shield(answer)

    async def _send_queued(self) -> None:
        try:
            while self._queued:
                batch, self._queued = self._queued[:PIPELINE_SIZE], self._queued[PIPELINE_SIZE:]
                try:
                    async with self.redis.pipeline(transaction=False) as pipe:
                        for keys, args, _ in batch:
                            await self._update(keys=keys, args=args, client=pipe)
                        results = await pipe.execute(raise_on_error=False)
                except Exception as exc:
                    results = [exc] * len(batch)
                except BaseException:
                    for _, _, answer in batch:
                        answer.cancel()
                    raise
                for (_, _, answer), result in zip(batch, results, strict=True):
                    if answer.done():
                        continue
                    if isinstance(result, Exception):
                        answer.set_exception(result)
                    else:
                        answer.set_result(result)
        finally:
            self._sender = None
            for _, _, answer in self._queued:
                answer.cancel()
            self._queued.clear()

    async def set(self, tenant_id: int, user_id: int, socket_id: str, status: str) -> str | None:
        """Record a socket's status; returns (and has announced) the person's new status if it
        changed."""
        self.local[socket_id] = LocalSocket(tenant_id, user_id, status)
        self._start()
        return await self._run(tenant_id, user_id, "set", socket_id, status)

    async def remove(self, tenant_id: int, user_id: int, socket_id: str) -> str | None:
        self.local.pop(socket_id, None)
        return await self._run(tenant_id, user_id, "del", socket_id)

    async def snapshot(self, tenant_id: int) -> dict[str, str]:
        """Everyone of the tenant who is not offline, as last announced."""
        raw = await self.redis.hgetall(tenant_key(tenant_id))
        return {_str(k): _str(v) for k, v in raw.items()}

    async def keep_alive(self) -> None:
        """Refresh this loop's entries, then sweep people whose entries all may have expired."""
        # Together, so they share pipelines (`_call`).
        await asyncio.gather(*(self._refresh(socket_id, entry) for socket_id, entry in list(self.local.items())))
        now = int(time.time() * 1000)
        due = await self.redis.zrangebyscore(DUE_KEY, "-inf", now, start=0, num=SWEEP_BATCH)
        for member in due:
            tenant_id, _, user_id = _str(member).partition(":")
            await self._run(int(tenant_id), int(user_id), "check")

    async def _refresh(self, socket_id: str, entry: LocalSocket) -> None:
        # Checked as the update is queued: a socket removed before cannot come back.
        if self.local.get(socket_id) is entry:
            await self._run(entry.tenant_id, entry.user_id, "set", socket_id, entry.status)

    def _start(self) -> None:
        if self._keeper is None:
            self._keeper = asyncio.create_task(self._keep_loop(), name="chat-presence-keeper")

    async def _keep_loop(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                await self.keep_alive()
            except Exception:
                logger.warning("presence: refresh failed; next round retries", exc_info=True)

    async def close(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
            self._keeper = None
        await self.redis.aclose(close_connection_pool=True)


async def announce(tenant_id: int, user_id: int, status: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    group = events.presence_group(tenant_id)
    message: dict[str, Any] = {
        **events.fanout_message({"type": "presence", "user": user_id, "status": status}),
        "group": group,
    }
    try:
        await layer.group_send(group, message)
    except Exception:
        logger.warning("presence: could not announce %s for %s", status, user_id, exc_info=True)


def get_presence() -> Presence:
    """The running loop's tracker."""
    return of_running_loop(Presence, Presence)


async def stop_presence() -> None:
    presence = forget_on_running_loop(Presence)
    if isinstance(presence, Presence):
        await presence.close()
