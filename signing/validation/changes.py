"""What each incremental update after a signature changed, in words a reader understands.

pyHanko's difference analysis gives the authoritative judgement (the ``modification_level`` of
the whole tail of the file, and whether the signature's DocMDP policy allows it). This module
only *explains* it, revision by revision: another signature, a document time-stamp, long-term
validation data (DSS), form filling, annotations, or a change of the content itself. It looks
at the objects each update wrote, never at what a viewer would render.
"""

from __future__ import annotations

import enum

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.fields import MDPPerm

from signing.validation import texts


class ChangeKind(enum.StrEnum):
    SIGNATURE = "signature"
    TIMESTAMP = "timestamp"
    DSS = "dss"
    FORM = "form"
    ANNOTATION = "annotation"
    CONTENT = "content"
    METADATA = "metadata"
    UNREADABLE = "unreadable"  # the update could not be read (the file is damaged there)


# What each kind means, in words (translatable: texts.CHANGE_LABELS).
CHANGE_LABELS = {kind: texts.CHANGE_LABELS[kind.value] for kind in ChangeKind}

# What each DocMDP level lets through (ISO 32000-1 §12.8.2.2); DSS and time-stamps are always
# allowed (PAdES, ISO 32000-2). Approval signatures without DocMDP follow the form-filling rule,
# and annotations stay suspicious as in pyHanko's default policy: an annotation can cover text.
_ALWAYS = {ChangeKind.DSS, ChangeKind.TIMESTAMP, ChangeKind.METADATA}
ALLOWED_BY_PERM: dict[MDPPerm | None, set[ChangeKind]] = {
    MDPPerm.NO_CHANGES: _ALWAYS,
    MDPPerm.FILL_FORMS: _ALWAYS | {ChangeKind.SIGNATURE, ChangeKind.FORM},
    MDPPerm.ANNOTATE: _ALWAYS | {ChangeKind.SIGNATURE, ChangeKind.FORM, ChangeKind.ANNOTATION},
    None: _ALWAYS | {ChangeKind.SIGNATURE, ChangeKind.FORM},
}

_DSS_KEYS = ("/Certs", "/OCSPs", "/CRLs")


def _dss_refs(reader: PdfFileReader, revision: int) -> set[tuple[int, int]]:
    """References of the DSS dictionary and everything it lists, as of *revision*."""
    root = reader.get_historical_root(revision)
    raw = root.raw_get("/DSS") if "/DSS" in root else None
    refs: set[tuple[int, int]] = set()
    if isinstance(raw, generic.IndirectObject):
        refs.add((raw.idnum, raw.generation))
    dss = raw.get_object() if raw is not None else None
    if not isinstance(dss, generic.DictionaryObject):
        return refs
    for key in _DSS_KEYS:
        for item in dss.get(key, generic.ArrayObject()):
            if isinstance(item, generic.IndirectObject):
                refs.add((item.idnum, item.generation))
    vri = dss.raw_get("/VRI") if "/VRI" in dss else None
    if isinstance(vri, generic.IndirectObject):
        refs.add((vri.idnum, vri.generation))
    vri_dict = vri.get_object() if vri is not None else None
    if isinstance(vri_dict, generic.DictionaryObject):
        for entry in vri_dict.values():
            if isinstance(entry, generic.IndirectObject):
                refs.add((entry.idnum, entry.generation))
    return refs


def _object_kind(obj: generic.PdfObject) -> ChangeKind | None:
    """The kind an object written by an update belongs to; None if neutral (root, AcroForm)."""
    if not isinstance(obj, generic.DictionaryObject):
        return ChangeKind.CONTENT
    obj_type = obj.get("/Type")
    if obj_type in ("/Catalog", "/Metadata", "/XRef", "/ObjStm"):
        return None  # bookkeeping, or judged through what it points to
    if "/FT" in obj or obj.get("/Subtype") == "/Widget":
        return ChangeKind.FORM
    if obj_type == "/Annot" or ("/Subtype" in obj and "/Rect" in obj):
        return ChangeKind.ANNOTATION
    if obj_type == "/Sig" or "/ByteRange" in obj:
        return ChangeKind.SIGNATURE
    if "/Fields" in obj:  # AcroForm dictionary
        return None
    if "/Producer" in obj or "/ModDate" in obj:
        return ChangeKind.METADATA
    if obj_type == "/Page":
        return ChangeKind.CONTENT  # refined by _page_kind
    return ChangeKind.CONTENT


