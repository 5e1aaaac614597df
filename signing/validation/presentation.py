"""A stored report (``Report.as_json()``) made ready to read, in the active language.

The JSON report keeps its Vietnamese sentences and ISO 8601 times (the schema does not change
with the reader's language). For the web page and the PDF report, ``localize`` returns a copy in
which every label and sentence is rendered again from its id and parameters through Django's
``gettext``, and every time is a human date in Vietnam time. A report stored before the ids
existed keeps its stored Vietnamese sentences where it has no id.
"""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

from django.utils.translation import gettext

from signing.validation import report as report_module
from signing.validation import texts

# Text that came from the uploaded file (its name, field names, the names in its certificates)
# is shown bounded and marked as such: anyone may upload anything, and the sealed report must
# not let a crafted name pass for the report's own words (a sentence, a right-to-left override).
FROM_FILE_MAX_CHARS = 120
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def from_file(value: object, *, limit: int = FROM_FILE_MAX_CHARS) -> str:
    """*value* as safe display text: NFC, no control or format characters, at most *limit*."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = "".join(" " if unicodedata.category(ch) in _DROPPED_CATEGORIES else ch for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def localize(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of the JSON report *data* with its texts in the active language."""
    data = _bounded(data)
    shown = copy.deepcopy(data)
    shown["outcome_label"] = texts.label(texts.OUTCOME_LABELS, data["outcome"], translate=gettext)
    shown["summary"] = report_module.summary(data, translate=gettext)
    shown["reasons"] = report_module.reasons(data, translate=gettext)
    shown["notes"] = [gettext(note) for note in data.get("notes", [])]
    shown["validated_at_display"] = texts.human_time(data.get("validated_at"))
    if data.get("refusal") is not None:
        shown["refusal"]["message"] = report_module.message_of(data["refusal"], translate=gettext)
    for key in ("signatures", "timestamps"):
        shown[key] = [_result(item) for item in data.get(key, [])]
    shown["results"] = shown["signatures"] + shown["timestamps"]
    return shown


def _bounded(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of *data* whose texts taken from the uploaded file are passed through from_file."""
    data = copy.deepcopy(data)
    data["file_name"] = from_file(data.get("file_name"))
    for key in ("signatures", "timestamps"):
        for item in data.get(key, []):
            item["field_name"] = from_file(item.get("field_name"))
            signer = item.get("signer") or {}
            for name in ("common_name", "organisation", "issuer"):
                if name in signer:
                    signer[name] = from_file(signer[name])
    return data


def _result(item: dict[str, Any]) -> dict[str, Any]:
    shown = copy.deepcopy(item)
    shown["outcome_label"] = texts.label(texts.OUTCOME_LABELS, item["outcome"], translate=gettext)
    shown["claimed_display"] = texts.human_time(item.get("claimed_signing_time"))
    shown["timestamp_display"] = texts.human_time(item.get("timestamp_time"))
    shown["checks"] = [_check(check) for check in item.get("checks", [])]
    shown["later_changes"] = [_change(change) for change in item.get("later_changes", [])]
    shown["visual_changes"] = [_visual(change) for change in item.get("visual_changes", [])]
    shown["visual_pictured"] = [c for c in shown["visual_changes"] if c.get("thumbnail_now")]
    return shown


def _visual(change: dict[str, Any]) -> dict[str, Any]:
    """A changed page, its regions as short text ("x 60–480, y 690–760 pt")."""
    regions = [f"x {x1:g}–{x2:g}, y {y1:g}–{y2:g}" for x1, y1, x2, y2 in change.get("regions", [])]
    return {**change, "regions_display": "; ".join(regions)}


def _check(check: dict[str, Any]) -> dict[str, Any]:
    title = texts.TITLES.get(check["code"], check["title"])
    return {
        **check,
        "title": gettext(title),
        "status_label": texts.label(texts.STATUS_LABELS, check["status"], translate=gettext),
        "message": report_module.message_of(check, translate=gettext),
    }


def _change(change: dict[str, Any]) -> dict[str, Any]:
    kinds = [kind for kind in texts.CHANGE_LABELS if kind in change.get("kinds", [])]
    description = (
        "; ".join(gettext(texts.CHANGE_LABELS[kind]) for kind in kinds)
        if kinds
        else change.get("description", "")
    )
    return {**change, "description": description}
