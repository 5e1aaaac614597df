"""The validation report: typed, serialisable, and explained line by line in Vietnamese.

Shaped after the EU DSS *simple report*: one overall verdict (passed / indeterminate / failed)
with its reasons, then one entry per signature and per document time-stamp, each a list of
checks. Every check carries a machine code (stable, for the JSON schema and tests), a status and
a Vietnamese sentence a non-specialist can read.

Nothing here imports Django: the engine runs in a child process that never sets Django up, and
the report crosses the process boundary by pickling these dataclasses.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

SCHEMA_VERSION = 1


class Outcome(enum.StrEnum):
    """Same values as ``signing.models.Verdict`` (which needs Django, so is not used here)."""

    PASSED = "passed"
    INDETERMINATE = "indeterminate"
    FAILED = "failed"


OUTCOME_LABELS = {
    Outcome.PASSED: "Hợp lệ",
    Outcome.INDETERMINATE: "Chưa xác định",
    Outcome.FAILED: "Không hợp lệ",
}


class CheckStatus(enum.StrEnum):
    PASSED = "passed"
    INFO = "info"  # a fact worth showing that does not weigh on the verdict
    WARNING = "warning"  # worth a look, does not change the verdict
    INDETERMINATE = "indeterminate"
    FAILED = "failed"


STATUS_LABELS = {
    CheckStatus.PASSED: "Đạt",
    CheckStatus.INFO: "Thông tin",
    CheckStatus.WARNING: "Lưu ý",
    CheckStatus.INDETERMINATE: "Chưa xác định",
    CheckStatus.FAILED: "Không đạt",
}

# How much a check's status weighs on its signature's verdict.
_WEIGHT = {
    CheckStatus.PASSED: Outcome.PASSED,
    CheckStatus.INFO: Outcome.PASSED,
    CheckStatus.WARNING: Outcome.PASSED,
    CheckStatus.INDETERMINATE: Outcome.INDETERMINATE,
    CheckStatus.FAILED: Outcome.FAILED,
}
_ORDER = {Outcome.PASSED: 0, Outcome.INDETERMINATE: 1, Outcome.FAILED: 2}


def worst(outcomes: list[Outcome]) -> Outcome:
    return max(outcomes, key=_ORDER.__getitem__, default=Outcome.PASSED)


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    status: CheckStatus
    message: str


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
    later_changes: list[LaterChange] = field(default_factory=list)
    revocation: Revocation | None = None
    digest_algorithm: str = ""
    signature_algorithm: str = ""
    key: str = ""
    pades_level: str = ""  # "B-B" | "B-T" | "B-LT" | "B-LTA" | "CMS" | "" (time-stamps)
    reason: str = ""
    location: str = ""
    checks: list[Check] = field(default_factory=list)

    def add(self, code: str, title: str, status: CheckStatus, message: str) -> None:
        self.checks.append(Check(code=code, title=title, status=status, message=message))

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
    message: str


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
    if report.refusal is not None:
        report.outcome = Outcome.INDETERMINATE
        report.summary = f"Không kiểm tra được tệp: {report.refusal.message}"
        report.reasons = [report.refusal.message]
        return
    results = report.signatures + report.timestamps
    for result in results:
        result.conclude()
    if not report.signatures:
        report.outcome = Outcome.INDETERMINATE
        report.summary = "Tệp không có chữ ký số nào nên không xác nhận được người ký."
        report.reasons = [report.summary]
        return
    report.outcome = worst([r.outcome for r in results])
    report.reasons = [f"{_label(r)}: {check.message}" for r in results for check in r.reasons]
    report.summary = _summary(report)


def _label(result: SignatureResult) -> str:
    if result.kind == "timestamp":
        return f"Dấu thời gian tài liệu “{result.field_name}”"
    who = result.signer.common_name if result.signer else result.field_name
    return f"Chữ ký “{result.field_name}” ({who})"


def _summary(report: Report) -> str:
    count = len(report.signatures)
    if report.outcome is Outcome.PASSED:
        return (
            f"Tất cả {count} chữ ký đều hợp lệ: nguyên vẹn, được chứng thực bởi chứng thư gốc "
            "tin cậy và không có thay đổi nào sau khi ký ngoài các thay đổi được phép."
        )
    if report.outcome is Outcome.FAILED:
        return (
            "Tài liệu KHÔNG hợp lệ: có chữ ký bị hỏng, bị giả mạo, bị thu hồi hoặc tài liệu "
            "đã bị sửa đổi theo cách chữ ký không cho phép. Xem lý do bên dưới."
        )
    return (
        "Chưa xác định được tính hợp lệ: chữ ký còn nguyên vẹn nhưng có điều chưa kiểm tra "
        "được (chứng thư gốc không nằm trong danh sách tin cậy, thiếu dữ liệu thu hồi…). "
        "Xem lý do bên dưới."
    )
