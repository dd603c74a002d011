"""Realtime notices about accounts, sent on the channel layer after the data is committed."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from tenants.models import Client

logger = logging.getLogger(__name__)


def user_group(tenant: Client, user_id: int) -> str:
    """Every live socket of one person joins this group (ARCHITECTURE rule 4: tenant first)."""
    return f"t{tenant.pk}.user.{user_id}"


def announce_revocation(tenant: Client, user_id: int) -> None:
    """Tell the person's open sockets to close: their sessions and tokens were just revoked."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        group = user_group(tenant, user_id)
        # The group travels in the message: a process receives all its groups on one channel.
        async_to_sync(layer.group_send)(group, {"type": "auth.revoked", "group": group})
    except Exception:
        # The revocation itself is committed; a socket that misses this notice is refused at its
        # next frame or reconnect, which checks the epoch again.
        logger.exception("could not announce the revocation of user %s in %s", user_id, tenant.schema_name)
