"""Find what a PDF could run or follow by itself: JavaScript, automatic actions, Launch, ...

Called at upload on the PDF readers will see (``validation.pdf_inspect``). Walks only where
PDF readers look for actions — the catalogue (``/OpenAction``, ``/AA``, the ``/JavaScript`` name
tree, the form and its fields, XFA), each page's ``/AA`` and annotations, and the outline —
so it costs about what loading the pages already costs, whatever the size of the images.
A limit on the number of objects visited keeps a hostile file from making it walk forever.

An ``/OpenAction`` that only shows a page (a destination or ``GoTo``) is what most tools
write and is not flagged; a web link (``/URI`` to http/https/mailto) is an ordinary link.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject

from documents.models import ActiveContentKind as Kind

logger = logging.getLogger(__name__)

MAX_VISITS = 100_000
# Actions that only move the reader within the document (or change its view).
NAVIGATION = {"/GoTo", "/Named", "/Thread", "/GoTo3DView", "/SetOCGState", "/Trans"}
SCRIPT = {"/JavaScript", "/ECMAScript"}
SUBMIT = {"/SubmitForm", "/ImportData"}
ELSEWHERE = {"/GoToR", "/GoToE", "/GoToDp"}
WEB_SCHEMES = ("http://", "https://", "mailto:")


class _Walk:
    def __init__(self) -> None:
        self.found: set[str] = set()
        self.visits = 0
        self.seen: set[tuple[int, int]] = set()

    def first_visit(self, obj: PdfObject) -> bool:
        """False for an object already walked (loops) or once the visit budget is spent."""
        self.visits += 1
        if self.visits > MAX_VISITS:
            return False
        reference = getattr(obj, "indirect_reference", None)
        if reference is not None:
            key = (reference.idnum, reference.generation)
            if key in self.seen:
                return False
            self.seen.add(key)
        return True

    def action(self, value: PdfObject | None, *, automatic: bool) -> None:
        """One action and those chained after it with ``/Next``."""
        action = _resolve(value)
        if not isinstance(action, DictionaryObject) or not self.first_visit(action):
            return  # a destination array, or nothing
        kind = action.get("/S")
        if kind in SCRIPT or "/JS" in action:
            self.found.add(Kind.JAVASCRIPT)
        elif kind == "/Launch":
            self.found.add(Kind.LAUNCH)
        elif kind in SUBMIT:
            self.found.add(Kind.SUBMIT_FORM)
        elif kind in ELSEWHERE or (kind == "/URI" and not _web_link(action.get("/URI"))):
            self.found.add(Kind.FILE_LINK)
        if automatic and kind not in NAVIGATION:
            self.found.add(Kind.AUTOMATIC)
        following = _resolve(action.get("/Next"))
        for chained in following if isinstance(following, ArrayObject) else [following]:
            self.action(chained, automatic=automatic)

    def triggers(self, value: PdfObject | None) -> None:
        """An ``/AA`` dictionary: actions run on events (open, close, focus, keystroke...)."""
        triggers = _resolve(value)
        if isinstance(triggers, DictionaryObject) and self.first_visit(triggers):
            for event in triggers.values():
                self.action(event, automatic=True)

    def annotated(self, node: PdfObject | None) -> None:
        """An annotation or a form field: its click action and its event actions."""
        node = _resolve(node)
        if isinstance(node, DictionaryObject) and self.first_visit(node):
            self.action(node.get("/A"), automatic=False)
            self.triggers(node.get("/AA"))
            for kid in _array(node.get("/Kids")):
                self.annotated(kid)


def pdf_active_content(reader: PdfReader) -> list[str]:
    """The kinds (``ActiveContentKind`` values) of active content in *reader*'s document."""
    walk = _Walk()
    root = _resolve(reader.trailer.get("/Root"))
    if not isinstance(root, DictionaryObject):
        return []
    walk.action(root.get("/OpenAction"), automatic=True)
    walk.triggers(root.get("/AA"))
    names = _resolve(root.get("/Names"))
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        walk.found.update({Kind.JAVASCRIPT, Kind.AUTOMATIC})  # document scripts run at open
    form = _resolve(root.get("/AcroForm"))
    if isinstance(form, DictionaryObject):
        if "/XFA" in form:
            walk.found.add(Kind.XFA)
        for field in _array(form.get("/Fields")):
            walk.annotated(field)
    for page in reader.pages:
        walk.triggers(page.get("/AA"))
        for annotation in _array(page.get("/Annots")):
            walk.annotated(annotation)
    for item in _outline(root.get("/Outlines"), walk):
        walk.action(item.get("/A"), automatic=False)
    if walk.visits > MAX_VISITS:
        logger.info("active content scan stopped after %d objects", MAX_VISITS)
    return [kind.value for kind in Kind if kind in walk.found]


def _outline(value: PdfObject | None, walk: _Walk) -> Iterator[DictionaryObject]:
    """Every bookmark, depth first, without recursion (outlines can be deep or looped)."""
    top = _resolve(value)
    stack = [_resolve(top.get("/First"))] if isinstance(top, DictionaryObject) else []
    while stack:
        item = stack.pop()
        if not isinstance(item, DictionaryObject) or not walk.first_visit(item):
            continue
        yield item
        stack.append(_resolve(item.get("/Next")))
        stack.append(_resolve(item.get("/First")))


def _resolve(value: PdfObject | None) -> PdfObject | None:
    return value.get_object() if value is not None else None


def _array(value: PdfObject | None) -> list[PdfObject]:
    value = _resolve(value)
    return list(value) if isinstance(value, ArrayObject) else []


def _web_link(value: PdfObject | None) -> bool:
    target = _resolve(value)
    text = target.decode("latin-1") if isinstance(target, bytes) else str(target or "")
    return text.strip().lower().startswith(WEB_SCHEMES)
