"""HTTP and WebSocket routing through the ASGI application."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from kyhop.asgi import application


def test_healthz_reports_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


def test_healthz_answers_only_get(client, db):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db(transaction=True)
async def test_websocket_ping_answers_pong():
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"http://127.0.0.1:8000")]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping", "payload": "xin chào"})
    assert await communicator.receive_json_from() == {"type": "pong", "payload": "xin chào"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_websocket_malformed_message_is_answered_and_closed():
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"http://127.0.0.1:8000")]
    )
    await communicator.connect()
    await communicator.send_to(text_data="{not json")
    assert (await communicator.receive_json_from())["type"] == "error"
    output = await communicator.receive_output()
    assert output == {"type": "websocket.close", "code": 4400}


@pytest.mark.django_db(transaction=True)
async def test_websocket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected
