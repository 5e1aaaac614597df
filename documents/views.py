"""Document screens and downloads. Each view parses input, calls one service or selector, renders.

Anything the user may not see answers 404, never 403, so that an id in a URL does not reveal
whether a document exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from accounts.models import Body
from documents import hooks, services
from documents.forms import DocumentCreateForm, DocumentSearchForm, VersionAddForm
from documents.incoming.selectors import distributions_of
from documents.incoming.services import may_distribute
from documents.models import Document, DocumentVersion, IncomingEntry, ReadingCopy
from documents.reader.http import blob_response
from documents.selectors import (
    bodies_user_can_file_for,
    document_can_add_version,
    document_version_for,
    document_versions,
    documents_search_page,
    documents_visible_to,
)


def _visible_document(request: AuthenticatedRequest, pk: int) -> Document:
    queryset = documents_visible_to(request.user).select_related(
        "issuing_body", "owning_body", "created_by"
    )
    return get_object_or_404(hooks.annotate(hooks.DOCUMENT, queryset), pk=pk)


def _visible_version(request: AuthenticatedRequest, pk: int, number: int) -> DocumentVersion:
    version = document_version_for(request.user, document_id=pk, number=number)
    if version is None:
        raise Http404(gettext("Không tìm thấy văn bản."))
    return version


@login_required
@require_safe
def document_list(request: AuthenticatedRequest) -> HttpResponse:
    form = DocumentSearchForm(request.GET or None, bodies=Body.objects.filter(is_active=True))
    page = documents_search_page(
        request.user,
        form.to_query(),
        request.GET.get("trang"),
        # Extra columns (signing's signature check) as subqueries: no extra queries per row.
        prepare=lambda documents: hooks.annotate(hooks.DOCUMENT, documents),
    )
    can_create = bodies_user_can_file_for(request.user).exists()
    actions = hooks.actions(request.user, page.object_list)
    context = {
        "form": form,
        "page": page,
        "can_create": can_create,
        "extra_headings": [column.heading for column in hooks.columns(hooks.DOCUMENT)],
        "rows": [
            (document, cells, actions.get(document.pk, []))
            for document, cells in hooks.rows(hooks.DOCUMENT, page.object_list)
        ],
    }
    return render(request, "documents/document_list.html", context)


@login_required
@require_safe
def document_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = _visible_document(request, pk)
    return _render_detail(request, document, VersionAddForm())


def _render_detail(
    request: AuthenticatedRequest, document: Document, form: VersionAddForm, status: int = 200
) -> HttpResponse:
    can_add = document_can_add_version(request.user, document)
    versions = hooks.annotate(hooks.VERSION, document_versions(document))
    context = {
        "document": document,
        "versions": versions,
        "version_headings": [column.heading for column in hooks.columns(hooks.VERSION)],
        "version_rows": hooks.rows(hooks.VERSION, versions),
        "document_facts": _extra_facts(document),
        "document_actions": hooks.actions(request.user, [document]).get(document.pk, []),
        "form": form if can_add else None,
        "may_distribute": may_distribute(request.user, document),
        "distributions": distributions_of(document),
        "incoming_entry": IncomingEntry.objects.filter(document=document)
        .select_related("sender")
        .first(),
    }
    return render(request, "documents/document_detail.html", context, status=status)


def _extra_facts(document: Document) -> list[tuple[str, str]]:
    """(heading, value) of the extra document columns, shown as facts on the detail page."""
    cells = hooks.rows(hooks.DOCUMENT, [document])[0][1]
    return list(zip((c.heading for c in hooks.columns(hooks.DOCUMENT)), cells, strict=True))


@login_required
@require_POST
def version_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = _visible_document(request, pk)
    form = VersionAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.document_version_add(
                actor=request.user,
                document=document,
                upload=form.cleaned_data["upload"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error("upload", exc)
        else:
            messages.success(
                request, gettext("Đã thêm phiên bản %(number)s.") % {"number": version.number}
            )
            return redirect("documents:detail", pk=document.pk)
    return _render_detail(request, document, form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def document_create(request: AuthenticatedRequest) -> HttpResponse:
    bodies = bodies_user_can_file_for(request.user)
    form = DocumentCreateForm(request.POST or None, request.FILES or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, gettext("Đã đăng ký văn bản."))
            return redirect("documents:detail", pk=document.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/document_form.html", {"form": form}, status=status)


def _add_service_error(form: DocumentCreateForm, exc: ValidationError) -> None:
    """Field errors go to their field when the form has it; file errors to the file field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("upload", exc)


@login_required
@require_safe
def version_file(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponseBase:
    version = _visible_version(request, pk, number)
    return blob_response(request, version.blob, filename=_pdf_name(version))


@login_required
@require_safe
def version_reading_file(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponseBase:
    """What the reader loads: the packed reading copy when there is one, else the file itself."""
    version = _visible_version(request, pk, number)
    copy = ReadingCopy.objects.filter(source_id=version.blob_id).select_related("blob").first()
    blob = copy.blob if copy is not None else version.blob
    return blob_response(request, blob, filename=_pdf_name(version))


@login_required
@require_safe
def version_original(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponseBase:
    version = _visible_version(request, pk, number)
    if version.original is None:
        raise Http404(gettext("Phiên bản này không có tệp gốc."))
    return blob_response(request, version.original, filename=version.file_name, inline=False)


def _pdf_name(version: DocumentVersion) -> str:
    label = version.document.number_symbol.replace("/", "-") or f"van-ban-{version.document_id}"
    return f"{label}-v{version.number}.pdf"


@login_required
@require_safe
def document_viewer(
    request: AuthenticatedRequest, pk: int, number: int | None = None
) -> HttpResponse:
    document = _visible_document(request, pk)
    versions = document_versions(document)
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404(gettext("Không tìm thấy phiên bản."))
    context = {
        "document": document,
        "version": version,
        "document_actions": hooks.actions(request.user, [document]).get(document.pk, []),
    }
    return render(request, "documents/viewer.html", context)
