"""The chat socket at /ws/chat/: one per client, multiplexing rooms (CONTRACT.md, WebSocket).

This is only the ASGI edge: accept or close, read frames one at a time, hand each to its handler
(chat.realtime.handlers) and turn what it raises into an `error` frame. Handlers reach the
database only through the socket's one tenant-scoped call (chat.realtime.client, `db`), and live
events never pass through here: the process's hub hands them to the socket's session
(chat.realtime.hub, chat.realtime.session).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from django.core.exceptions import ValidationError
from django.http import Http404

from chat.realtime import frames
from chat.realtime.client import CLOSE_UNAUTHENTICATED, ClientSocket
from chat.realtime.database import Person, Revoked
from chat.realtime.frames import FrameError
from chat.realtime.handlers import HANDLERS
from config import limits
from config.api.errors import AccessDenied, Refused

logger = logging.getLogger(__name__)


class ChatConsumer(AsyncConsumer):
    """One client's socket. Frames are handled one at a time, in order."""

    socket: ClientSocket | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Replaces AsyncConsumer's loop: no channel of its own (the hub receives for every
        socket), and no `aclose_old_connections` thread hop per message, which is safe because
        database_sync_to_async closes stale connections itself around each call."""
        self.scope, self.base_send = scope, send
        try:
            while self.socket is None or not self.socket.closed:
                if self.socket is not None:
                    self.socket.waiting = asyncio.current_task()
                try:
                    message = await receive()
                finally:
                    if self.socket is not None:
                        self.socket.waiting = None
                if message["type"] == "websocket.connect":
                    await self.connect()
                elif message["type"] == "websocket.receive":
                    await self.receive_frame(message.get("text"))
                elif message["type"] == "websocket.disconnect":
                    break
        except StopConsumer:
            pass
        except asyncio.CancelledError:
            if self.socket is None or not self.socket.closed:
                raise  # else cancelled by `close()` while waiting for the client
        finally:
            if self.socket is not None:
                await self.socket.release()

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.base_send({"type": "websocket.accept"})
        if user is None or not user.is_authenticated:
            with contextlib.suppress(Exception):
                await self.base_send({"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED})
            raise StopConsumer
        person = Person(tenant=self.scope["tenant"], user_id=user.pk, auth_epoch=user.auth_epoch)
        self.socket = ClientSocket(person=person, send=self.base_send)
        await self.socket.open()

    async def receive_frame(self, text: str | None) -> None:
        socket = self.socket
        if socket is None or socket.closed:
            return
        ref = kind = None
        try:
            frame = frames.parse(text)
            ref, kind = frame.ref, frame.type
            handler = HANDLERS.get(frame.type)
            if handler is None:
                raise FrameError("bad_request", f"Unknown frame type `{frame.type[:40]}`.")
            await handler(socket, frame)
        except Revoked:
            await socket.close(CLOSE_UNAUTHENTICATED)
        except FrameError as exc:
            await socket.send_frame(frames.error(exc.code, exc.detail, ref))
        except AccessDenied as exc:
            await socket.send_frame(frames.error(exc.code, exc.message, ref))
        except Http404:
            await socket.send_frame(frames.error("not_found", "No such room or message.", ref))
        except ValidationError as exc:
            await socket.send_frame(frames.error("invalid", _readable(exc), ref))
        except Refused as exc:  # the plan's limits, a read-only workspace: what the API answers
            await socket.send_frame(frames.error(**limits.payload(exc), ref=ref))
        except Exception:
            logger.exception("chat socket: %s failed", kind)
            await socket.send_frame(frames.error("server_error", "Something went wrong; try again.", ref))


def _readable(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(message for messages in exc.message_dict.values() for message in messages)
    return " ".join(exc.messages)
