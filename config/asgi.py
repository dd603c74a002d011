"""ASGI entry point: HTTP through Django (tenant resolved by TenantMainMiddleware); WebSockets
through the tenant resolver, which puts the `Client` in `scope["tenant"]` (ARCHITECTURE rule 2),
then the authentication, which puts the session's or bearer token's user in `scope["user"]`."""

from __future__ import annotations

import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402

sys.setswitchinterval(settings.WEB_SWITCH_INTERVAL_SECONDS)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.ws_auth import WebSocketAuthMiddleware  # noqa: E402
from billing.webhook_asgi import StripeWebhookApplication  # noqa: E402
from chat.realtime.autobahn_logs import defer_connection_logs  # noqa: E402
from chat.routing import websocket_urlpatterns  # noqa: E402
from tenants.asgi import TenantWebsocketMiddleware  # noqa: E402
from tenants.tls import TlsAskApplication  # noqa: E402

defer_connection_logs()

application = ProtocolTypeRouter(
    {
        # The TLS front end's questions and Stripe's webhooks are answered before Django's
        # handler (tenants.tls, billing.webhook_asgi).
        "http": TlsAskApplication(StripeWebhookApplication(django_asgi_app)),
        "websocket": TenantWebsocketMiddleware(WebSocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
