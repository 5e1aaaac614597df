"""The ways into trình ký from the documents app (its page, its list row, the reader), through
``documents.hooks`` so that documents never imports signing.

Who may start a request is who may add a version to the document (a member of its owning
body) — the rule ``request_create`` applies; a document with an open request offers that
request instead, to anyone who can see it.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import User
from documents import hooks
from documents.models import Document, DocumentStatus
from documents.selectors import bodies_user_can_file_for
from signing.selectors import open_requests_by_document

HOOK_NAME = "signing.requests"


def document_actions(
    user: User | AnonymousUser, documents: list[Document]
) -> dict[int, list[hooks.Action]]:
    if not documents or not isinstance(user, User):  # anonymous
        return {}
    open_requests = open_requests_by_document(user, [d.pk for d in documents])
    filing_for = set(bodies_user_can_file_for(user).values_list("pk", flat=True))
    found: dict[int, list[hooks.Action]] = {}
    for document in documents:
        running = open_requests.get(document.pk)
        if running is not None:
            url = reverse("signing:request_detail", args=[running.pk])
            found[document.pk] = [hooks.Action(gettext("Xem trình ký"), url, "bi-pen")]
        elif document.status == DocumentStatus.DRAFT and document.owning_body_id in filing_for:
            url = reverse("signing:request_new_latest", args=[document.pk])
            found[document.pk] = [hooks.Action(gettext("Trình ký"), url, "bi-send")]
    return found


def register() -> None:
    hooks.action_register(HOOK_NAME, document_actions)
