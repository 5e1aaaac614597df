"""`make run`'s server: a real uvicorn process answering HTTP and WebSockets."""

from __future__ import annotations

import json
import urllib.request

import pytest
import websockets


@pytest.mark.live
def test_server_serves_login_page_and_healthz(server_process):
    with urllib.request.urlopen(f"{server_process}/dang-nhap/", timeout=5) as response:
        html = response.read().decode()
    assert response.status == 200 and "Đăng nhập" in html
    with urllib.request.urlopen(f"{server_process}/static/css/kyhop.css", timeout=5) as response:
        assert response.status == 200


@pytest.mark.live
async def test_server_speaks_websocket(server_process):
    ws_url = server_process.replace("http://", "ws://") + "/ws/ping/"
    async with websockets.connect(ws_url, origin=server_process) as socket:
        await socket.send(json.dumps({"type": "ping", "payload": 1}))
        assert json.loads(await socket.recv()) == {"type": "pong", "payload": 1}
