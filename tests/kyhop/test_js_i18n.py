"""English for the browser scripts: static/js marks its texts with gettext (Vietnamese msgids),
locale/en/LC_MESSAGES/djangojs.po translates every one of them, and Django's JavaScript catalogue
serves them — per language URL, cached, and loaded by base.html before the page's modules."""

from __future__ import annotations

import gettext
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kyhop import urls as kyhop_urls

ROOT = Path(settings.BASE_DIR)
JS_DIR = ROOT / "static" / "js"
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "djangojs.po"

# A JavaScript string literal in double quotes (the only kind makemessages is given here).
_LITERAL = r'"(?:[^"\\\n]|\\.)*"'
_GETTEXT = re.compile(rf"(?<![\w.])gettext\(\s*({_LITERAL})\s*\)")
_NGETTEXT = re.compile(rf"(?<![\w.])ngettext\(\s*({_LITERAL})\s*,\s*({_LITERAL})\s*,")
# gettext called with anything else (a template literal, a variable, single quotes) escapes
# makemessages, so its text would stay Vietnamese.
_ANY_CALL = re.compile(r"(?<![\w.])n?gettext\(\s*(.)")
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")
# Letters only Vietnamese text has (precomposed Latin with diacritics, đ/Đ).
_VIETNAMESE = re.compile(r"[À-ỹđĐ]")


def _js_files() -> list[Path]:
    files = sorted(JS_DIR.glob("*.js"))
    assert files, JS_DIR
    return files


def _js_messages() -> tuple[set[str], set[tuple[str, str]]]:
    """The msgids of gettext(...) and the (singular, plural) of ngettext(...) in static/js."""
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    for path in _js_files():
        source = path.read_text(encoding="utf-8")
        singles.update(json.loads(literal) for literal in _GETTEXT.findall(source))
        plurals.update((json.loads(a), json.loads(b)) for a, b in _NGETTEXT.findall(source))
    return singles, plurals


def _compiled_po(tmp_path: Path) -> dict:
    """The .po file's translations as msgfmt compiles them (untranslated entries left out)."""
    mo = tmp_path / "djangojs.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(PO)], check=True)
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]


def _served_catalog(client: Client, language: str) -> dict:
    """The catalogue object inside the script JavaScriptCatalog serves for *language*."""
    response = client.get(reverse("javascript-catalog", args=[language]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    source = response.content.decode()
    found = re.search(r"const newcatalog = (\{.*?\n  \});", source, re.S)
    return json.loads(found.group(1)) if found else {}


# --- The scripts and the .po file -----------------------------------------------------------


def test_the_scripts_mark_their_texts():
    singles, plurals = _js_messages()
    # A sample from every script, so a broken pattern cannot make the checks below vacuous.
    for text in [
        "Mời phát biểu",  # live.js
        "Bấm lần nữa để xoá",  # viewer-notes.js
        "Không tìm thấy.",  # viewer-search.js
        "Trang %s",  # viewer-search.js, viewer-notes.js, viewer-thumbs.js
        "Không hiển thị được trang này.",  # viewer.js
        "Không bắt đầu được lượt ký.",  # signing.js
        "Không sắp xếp được. Hãy tải lại trang.",  # agenda.js
    ]:
        assert text in singles, text
    assert ("Đang ký %s văn bản…", "Đang ký %s văn bản…") in plurals
    assert len(singles) > 60
    for path in _js_files():
        for first in _ANY_CALL.findall(path.read_text(encoding="utf-8")):
            assert first == '"', f"{path.name}: gettext must be given a double-quoted literal"


def test_no_vietnamese_text_is_left_outside_gettext():
    allowed = {'"đ"', '"Đ"'}  # viewer-search.js folds these letters; nobody reads them
    literal = re.compile(r'"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`|\'(?:[^\'\\\n]|\\.)*\'')
    for path in _js_files():
        source = path.read_text(encoding="utf-8")
        source = _NGETTEXT.sub("", _GETTEXT.sub("", source))
        source = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)
        left = [s for s in literal.findall(source) if _VIETNAMESE.search(s) and s not in allowed]
        assert left == [], f"{path.name}: {left}"


def test_the_catalogue_has_nothing_fuzzy_or_untranslated():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    )
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", statistics), statistics
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_every_script_text_has_an_english_translation(tmp_path):
    catalogue = _compiled_po(tmp_path)
    singles, plurals = _js_messages()
    translations = [(msgid, catalogue.get(msgid, "")) for msgid in singles]
    for singular, plural in plurals:
        for index in (0, 1):
            translations.append((plural if index else singular, catalogue.get((singular, index))))
    missing = [msgid for msgid, english in translations if not english]
    assert missing == [], f"not in djangojs.po (run makemessages -d djangojs): {missing}"
    for msgid, english in translations:
        assert not _VIETNAMESE.search(english), (msgid, english)
        assert sorted(_PLACEHOLDER.findall(english)) == sorted(_PLACEHOLDER.findall(msgid))


