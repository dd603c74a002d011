from django.urls import URLPattern

# The chat consumer joins at /ws/chat/ with the realtime chat features.
websocket_urlpatterns: list[URLPattern] = []
