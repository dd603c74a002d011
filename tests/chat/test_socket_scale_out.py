"""Two web processes that share only PostgreSQL and Redis deliver to each other's clients."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from django.conf import settings

from tests.chat.conftest import MakeMember, MakeRoom, Member
from tests.conftest import ROOT, TenantInfo, database_url_for_subprocess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("daphne did not listen within a minute")


@pytest.fixture
def servers(django_db_blocker: Any, tmp_path: Path) -> Iterator[list[tuple[int, subprocess.Popen[bytes]]]]:
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": settings.REDIS_URL,
        }
    ports = [free_port(), free_port()]
    processes = []
    for port in ports:
        log = (tmp_path / f"daphne-{port}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_for_port(port, process)
        yield list(zip(ports, processes, strict=True))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


async def connect(port: int, member: Member) -> Any:
    host = member.tenant.host
    # The tenant's host in the URL (and so in Host), the socket to 127.0.0.1.
    return await websockets.connect(
        f"ws://{host}:{port}/ws/chat/",
        additional_headers={"Authorization": f"Bearer {member.token}"},
        origin=f"http://{host}",  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
    )


async def next_of(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == kind:
            return frame


def test_messages_cross_between_two_processes(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, servers: list[tuple[int, Any]]
) -> None:
    # given: alice on one process, bob on another, both following a room
    two_servers = [port for port, _ in servers]
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        a = await connect(two_servers[0], alice)
        b = await connect(two_servers[1], bob)
        for ws in (a, b):
            await ws.send(json.dumps({"type": "subscribe", "room": room.pk}))
            await next_of(ws, "subscribed")
        # when: each writes
        await a.send(json.dumps({"type": "message.send", "room": room.pk, "body": "from one", "client_id": "p1"}))
        at_b = await next_of(b, "message.new")
        await b.send(json.dumps({"type": "message.send", "room": room.pk, "body": "from two", "client_id": "p2"}))
        at_a = await next_of(a, "message.new")
        while at_a["message"]["body"] == "from one":
            at_a = await next_of(a, "message.new")
        await a.close()
        await b.close()
        return at_b, at_a

    at_b, at_a = asyncio.run(scenario())

    # then: each reaches the other's process
    assert at_b["message"]["body"] == "from one"
    assert at_a["message"]["body"] == "from two"


def test_client_of_a_killed_process_resumes_elsewhere_missing_nothing(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, servers: list[tuple[int, Any]]
) -> None:
    # given: alice on process 1 and bob on process 2 in a conversation
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])
    (port_1, process_1), (port_2, _) = servers

    async def scenario() -> tuple[list[int], list[int]]:
        a = await connect(port_1, alice)
        b = await connect(port_2, bob)
        for ws in (a, b):
            await ws.send(json.dumps({"type": "subscribe", "room": room.pk}))
            await next_of(ws, "subscribed")
        seen_by_alice: list[int] = []
        for i in range(3):
            await b.send(json.dumps({"type": "message.send", "room": room.pk, "body": f"b{i}", "client_id": f"b{i}"}))
            seen_by_alice.append((await next_of(a, "message.new"))["message"]["id"])
            await next_of(b, "message.new")
        # when: alice's process dies mid-conversation while bob keeps writing
        process_1.kill()
        process_1.wait(timeout=10)
        sent_meanwhile = []
        for i in range(3, 6):
            await b.send(json.dumps({"type": "message.send", "room": room.pk, "body": f"b{i}", "client_id": f"b{i}"}))
            sent_meanwhile.append((await next_of(b, "message.new"))["message"]["id"])
        # and her client reconnects to the surviving process from its last id
        a = await connect(port_2, alice)
        await a.send(json.dumps({"type": "subscribe", "room": room.pk, "after": seen_by_alice[-1]}))
        replayed = []
        while True:
            frame: dict[str, Any] = json.loads(await asyncio.wait_for(a.recv(), 10))
            if frame["type"] == "subscribed":
                break
            if frame["type"] == "message.new":
                replayed.append(frame["message"]["id"])
        await a.close()
        await b.close()
        return seen_by_alice + replayed, sent_meanwhile

    received, sent_meanwhile = asyncio.run(scenario())

    # then: every committed message reached her exactly once, in order
    assert len(received) == 6 and len(set(received)) == 6 and received == sorted(received)
    assert received[3:] == sent_meanwhile
