"""JSON endpoints for a reader's private notes, used by the PDF reader (static/js/viewer.js).

Every answer is about the requesting user's own notes on a document they may see; a document
they may not see, or a note that is not theirs, answers 404 like everywhere else in documents.
POSTs go through Django's CSRF check (the reader sends the token in X-CSRFToken).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from documents import services
from documents.models import Document, DocumentNote
from documents.selectors import (
    NoteView,
    document_versions,
    documents_visible_to,
    note_of,
    notes_for_reading,
)

# A note is a few kilobytes at most; refuse to parse anything much larger.
_BODY_MAX_BYTES = 64 * 1024


def _document(request: AuthenticatedRequest, pk: int) -> Document:
    return get_object_or_404(documents_visible_to(request.user), pk=pk)


def _note(request: AuthenticatedRequest, document: Document, note_id: int) -> DocumentNote:
    note = note_of(request.user, document=document, note_id=note_id)
    if note is None:
        raise Http404(gettext("Không tìm thấy ghi chú."))
    return note


def _payload(request: AuthenticatedRequest) -> dict[str, Any]:
    if len(request.body) > _BODY_MAX_BYTES:
        raise ValidationError(gettext("Ghi chú quá lớn."))
    try:
        data = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(gettext("Dữ liệu gửi lên không đọc được.")) from exc
    if not isinstance(data, dict):
        raise ValidationError(gettext("Dữ liệu gửi lên không đọc được."))
    return data


def _optional_int(value: object, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError({field: gettext("Phải là một số.")})
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationError({field: gettext("Phải là một số.")}) from exc


def _as_json(view: NoteView) -> dict[str, Any]:
    note = view.note
    return {
        "id": note.pk,
        "kind": note.kind,
        "kind_label": note.get_kind_display(),
        "page": note.page,
        "page_gone": view.page_gone,
        "version": note.version_number,
        "text": note.text,
        "rect": note.rect,
        "created_at": note.created_at.isoformat(),
        "updated_at": note.updated_at.isoformat(),
    }


def _error(exc: ValidationError) -> JsonResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return JsonResponse({"errors": errors}, status=400)


def _listing(request: AuthenticatedRequest, document: Document) -> JsonResponse:
    """My notes, judged against the version I am reading (?phien-ban=N, default the latest)."""
    versions = document_versions(document)
    try:
        number = _optional_int(request.GET.get("phien-ban"), "phien-ban")
    except ValidationError as exc:
        return _error(exc)
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404(gettext("Không tìm thấy phiên bản."))
    notes = [_as_json(view) for view in notes_for_reading(request.user, version)]
    return JsonResponse({"version": version.number, "notes": notes})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notes(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    document = _document(request, pk)
    if request.method != "POST":
        return _listing(request, document)
    try:
        data = _payload(request)
        note = services.note_add(
            actor=request.user,
            document=document,
            version_number=_optional_int(data.get("version"), "version") or 0,
            kind=str(data.get("kind") or "text"),
            text=str(data.get("text") or ""),
            page=_optional_int(data.get("page"), "page"),
            rect=data.get("rect"),
        )
    except ValidationError as exc:
        return _error(exc)
    return JsonResponse({"note": _as_json(NoteView(note, page_gone=False))}, status=201)


@login_required
@require_POST
def note_update(request: AuthenticatedRequest, pk: int, note_id: int) -> JsonResponse:
    note = _note(request, _document(request, pk), note_id)
    try:
        data = _payload(request)
        note = services.note_update(actor=request.user, note=note, text=str(data.get("text") or ""))
    except ValidationError as exc:
        return _error(exc)
    return JsonResponse({"note": _as_json(NoteView(note, page_gone=False))})


@login_required
@require_POST
def note_delete(request: AuthenticatedRequest, pk: int, note_id: int) -> JsonResponse:
    note = _note(request, _document(request, pk), note_id)
    services.note_delete(actor=request.user, note=note)
    return JsonResponse({"deleted": note_id})
