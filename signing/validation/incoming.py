"""Incoming documents (Decree 30, Art. 21.2(a)): their PDFs are checked when registered, and the
verdict shows in the document list and on the document's page.

``documents`` must not import ``signing``: this module plugs into ``documents.hooks`` from
``SigningConfig.ready()`` — a callback when a version is added, and two columns filled by
subqueries (so the list page's query count does not grow with its rows).
"""

from __future__ import annotations

from typing import cast

from django.db.models import OuterRef, QuerySet, Subquery
from django.tasks import task
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from documents import hooks
from documents.models import Document, DocumentStatus, DocumentVersion
from signing.models import ValidationReport
from signing.validation import texts

HOOK_NAME = "signing.validation"
# Lazy: the column is drawn in the reader's language. ``hooks.Column`` declares its heading
# ``str``, which a lazy string stands in for wherever a template shows it.
HEADING = cast(str, gettext_lazy("Kiểm tra chữ ký"))


@task()
def version_validate_task(*, version_id: int, actor_id: int | None) -> str:
    """Validate a stored version and keep the report; a task, since it may take seconds."""
    # Imported here, not with the module: SigningConfig.ready() imports this module in every
    # process, and the validation engine (pyHanko) is a second of start-up most never need.
    from signing.validation.services import version_validate

    version = DocumentVersion.objects.select_related("document", "blob").get(pk=version_id)
    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    return version_validate(actor=actor, version=version).verdict


def version_added(*, actor: User | None, version: DocumentVersion) -> None:
    """documents' hook: an incoming document's new version is validated (nothing else is)."""
    if version.document.status != DocumentStatus.INCOMING:
        return
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    version_validate_task.enqueue(version_id=version.pk, actor_id=actor_id)


def _latest_verdict_of_version() -> Subquery:
    reports = ValidationReport.objects.filter(version=OuterRef("pk")).order_by("-created_at")
    return Subquery(reports.values("verdict")[:1])


def _with_document_verdict(documents: QuerySet) -> QuerySet:
    # The verdict of the *current* version only: an older version's "passed" says nothing
    # about the file the reader opens now.
    current = DocumentVersion.objects.filter(document=OuterRef(OuterRef("pk"))).order_by("-number")
    reports = ValidationReport.objects.filter(
        version__document=OuterRef("pk"), version__number=Subquery(current.values("number")[:1])
    ).order_by("-created_at")
    return documents.annotate(validation_verdict=Subquery(reports.values("verdict")[:1]))


def _verdict_label(value: str | None) -> str:
    return texts.label(texts.OUTCOME_LABELS, value, translate=gettext) if value else ""


def _document_cell(document: Document) -> str:
    return _verdict_label(getattr(document, "validation_verdict", None))


def _version_cell(version: DocumentVersion) -> str:
    url = reverse("validation:version", args=[version.document_id, version.number])
    label = _verdict_label(getattr(version, "validation_verdict", None))
    return format_html('<a href="{}">{}</a>', url, label or gettext("Kiểm tra"))


def register() -> None:
    hooks.version_added_register(HOOK_NAME, version_added)
    hooks.column_register(
        hooks.DOCUMENT,
        HOOK_NAME,
        hooks.Column(heading=HEADING, annotate=_with_document_verdict, cell=_document_cell),
    )
    hooks.column_register(
        hooks.VERSION,
        HOOK_NAME,
        hooks.Column(
            heading=HEADING,
            annotate=lambda versions: versions.annotate(
                validation_verdict=_latest_verdict_of_version()
            ),
            cell=_version_cell,
        ),
    )
