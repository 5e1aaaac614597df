"""WebSocket routes of every app, gathered in one list for the ASGI router."""

from django.urls import path

from kyhop.consumers import PingConsumer
from meetings.live.consumers import HopConsumer
from signing.bulk.consumers import SigningProgressConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/hop/<int:meeting_id>/", HopConsumer.as_asgi()),
    path("ws/ky-so/tien-do/", SigningProgressConsumer.as_asgi()),
]
