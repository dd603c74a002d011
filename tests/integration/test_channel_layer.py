"""The channel layer carries messages through Redis between processes' consumers."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def test_group_message_reaches_a_member_through_redis() -> None:
    layer = get_channel_layer()
    assert layer is not None and type(layer).__module__.startswith("channels_redis")

    async def roundtrip() -> dict[str, object]:
        channel = await layer.new_channel()
        await layer.group_add("t0.room.test", channel)
        try:
            await layer.group_send("t0.room.test", {"type": "chat.message", "body": "hello"})
            return await layer.receive(channel)
        finally:
            await layer.group_discard("t0.room.test", channel)

    assert async_to_sync(roundtrip)() == {"type": "chat.message", "body": "hello"}
