"""English through Django's i18n: the main screens in English when the visitor chose it,
Vietnamese by default; the catalogue complete (nothing fuzzy or untranslated) and compiled."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


# --- The catalogue --------------------------------------------------------------------------


def test_the_english_catalogue_has_nothing_fuzzy_or_untranslated():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    )
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", statistics), statistics
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_the_compiled_catalogue_matches_the_po_file(tmp_path):
    """What Django serves is what the .po says (``make messages`` compiled it)."""
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(PO)], check=True)
    with compiled.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    entries = {k: v for k, v in catalogue.items() if isinstance(k, str) and k and "\x04" not in k}
    assert len(entries) > 500
    with translation.override("en"):
        stale = [k for k, v in entries.items() if translation.gettext(k) != v]
    assert stale == [], f"run `make messages`: {stale[:5]}"


def _messages_left(po: Path) -> list[str]:
    """Vietnamese msgids of *po* with no English or only a fuzzy guess (Django's own English
    msgids, such as "- Select an option -", need none)."""
    left = []
    for flag in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(
            ["msgattrib", flag, "--no-wrap", "--no-location", str(po)],
            capture_output=True,
            text=True,
            check=True,
        )
        left += [
            line[len('msgid "') : -1]
            for line in result.stdout.splitlines()
            if line.startswith('msgid "') and not line[len('msgid "') : -1].isascii()
        ]
    return left


def test_every_message_of_the_source_has_its_english(tmp_path):
    """What `makemessages` finds in the code and templates today is all in the catalogues: a new
    screen cannot ship with its English missing (or matched to another text by a fuzzy guess)."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "node_modules", "var", "test-results", "tests", "vendor", "__pycache__", "*.mo"
        ),
    )
    ignore = ["--ignore=node_modules", "--ignore=static/vendor", "--ignore=var"]
    for domain in ("django", "djangojs"):
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "en", "-d", domain, "-v0", *ignore],
            cwd=copy,
            env={**os.environ, "PYTHONPATH": str(copy)},
            check=True,
        )
        left = _messages_left(copy / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po")
        assert left == [], f"{domain}.po needs English for: {left[:10]}"


# --- The screens ----------------------------------------------------------------------------


def _client(user, language: str | None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


@pytest.fixture
def screens(world, make_document, doc_storage):
    from meetings.preparation import services

    document = make_document()
    starts = timezone.make_aware(datetime(2026, 12, 3, 8, 0))
    meeting = services.meeting_create(
        actor=world.clerk,
        body=world.stttt,
        title="Họp giao ban tháng 12",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Phòng họp tầng 3",
    )
    return {
        "meetings": reverse("meetings:list"),
        "meeting": reverse("meetings:prepare", args=[meeting.pk]),
        "documents": reverse("documents:list"),
        "document": reverse("documents:detail", args=[document.pk]),
        "records": reverse("documents:record_list"),
        "inbox": reverse("signing:inbox"),
        "validation": reverse("validation:upload"),
    }


# Per screen: what it says in English, and the Vietnamese it must no longer show.
ENGLISH = {
    "meetings": (
        ["My meetings", "Meetings my body prepares", "Draft", "Upcoming", ">Meetings</span></a>"],
        ["Cuộc họp của tôi", "Dự thảo", "Sắp tới"],
    ),
    "meeting": (
        ["Meeting agenda", "Invitees and replies", "Issue and send the invitations", "Draft"],
        ["Chương trình họp", "Thành phần mời và trả lời", "Dự thảo"],
    ),
    "documents": (
        ["Register a document", "Number and symbol", "Proposal", "Keywords", "Search"],
        ["Đăng ký văn bản", "Số, ký hiệu", "Tờ trình", "Từ khoá", "Tìm kiếm"],
    ),
    "document": (
        ["Version history", "Issuing body", "Confidentiality", "Normal", "Check signatures"],
        ["Lịch sử phiên bản", "Cơ quan ban hành", "Độ mật", "Kiểm tra chữ ký"],
    ),
    "records": (["Work records"], ["Hồ sơ công việc"]),
    "inbox": (
        ["Signing", "Waiting for me (0)", "No documents are waiting for you.", "Handled by me"],
        ["Ký số", "Chờ tôi xử lý", "Không có văn bản nào chờ bạn."],
    ),
    "validation": (
        ["Digital signature check", "PDF file to check", "Upload a digitally signed PDF"],
        ["Kiểm tra chữ ký số", "Tệp PDF cần kiểm tra"],
    ),
}


@pytest.mark.parametrize("screen", sorted(ENGLISH))
def test_main_screens_in_english(world, screens, screen):
    html = _page(_client(world.clerk, "en"), screens[screen])
    english, vietnamese = ENGLISH[screen]
    assert '<html lang="en">' in html
    for text in english:
        assert text in html, text
    for text in vietnamese:
        assert text not in html, text


@pytest.mark.parametrize("screen", sorted(ENGLISH))
def test_main_screens_stay_vietnamese_by_default(world, screens, screen):
    html = _page(_client(world.clerk, None), screens[screen])
    assert '<html lang="vi">' in html
    for text in ENGLISH[screen][1]:
        assert text in html, text