def _page_kind(reader: PdfFileReader, ref: generic.Reference, revision: int) -> ChangeKind:
    """A page rewritten only to list a new annotation or widget is not a content change."""
    try:
        before = reader.get_historical_resolver(revision - 1).get_object(ref)
    except (KeyError, PdfError, IndexError):
        return ChangeKind.CONTENT
    after = reader.get_historical_resolver(revision).get_object(ref)
    if not isinstance(before, generic.DictionaryObject):
        return ChangeKind.CONTENT
    keys = (set(before) | set(after)) - {"/Annots"}
    same = all(_raw(before, k) == _raw(after, k) for k in keys)
    return ChangeKind.ANNOTATION if same else ChangeKind.CONTENT


def revision_kinds(
    reader: PdfFileReader, revision: int, *, signature_revisions: dict[int, str]
) -> set[ChangeKind]:
    """Kinds of change made by *revision* (0-based), given which revisions carry signatures."""
    if revision in signature_revisions:
        return {ChangeKind(signature_revisions[revision])}
    dss = _dss_refs(reader, revision)
    kinds: set[ChangeKind] = set()
    resolver = reader.get_historical_resolver(revision)
    written = list(reader.xrefs.explicit_refs_in_revision(revision))
    field_appearances = _appearances_of_written_fields(resolver, written)
    for ref in written:
        if (ref.idnum, ref.generation) in dss:
            kinds.add(ChangeKind.DSS)
            continue
        obj = resolver.get_object(ref)
        kind = _object_kind(obj)
        if kind is ChangeKind.CONTENT and isinstance(obj, generic.DictionaryObject):
            if obj.get("/Type") == "/Page":
                kind = _page_kind(reader, ref, revision)
            elif _is_appearance_only(obj) and not _existed_before(reader, ref, revision):
                kind = None
            elif _is_new_resource(obj) and not _existed_before(reader, ref, revision):
                # Fonts and bare streams written with a new appearance change nothing on their
                # own: only what references them can, and that is judged where it is rewritten.
                kind = None
            elif _is_appearance_only(obj) and (ref.idnum, ref.generation) in field_appearances:
                # Filling a form field (the number and date after signing, Decree 30 Art. 15.3)
                # rewrites that field's own appearance; it is form filling, not page content.
                kind = ChangeKind.FORM
        if kind is not None:
            kinds.add(kind)
    return kinds or {ChangeKind.METADATA}


def _raw(obj: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    """The entry without resolving references (pyHanko's raw_get has no default)."""
    return obj.raw_get(key) if key in obj else None


def _appearances_of_written_fields(
    resolver: HistoricalResolver, written: list[generic.Reference]
) -> set[tuple[int, int]]:
    """References of the appearance streams of form fields rewritten in this revision."""
    refs: set[tuple[int, int]] = set()
    for ref in written:
        try:
            obj = resolver.get_object(ref)
        except (KeyError, PdfError, IndexError):
            continue
        if not isinstance(obj, generic.DictionaryObject):
            continue
        if "/FT" not in obj and obj.get("/Subtype") != "/Widget":
            continue
        appearance = _raw(obj, "/AP")
        if isinstance(appearance, generic.IndirectObject):
            appearance = appearance.get_object()
        if not isinstance(appearance, generic.DictionaryObject):
            continue
        for key in ("/N", "/D", "/R"):
            entry = _raw(appearance, key)
            if isinstance(entry, generic.IndirectObject):
                refs.add((entry.idnum, entry.generation))
    return refs


def _is_new_resource(obj: generic.DictionaryObject) -> bool:
    if obj.get("/Type") in ("/Font", "/FontDescriptor", "/ExtGState"):
        return True
    return isinstance(obj, generic.StreamObject) and "/Type" not in obj and "/Subtype" not in obj


def _is_appearance_only(obj: generic.PdfObject) -> bool:
    # A *new* form XObject written with a widget or annotation is its appearance; rewriting an
    # existing one is how shadow attacks swap what a page shows, so that stays a content change.
    return (
        isinstance(obj, generic.StreamObject) and obj.get("/Subtype") == "/Form" and "/BBox" in obj
    )


def _existed_before(reader: PdfFileReader, ref: generic.Reference, revision: int) -> bool:
    try:
        previous = reader.get_historical_resolver(revision - 1).get_object(ref)
    except (KeyError, PdfError, IndexError):
        return False
    return not isinstance(previous, generic.NullObject)


def describe(kinds: set[ChangeKind]) -> str:
    ordered = [CHANGE_LABELS[kind] for kind in ChangeKind if kind in kinds]
    return "; ".join(ordered)


def allowed(kinds: set[ChangeKind], perm: MDPPerm | None) -> bool:
    return kinds <= ALLOWED_BY_PERM[perm]
