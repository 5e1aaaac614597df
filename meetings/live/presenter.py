"""Presenter mode: one document of the agenda, at one page, on every tablet that follows.

The chair's side, or the presenter of the item under discussion, shows a document and turns its
pages (page turns also arrive over the socket, where latency shows).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from accounts.models import User
from documents.models import Document
from meetings.access import may_run, refuse
from meetings.live.hub import live_publish
from meetings.live.selectors import presenter_documents, presenter_payload
from meetings.live.services import live_state_locked
from meetings.models import LiveState, Meeting


def _may_present(actor: User, meeting: Meeting, state: LiveState) -> bool:
    """The chair's side, or the presenter of the item under discussion."""
    item = state.current_item
    presenting = item is not None and item.presenter_id == getattr(actor, "pk", None)
    return presenting or may_run(actor, meeting)


@transaction.atomic
def presenter_show(
    *, actor: User, meeting: Meeting, document_id: int | None, page: int = 1
) -> LiveState:
    """Show a document of the agenda at a page on every following tablet; None stops.

    Only a document every watcher is cleared for (``selectors.presenter_documents``)."""
    state = live_state_locked(meeting)
    if not _may_present(actor, meeting, state):
        refuse(gettext("Chỉ người chủ trì hoặc người trình bày mới được trình chiếu."))
    if document_id is not None:
        shown = presenter_documents(actor, meeting).filter(document_id=document_id)
        if not shown.exists():
            refuse(gettext("Văn bản không thuộc tài liệu của cuộc họp."))
        if page < 1:
            refuse(gettext("Số trang không hợp lệ."))
        state.presenter_document = Document.objects.get(pk=document_id)
        state.presenter_page = page
        state.presenter_user = actor
    else:
        state.presenter_document = None
        state.presenter_page = 1
        state.presenter_user = None
    state.save()
    live_publish(meeting.pk, "presenter", {"presenter": presenter_payload(state)})
    return state


@transaction.atomic
def presenter_page(*, actor: User, meeting: Meeting, page: int) -> LiveState:
    state = live_state_locked(meeting)
    if state.presenter_document_id is None:
        refuse(gettext("Chưa trình chiếu văn bản nào."))
    return presenter_show(
        actor=actor, meeting=meeting, document_id=state.presenter_document_id, page=page
    )