# --- The catalogue view ---------------------------------------------------------------------


def test_the_english_catalogue_serves_the_translations(client, tmp_path):
    catalog = _served_catalog(client, "en")
    assert catalog["Mời phát biểu"] == "Give the floor"
    assert catalog["Kết thúc biểu quyết"] == "Close the vote"
    assert catalog["Không tìm thấy."] == "Nothing found."
    assert catalog["Đang ký %s văn bản…"] == ["Signing %s document…", "Signing %s documents…"]
    # What is served is what the .po file says: a stale .mo (`make messages` not run) fails.
    compiled = _compiled_po(tmp_path)
    singles, _plurals = _js_messages()
    stale = [msgid for msgid in singles if catalog.get(msgid) != compiled[msgid]]
    assert stale == [], f"run `make messages`: {stale[:5]}"


def test_the_vietnamese_catalogue_translates_none_of_the_scripts_texts(client):
    catalog = _served_catalog(client, "vi")
    singles, plurals = _js_messages()
    assert singles.isdisjoint(catalog)
    assert {singular for singular, _plural in plurals}.isdisjoint(catalog)


def test_the_url_not_the_visitors_language_decides_the_catalogue(client):
    """Browsers keep the catalogue: a URL must always mean the same language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Mời phát biểu" not in _served_catalog(client, "vi")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert _served_catalog(client, "en")["Mời phát biểu"] == "Give the floor"


def test_an_unknown_language_is_not_found(client):
    assert client.get(reverse("javascript-catalog", args=["de"])).status_code == 404


def test_the_catalogue_is_built_once_and_kept_by_the_browser(client, monkeypatch):
    builds: list[str] = []
    original = kyhop_urls.LanguageJavaScriptCatalog.get_catalog

    def counting(view):
        builds.append(view.translation.language())
        return original(view)

    monkeypatch.setattr(kyhop_urls.LanguageJavaScriptCatalog, "get_catalog", counting)
    first = client.get(reverse("javascript-catalog", args=["en"]))
    second = client.get(reverse("javascript-catalog", args=["en"]))
    assert second.content == first.content
    assert builds == ["en"]
    client.get(reverse("javascript-catalog", args=["vi"]))
    assert builds == ["en", "vi"]
    assert f"max-age={kyhop_urls.CATALOG_SECONDS}" in first["Cache-Control"]
    assert first["Content-Language"] == "en"
    # New texts get a new URL, so what browsers keep is never stale.
    assert kyhop_urls.CATALOG_VERSION in reverse("javascript-catalog", args=["en"])


# --- The pages ------------------------------------------------------------------------------


class _Scripts(HTMLParser):
    """The <script> elements of a page: (src, attributes, inside <head>)."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[str, dict[str, str | None], bool]] = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        elif tag == "script":
            attributes = dict(attrs)
            self.scripts.append((attributes.get("src") or "", attributes, self.in_head))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def _scripts(html: str) -> list[tuple[str, dict[str, str | None], bool]]:
    parser = _Scripts()
    parser.feed(html)
    return parser.scripts


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_loads_the_catalogue_of_its_language_first(client, language):
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    src, attributes, in_head = _scripts(response.content.decode())[0]
    assert src == reverse("javascript-catalog", args=[language])
    assert in_head
    assert "defer" in attributes  # runs after parsing, in order: before any module script


def test_the_catalogue_comes_before_the_page_module(world):
    client = Client()
    client.force_login(world.clerk)
    response = client.get(reverse("signing:inbox"))
    assert response.status_code == 200
    scripts = _scripts(response.content.decode())
    sources = [src for src, _attributes, _in_head in scripts]
    catalogue = sources.index(reverse("javascript-catalog", args=["vi"]))
    module = next(i for i, (src, a, _h) in enumerate(scripts) if a.get("type") == "module")
    assert sources[module].endswith("js/signing.js")
    assert catalogue < module
