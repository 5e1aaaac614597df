"""The validation report: typed, serialisable, and explained line by line in Vietnamese.

Shaped after the EU DSS *simple report*: one overall verdict (passed / indeterminate / failed)
with its reasons, then one entry per signature and per document time-stamp, each a list of
checks. Every check carries a machine code (stable, for the JSON schema and tests), a status and
a Vietnamese sentence a non-specialist can read, rendered from ``texts.MESSAGES``: the sentence's
id and parameters are kept beside it, so that the web page and the PDF can say it again in the
reader's language (``signing.validation.presentation``).

Nothing here imports Django: the engine runs in a child process that never sets Django up, and
the report crosses the process boundary by pickling these dataclasses.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from signing.validation import texts

SCHEMA_VERSION = 2  # 2: passed_with_warnings, signature_type, visual_changes (additions only)


class Outcome(enum.StrEnum):
    """Same values as ``signing.models.Verdict`` (which needs Django, so is not used here)."""

    PASSED = "passed"
    # Sound, but a permitted later change altered the page outside the areas the workflow
    # expects (``visual``): look at the pictures before relying on it.
    PASSED_WITH_WARNINGS = "passed_with_warnings"
    INDETERMINATE = "indeterminate"
    FAILED = "failed"


OUTCOME_LABELS = {outcome: texts.OUTCOME_LABELS[outcome.value] for outcome in Outcome}


class CheckStatus(enum.StrEnum):
    PASSED = "passed"
    INFO = "info"  # a fact worth showing that does not weigh on the verdict
    WARNING = "warning"  # worth a look, does not change the verdict
    CAUTION = "caution"  # the page looks different: at best "passed with warnings"
    INDETERMINATE = "indeterminate"
    FAILED = "failed"


STATUS_LABELS = {status: texts.STATUS_LABELS[status.value] for status in CheckStatus}

# How much a check's status weighs on its signature's verdict.
_WEIGHT = {
    CheckStatus.PASSED: Outcome.PASSED,
    CheckStatus.INFO: Outcome.PASSED,
    CheckStatus.WARNING: Outcome.PASSED,
    CheckStatus.CAUTION: Outcome.PASSED_WITH_WARNINGS,
    CheckStatus.INDETERMINATE: Outcome.INDETERMINATE,
    CheckStatus.FAILED: Outcome.FAILED,
}
_ORDER = {
    Outcome.PASSED: 0,
    Outcome.PASSED_WITH_WARNINGS: 1,
    Outcome.INDETERMINATE: 2,
    Outcome.FAILED: 3,
}


def worst(outcomes: list[Outcome]) -> Outcome:
    return max(outcomes, key=_ORDER.__getitem__, default=Outcome.PASSED)


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    status: CheckStatus
    message: str  # Vietnamese, rendered from message_id and params
    message_id: str = ""  # a key of texts.MESSAGES
    params: dict[str, Any] = field(default_factory=dict)  # JSON-ready, see texts


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    common_name: str
    organisation: str
    serial: str  # hexadecimal, as certificate viewers print it
    issuer: str
    not_before: datetime
    not_after: datetime
    sha256: str


@dataclass(frozen=True)
class LaterChange:
    """One incremental update made after the signed revision, and whether policy allows it."""

    revision: int  # 1-based, as people count
    kinds: tuple[str, ...]  # ChangeKind values
    description: str
    allowed: bool


@dataclass(frozen=True)
class VisualChange:
    """A page that looks different now from when it was signed (``signing.validation.visual``).

    Rectangles are ``[x1, y1, x2, y2]`` in PDF points from the bottom-left of the page's crop
    box. ``regions``: changed outside the areas the workflow expects; ``expected``: changed
    inside them (a later signature's widget, KyHop's number and date fields)."""

    page: int  # 1-based
    regions: tuple[tuple[float, float, float, float], ...]
    expected: tuple[tuple[float, float, float, float], ...] = ()
    presence: str = ""  # "added" | "removed" | ""
    thumbnail_signed: str = ""  # data: URL of a small PNG, or "" (not kept)
    thumbnail_now: str = ""


@dataclass(frozen=True)
class Revocation:
    status: str  # "good" | "revoked" | "unknown" | "not_checked"
    source: str  # "embedded" | "fetched" | "none"
    message: str


@dataclass
class SignatureResult:
    """One signature (``kind == "signature"``) or document time-stamp (``"timestamp"``)."""

    kind: str
    field_name: str
    outcome: Outcome = Outcome.INDETERMINATE
    signer: CertificateInfo | None = None
    chain: list[CertificateInfo] = field(default_factory=list)
    trust_root: str = ""
    claimed_signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    signed_revision: int = 0  # 1-based
    total_revisions: int = 0
    coverage: str = "unknown"  # "entire_file" | "entire_revision" | "partial" | "unknown"
    modification_level: str = ""
    certification: str = ""  # DocMDP permission if this is a certification signature
    signature_type: str = ""  # "certification" | "approval" | "" (time-stamps, unread)
    later_changes: list[LaterChange] = field(default_factory=list)
    pages_compared: int = 0  # pages rendered and compared with the final file (0: none)
    visual_changes: list[VisualChange] = field(default_factory=list)
    revocation: Revocation | None = None
    digest_algorithm: str = ""
    signature_algorithm: str = ""
    key: str = ""
    pades_level: str = ""  # "B-B" | "B-T" | "B-LT" | "B-LTA" | "CMS" | "" (time-stamps)
    reason: str = ""
    location: str = ""
    checks: list[Check] = field(default_factory=list)

    def add(self, code: str, status: CheckStatus, message_id: str, **params: Any) -> None:
        """A check line: its title comes from *code*, its sentence from *message_id*."""
        self.checks.append(
            Check(
                code=code,
                title=texts.TITLES[code],
                status=status,
                message=texts.render(message_id, params),
                message_id=message_id,
                params=params,
            )
        )

    def conclude(self) -> None:
        self.outcome = worst([_WEIGHT[check.status] for check in self.checks])

    @property
    def reasons(self) -> list[Check]:
        """The checks that made this result less than passed."""
        return [c for c in self.checks if _WEIGHT[c.status] is not Outcome.PASSED]


@dataclass(frozen=True)
class Refusal:
    """Why the file could not be checked at all (not a PDF, encrypted, too big, too slow…)."""

    code: str
    message: str  # Vietnamese, rendered from message_id and params
    message_id: str = ""
    params: dict[str, Any] = field(default_factory=dict)


def refusal(code: str, message_id: str = "", **params: Any) -> Refusal:
    """A refusal whose sentence is ``texts.MESSAGES["refusal.<code>"]`` unless named."""
    message_id = message_id or f"refusal.{code}"
    return Refusal(
        code=code,
        message=texts.render(message_id, params),
        message_id=message_id,
        params=params,
    )


@dataclass
class Report:
    file_sha256: str
    file_name: str
    file_size: int
    validated_at: datetime
    fetch_enabled: bool
    trust_roots: list[str]
    outcome: Outcome = Outcome.INDETERMINATE
    summary: str = ""
    reasons: list[str] = field(default_factory=list)
    refusal: Refusal | None = None
    lenient_parsing: bool = False
    total_revisions: int = 0
    signatures: list[SignatureResult] = field(default_factory=list)
    timestamps: list[SignatureResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    elapsed_ms: int = 0
    schema_version: int = SCHEMA_VERSION

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def readable(self) -> bool:
        return self.refusal is None

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict following docs/validation-report.schema.json."""
        data = _jsonable(asdict(self))
        data["outcome_label"] = self.outcome_label
        for key in ("signatures", "timestamps"):
            for item, result in zip(data[key], getattr(self, key), strict=True):
                item["outcome_label"] = OUTCOME_LABELS[result.outcome]
                for check in item["checks"]:
                    check["status_label"] = STATUS_LABELS[CheckStatus(check["status"])]
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def conclude(report: Report) -> None:
    """Set the overall outcome, its one-line summary and its reasons from the parts."""
    results = report.signatures + report.timestamps
    if report.refusal is None:
        for result in results:
            result.conclude()
    if report.refusal is None and report.signatures:
        report.outcome = worst([r.outcome for r in results])
    else:
        report.outcome = Outcome.INDETERMINATE
    data = report.as_json()
    report.summary = summary(data)
    report.reasons = reasons(data)


