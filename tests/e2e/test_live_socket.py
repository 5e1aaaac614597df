"""The live page's socket client (static/js/socket.js) in a browser, against a real server.

The chair's socket is routed through the test (Playwright's WebSocket routing: the page talks
to the real server, every frame passes here), which can lose one event on the way or drop the
connection. A lost event shows as a gap: the page asks for a snapshot and ends up with the
state it missed. A dropped connection: the page says so, reconnects and takes the snapshot
the server sends, so an event lost with the connection is on screen too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.helpers import TABLET_LANDSCAPE, district_meeting, open_live, signed_in
from tests.live import free_port, start_server, wait_until_healthy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WAIT = 15_000  # ms
FIRST, SECOND = "1. Tờ trình dự toán", "2. Báo cáo an ninh trật tự"
BREAK = "Nghỉ giải lao 10 phút"


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker) -> Iterator[str]:
    """One server process for the module, on the test database (each test makes its meeting)."""
    port = free_port()
    with django_db_blocker.unblock():
        process = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Wire:
    """The page's live socket as the test routes it: what went by, and what to lose next."""

    sent: list[str] = field(default_factory=list)  # message types the page sent
    connections: int = 0
    last_seq: int | None = None  # the newest number the server sent
    lose_next_event: bool = False
    then_drop_connection: bool = False

    def route(self, page_side: WebSocketRoute) -> None:
        self.connections += 1
        server_side = page_side.connect_to_server()

        def from_page(message: str | bytes) -> None:
            self.sent.append(json.loads(message)["type"])
            server_side.send(message)

        def from_server(message: str | bytes) -> None:
            seq = json.loads(message).get("seq")
            if seq is not None:
                self.last_seq = max(seq, self.last_seq or 0)
            if seq is not None and self.lose_next_event:
                self.lose_next_event = False
                if self.then_drop_connection:
                    self.then_drop_connection = False
                    page_side.close(code=1011, reason="lost")
                    server_side.close()
                return
            page_side.send(message)

        page_side.on_message(from_page)
        server_side.on_message(from_server)


def _chair_page(browser: Browser, base: str) -> tuple[Page, Wire, list[str]]:
    cast = district_meeting()
    page, errors = signed_in(browser, base, cast.people["chair"], TABLET_LANDSCAPE)
    wire = Wire()
    page.route_web_socket("**/ws/hop/**", wire.route)
    open_live(page, base, cast.meeting)
    page.get_by_role("button", name="Bắt đầu phiên họp").click()
    expect(page.locator("[data-role=current]")).to_have_text(FIRST, timeout=WAIT)
    expect(page.locator("[data-role=conn]")).to_have_text("đã kết nối")
    return page, wire, errors


def _broadcast(page: Page, text: str) -> None:
    form = page.locator("form[data-form=message]")
    form.locator("[name=text]").fill(text)
    form.get_by_role("button", name="Gửi thông báo").click()


def _current_to(page: Page, wire: Wire) -> None:
    expect(page.locator("#live")).to_have_attribute("data-seq", str(wire.last_seq))


def test_a_lost_event_leads_to_a_snapshot_with_what_was_missed(
    browser: Browser, server: str
) -> None:
    page, wire, errors = _chair_page(browser, server)
    assert "snapshot.get" not in wire.sent

    # One of the next two events never reaches the page; the other comes after a gap.
    wire.lose_next_event = True
    _broadcast(page, BREAK)
    page.locator("li.agenda-item", has_text="Báo cáo an ninh trật tự").get_by_role(
        "button", name="Chuyển đến"
    ).click()

    expect(page.locator("[data-role=message]")).to_have_text(BREAK, timeout=WAIT)
    expect(page.locator("[data-role=current]")).to_have_text(SECOND, timeout=WAIT)
    assert wire.sent.count("snapshot.get") == 1
    assert wire.connections == 1
    _current_to(page, wire)
    assert errors == []
    page.context.close()


def test_a_dropped_connection_reconnects_and_resynchronises(browser: Browser, server: str) -> None:
    page, wire, errors = _chair_page(browser, server)

    # The broadcast's event is lost with the connection: only the reconnect's snapshot has it.
    wire.lose_next_event = wire.then_drop_connection = True
    _broadcast(page, BREAK)
    expect(page.locator("[data-role=offline]")).to_be_visible(timeout=WAIT)
    expect(page.locator("[data-role=conn]")).to_have_text("mất kết nối")

    expect(page.locator("[data-role=offline]")).to_be_hidden(timeout=WAIT)
    expect(page.locator("[data-role=conn]")).to_have_text("đã kết nối")
    expect(page.locator("[data-role=message]")).to_have_text(BREAK, timeout=WAIT)
    assert wire.connections == 2
    _current_to(page, wire)

    # The new connection carries the page on: the next move arrives as an event.
    page.locator("li.agenda-item", has_text="Báo cáo an ninh trật tự").get_by_role(
        "button", name="Chuyển đến"
    ).click()
    expect(page.locator("[data-role=current]")).to_have_text(SECOND, timeout=WAIT)
    _current_to(page, wire)
    assert "snapshot.get" not in wire.sent
    assert errors == []
    page.context.close()
