"""WebSocket routes of tenant hosts (config.asgi wraps them in the tenant resolver and auth)."""

from django.urls import URLPattern, path

from chat.consumers import ChatConsumer
from chat.realtime import wsdirect

websocket_urlpatterns: list[URLPattern] = [
    path("ws/chat/", ChatConsumer.as_asgi()),
]

# Checked as the server loads its routes, so a daphne, autobahn or Twisted other than the ones the
# direct fan-out path was verified with is reported at start-up, not at the first socket.
wsdirect.available()
