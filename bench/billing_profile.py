"""The billing benchmark's `--profile`: the send action in this process, limits on and off, timed
in alternating blocks and cProfiled; finer than the socket measurement, which a shared machine
blurs by more than the difference judged."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from bench.billing_setup import SLUG
from bench.lib.report import RESULTS_DIR
from bench.lib.tenant import Target, user_email
from bench.lib.webserver import ROOT


def profile_send(target: Target, messages: int) -> dict[str, Any]:
    """Time `messages` sends through the consumer's own steps (access check, do_send_message in
    events.capture, the payload) in this process, with the gate registered and not, alternating
    in blocks, then cProfile the limits-on sends. What the socket adds is the same for both."""
    import cProfile
    import io
    import pstats

    from django.db import transaction

    from accounts.models import User
    from billing.entitlements import BillingGate
    from chat import events
    from chat.access import access_room_to_post
    from chat.actions.sending import do_send_message
    from chat.payloads import message_payload
    from config import limits
    from tenants.db import in_tenant
    from tenants.models import Client as Tenant

    tenant = Tenant.objects.get(pk=target.tenant_id)
    gate, open_gate = BillingGate(), limits._Open()
    times: dict[str, list[float]] = {"on": [], "off": []}
    counter = 0

    def send_one(user: Any) -> None:
        nonlocal counter
        counter += 1
        with events.capture():
            access = access_room_to_post(user, target.room)
            result = do_send_message(
                tenant=tenant,
                author=user,
                room=access.room,
                body=f"profile {counter}",
                client_id=f"p{counter}-{os.getpid()}",
            )
            events.encode({"type": "message.new", "message": message_payload(result.message)})

    with in_tenant(tenant):
        user = User.objects.get(email=user_email("s", 0, SLUG))
        for _ in range(50):
            send_one(user)
        block = 50
        for i in range(max(messages // block, 2) * 2):
            kind = "on" if i % 2 == 0 else "off"
            limits.register(gate if kind == "on" else open_gate)
            for _ in range(block):
                started = time.perf_counter()
                send_one(user)
                times[kind].append((time.perf_counter() - started) * 1000)
        limits.register(gate)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(messages):
            send_one(user)
        profiler.disable()
        # The call alone, inside a transaction as in a send (rolled back: nothing is counted).
        record_times = []
        with transaction.atomic():
            for _ in range(messages):
                started = time.perf_counter()
                limits.record_message(tenant)
                record_times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(35)
    listing = RESULTS_DIR / "billing-profile.txt"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    listing.write_text(out.getvalue())
    report = {
        "on_mean_ms": statistics.fmean(times["on"]),
        "off_mean_ms": statistics.fmean(times["off"]),
        "on_median_ms": statistics.median(times["on"]),
        "off_median_ms": statistics.median(times["off"]),
        "record_message_median_ms": statistics.median(record_times),
        "listing": str(listing.relative_to(ROOT)),
    }
    print(
        f"\nThe send action in this process ({len(times['on'])} sends each, alternating blocks of {block}):"
        f" limits on median {report['on_median_ms']:.2f} ms (mean {report['on_mean_ms']:.2f}),"
        f" off {report['off_median_ms']:.2f} ms (mean {report['off_mean_ms']:.2f});"
        f" config.limits.record_message alone {report['record_message_median_ms']:.3f} ms."
        f" cProfile of the limits-on sends: {report['listing']}",
        flush=True,
    )
    return report