# The summary and the reasons depend only on the rest of the report: the presentation layer
# calls these with its own *translate* on a stored report (``Report.as_json()``).


def summary(data: dict[str, Any], *, translate: texts.Translate = texts.source) -> str:
    refused = data.get("refusal")
    if refused is not None:
        reason = message_of(refused, translate=translate)
        return texts.render("summary.refused", {"reason": reason}, translate=translate)
    if not data["signatures"]:
        return texts.render("summary.no_signatures", translate=translate)
    outcome = data["outcome"]
    params = {"count": len(data["signatures"])} if outcome == Outcome.PASSED else {}
    return texts.render(f"summary.{outcome}", params, translate=translate)


def reasons(data: dict[str, Any], *, translate: texts.Translate = texts.source) -> list[str]:
    refused = data.get("refusal")
    if refused is not None:
        return [message_of(refused, translate=translate)]
    if not data["signatures"]:
        return [summary(data, translate=translate)]
    return [
        f"{result_label(item, translate=translate)}: {message_of(check, translate=translate)}"
        for item in data["signatures"] + data["timestamps"]
        for check in item["checks"]
        if _WEIGHT[CheckStatus(check["status"])] is not Outcome.PASSED
    ]


def result_label(item: dict[str, Any], *, translate: texts.Translate = texts.source) -> str:
    """Who a reason is about: a signature (and its signer) or a document time-stamp."""
    field_name = item["field_name"]
    if item["kind"] == "timestamp":
        return texts.render("label.timestamp", {"field": field_name}, translate=translate)
    signer = item.get("signer")
    who = signer["common_name"] if signer else field_name
    return texts.render("label.signature", {"field": field_name, "who": who}, translate=translate)


def message_of(item: dict[str, Any], *, translate: texts.Translate = texts.source) -> str:
    """A check's or refusal's sentence again from its id, else the stored one (older reports)."""
    message_id = item.get("message_id")
    if message_id in texts.MESSAGES:
        return texts.render(message_id, item.get("params"), translate=translate)
    return item["message"]
