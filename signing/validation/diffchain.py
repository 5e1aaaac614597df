"""Difference analysis in linear time for files signed many times.

pyHanko's ``StandardDiffPolicy`` compares a signature's signed revision with *every* later
revision, and does so for each signature: with n signatures (each B-LTA signature adds three
revisions) that is O(n²) revision comparisons, and it dominated validation time.

When the next signature in the file is bound by the same policy (no field locks, same DocMDP
level), the revisions after it have already been judged against a later, itself judged,
state of the document — under that same policy. So signature *i* only compares its signed
revision with the revisions up to the next signature's, and adopts the next signature's
verdict on everything after it. Whenever that reasoning does not hold (field locks, a
different DocMDP level, a next signature whose own review found something suspicious or whose
coverage is abnormal) the full pyHanko review runs, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    DiffPolicy,
    DiffResult,
    ModificationLevel,
    SuspiciousModification,
)
from pyhanko.sign.fields import FieldMDPSpec, MDPPerm


@dataclass(frozen=True)
class Tail:
    """The judgement of every revision after ``revision``, under DocMDP level ``doc_mdp``."""

    revision: int
    doc_mdp: MDPPerm | None
    result: DiffResult


def can_chain(
    tail: Tail | None, *, field_mdp: FieldMDPSpec | None, doc_mdp: MDPPerm | None
) -> bool:
    return tail is not None and field_mdp is None and doc_mdp == tail.doc_mdp


class ChainedDiffPolicy(DiffPolicy):
    """Review up to ``tail.revision`` with pyHanko's policy, then adopt ``tail.result``."""

    def __init__(self, tail: Tail) -> None:
        self.tail = tail

    def apply(
        self,
        old: HistoricalResolver,
        new: HistoricalResolver,
        field_mdp_spec: FieldMDPSpec | None = None,
        doc_mdp: MDPPerm | None = None,
    ) -> DiffResult:
        return DEFAULT_DIFF_POLICY.apply(old, new, field_mdp_spec, doc_mdp)

    def review_file(
        self,
        reader: PdfFileReader,
        base_revision: int | HistoricalResolver,
        field_mdp_spec: FieldMDPSpec | None = None,
        doc_mdp: MDPPerm | None = None,
    ) -> DiffResult | SuspiciousModification:
        base = (
            reader.get_historical_resolver(base_revision)
            if isinstance(base_revision, int)
            else base_revision
        )
        level = ModificationLevel.NONE
        fields: set[str] = set()
        for revision in range(
            base.revision + 1, min(self.tail.revision, reader.xrefs.total_revisions - 1) + 1
        ):
            try:
                found = self.apply(
                    base, reader.get_historical_resolver(revision), field_mdp_spec, doc_mdp
                )
            except SuspiciousModification as exc:
                return exc
            level = max(level, found.modification_level)
            fields |= found.changed_form_fields
        level = max(level, self.tail.result.modification_level)
        return DiffResult(level, fields | self.tail.result.changed_form_fields)
