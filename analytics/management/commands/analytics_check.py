from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from analytics.platform.freshness import freshness


class Command(BaseCommand):
    help = "Say how fresh each analytics stat is over every workspace; fail when one is stale (for monitoring)."

    def handle(self, *args: Any, **options: Any) -> None:
        state = freshness()
        for stat in state.stats:
            reach = stat.filled_through.isoformat() if stat.filled_through else "never"
            flag = "STALE" if stat.is_stale else "ok"
            self.stdout.write(
                f"{flag:5} {stat.key:38} filled through {reach} "
                f"({stat.stale_clients} behind, {stat.stuck_clients} stuck, of {stat.clients})"
            )
        if state.never_filled:
            self.stdout.write(f"{state.never_filled} workspaces were never filled")
        if state.is_stale:
            raise CommandError("Analytics are stale.")
