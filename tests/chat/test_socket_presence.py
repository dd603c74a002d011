"""Presence across all of a person's sockets, and typing indicators."""

from __future__ import annotations

from typing import Any

from tests.support.sockets import MakeMember, MakeRoom, open_socket
from tests.support.tenants import TenantInfo

NOTHING_IGNORED: frozenset[str] = frozenset()


def test_presence_is_online_while_any_socket_is_active_and_offline_when_all_closed(
    tenant_a: TenantInfo, make_member: MakeMember, run_async: Any
) -> None:
    # given: an observer, and bob about to open two sockets
    observer, bob = make_member(tenant_a), make_member(tenant_a)

    async def scenario() -> dict[str, Any]:
        o, _ = await open_socket(tenant_a, observer)

        async def bob_presence() -> list[str]:
            frames = await o.collect(1.0, ignore=NOTHING_IGNORED)
            return [f["status"] for f in frames if f["type"] == "presence" and f["user"] == bob.pk]

        seen: dict[str, Any] = {}
        first, snapshot = await open_socket(tenant_a, bob)
        seen["snapshot"] = snapshot
        seen["first opens"] = await bob_presence()
        second, _ = await open_socket(tenant_a, bob)
        seen["second opens"] = await bob_presence()
        await first.send({"type": "presence", "status": "idle"})
        seen["first idle"] = await bob_presence()
        await second.send({"type": "presence", "status": "idle"})
        seen["both idle"] = await bob_presence()
        await first.send({"type": "presence", "status": "active"})
        seen["first active"] = await bob_presence()
        await first.disconnect()
        seen["first closed"] = await bob_presence()
        await second.disconnect()
        seen["both closed"] = await bob_presence()
        await o.disconnect()
        return seen

    seen = run_async(scenario)

    assert seen["snapshot"]["type"] == "presence.snapshot"
    assert seen["snapshot"]["users"][str(bob.pk)] == "online"
    assert seen["snapshot"]["users"][str(observer.pk)] == "online"
    assert seen["first opens"] == ["online"]
    assert seen["second opens"] == []
    assert seen["first idle"] == []
    assert seen["both idle"] == ["idle"]
    assert seen["first active"] == ["online"]
    # the second socket is idle, so the person is idle until it closes too
    assert seen["first closed"] == ["idle"]
    assert seen["both closed"] == ["offline"]


def test_typing_reaches_the_room_and_repeats_are_throttled(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: alice and bob in a room, both subscribed
    alice, bob = make_member(tenant_a), make_member(tenant_a, name="Bob Typer")
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> list[dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        b, _ = await open_socket(tenant_a, bob)
        for s in (a, b):
            await s.subscribe(room.pk)
            await s.expect("subscribed")
        # when: bob types three times in a row
        for _ in range(3):
            await b.send({"type": "typing", "room": room.pk})
        frames = [await a.expect("typing")]
        frames += await a.collect(0.6)
        await a.disconnect()
        await b.disconnect()
        return frames

    frames = run_async(scenario)

    # then: alice hears it once
    assert frames == [{"type": "typing", "room": room.pk, "user": bob.pk, "name": "Bob Typer"}]
