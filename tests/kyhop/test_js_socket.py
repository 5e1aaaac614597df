"""Every page's socket and CSRF-carrying POST go through static/js/socket.js.

A source scan: a page script that opens its own WebSocket, or sets the CSRF header itself, has
grown a second client (its own backoff, its own idea of sequence numbers, its own way of
reading the token), which is what socket.js exists to prevent.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "static" / "js"
CLIENT = SCRIPTS / "socket.js"


def _scripts_containing(pattern: str) -> set[str]:
    found = set()
    for path in SCRIPTS.rglob("*.js"):
        if re.search(pattern, path.read_text(encoding="utf-8")):
            found.add(path.relative_to(ROOT).as_posix())
    return found


def test_only_socket_js_opens_a_websocket() -> None:
    assert _scripts_containing(r"new\s+WebSocket\s*\(") == {"static/js/socket.js"}


def test_only_socket_js_sets_the_csrf_header() -> None:
    assert _scripts_containing(r"X-CSRFToken") == {"static/js/socket.js"}


def test_no_page_script_reads_the_csrf_token_its_own_way() -> None:
    # The hidden form field, a data attribute or the cookie: socket.js reads the <meta> tag.
    assert _scripts_containing(r"csrfmiddlewaretoken|dataset\.csrf|csrftoken") == set()


def test_the_base_layout_carries_the_token_socket_js_reads() -> None:
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert '<meta name="csrf-token" content="{{ csrf_token }}">' in base
    assert 'meta[name="csrf-token"]' in CLIENT.read_text(encoding="utf-8")
