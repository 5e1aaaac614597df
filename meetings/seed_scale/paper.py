"""Documents, their versions, the outgoing registers, signing requests and work records.

A month's documents are kept in memory until the month is written, because a signing request
changes its document (number, status, new versions) after it was created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Clearance, nfc
from documents.models import (
    Document,
    DocumentStatus,
    DocumentType,
    DocumentVersion,
    IncomingEntry,
    OutgoingCounter,
    OutgoingEntry,
    Urgency,
    WorkRecord,
    WorkRecordStatus,
)
from documents.search import fold
from meetings.seed_scale import names
from meetings.seed_scale.chain import Chain
from meetings.seed_scale.pool import PoolBlob
from meetings.seed_scale.province import BodyPlan, Person
from meetings.seed_scale.writer import Writer
from signing.models import (
    AssigneeStatus,
    RequestStatus,
    SigningRequest,
    SigningStep,
    StepAssignee,
    StepKind,
    StepStatus,
)

TYPE_LABELS = dict(DocumentType.choices)
# Issued documents by type (weights): decisions, letters, reports and plans are most.
ISSUED_TYPES = [
    (DocumentType.OFFICIAL_LETTER, 40),
    (DocumentType.DECISION, 18),
    (DocumentType.REPORT, 14),
    (DocumentType.PLAN, 8),
    (DocumentType.NOTICE, 7),
    (DocumentType.PROPOSAL, 8),
    (DocumentType.RESOLUTION, 2),
    (DocumentType.MINUTES, 2),
    (DocumentType.OTHER, 1),
]
DOCUMENT_TYPES, TYPE_WEIGHTS = zip(*ISSUED_TYPES, strict=True)


@dataclass
class Version:
    number: int
    blob: PoolBlob
    at: dt.datetime
    by: Person
    note: str
    id: int = 0


@dataclass
class Doc:
    id: int
    body: BodyPlan  # owning body
    issuing: BodyPlan
    doc_type: str
    abstract: str
    created_at: dt.datetime
    created_by: Person
    status: str = DocumentStatus.DRAFT
    number: str = ""
    symbol: str = ""
    issued_on: dt.date | None = None
    signer_name: str = ""
    confidentiality: int = Clearance.NORMAL
    urgency: str = Urgency.NORMAL
    versions: list[Version] = field(default_factory=list)
    updated_at: dt.datetime | None = None
    # Registered with its number (an issued or incoming document) rather than numbered later.
    numbered_at_creation: bool = False

    @property
    def number_symbol(self) -> str:
        if self.number and self.symbol:
            return f"{self.number}/{self.symbol}"
        return self.number or self.symbol


def symbol_for(doc_type: str, body: BodyPlan) -> str:
    """Decree 30 symbols: "QĐ-UBND"; an official letter carries the body and its office."""
    if doc_type == DocumentType.OFFICIAL_LETTER:
        return f"{body.symbol}-VP"
    return f"{names.TYPE_ABBREVIATIONS.get(doc_type, 'HD')}-{body.symbol}"


class Paper:
    def __init__(
        self,
        writer: Writer,
        chain: Chain,
        rng: random.Random,
        pool: list[PoolBlob],
        bodies: list[BodyPlan],
    ) -> None:
        self.writer = writer
        self.chain = chain
        self.rng = rng
        self.pool = pool
        self.month: list[Doc] = []
        self.numbering: list[tuple[dt.datetime, Doc]] = []
        self.registers: dict[tuple[int, int, str], int] = defaultdict(int)
        self.recent_issued: deque[Doc] = deque(maxlen=4000)
        # Per body, recent documents of ordinary confidentiality, for meeting agendas.
        self.recent_by_body: dict[int, deque[int]] = defaultdict(lambda: deque(maxlen=60))
        self.records: dict[int, list[tuple[int, str, int]]] = {}  # body → [(id, code, weight)]
        self.record_rows: list[list[Any]] = []
        self.record_links = writer.table(
            WorkRecord.documents.through, ["id", "workrecord", "document"]
        )
        self.requests_made = 0
        self._pending_numbered: list[tuple[dt.datetime, Person, int, Doc]] = []
        self._record_counts: dict[int, int] = defaultdict(int)
        self._clerks = {body.id: body.clerk for body in bodies}
        # The registers' rows: this month's numbered documents and arrivals, and the last
        # number of each outgoing register (body, type, year), written at the end.
        self._numbered: list[tuple[dt.datetime, Doc]] = []
        self._arrived: list[tuple[dt.datetime, Doc, Doc]] = []
        self._arrivals: dict[tuple[int, int], int] = defaultdict(int)
        self._last_numbers: dict[tuple[int, str, int], int] = {}
        self._received: set[tuple[int, int]] = set()

    # --- documents ------------------------------------------------------------------------

    def document(
        self,
        *,
        body: BodyPlan,
        at: dt.datetime,
        doc_type: str,
        abstract: str,
        by: Person,
        issuing: BodyPlan | None = None,
        status: str = DocumentStatus.DRAFT,
        versions: int = 1,
        confidentiality: int = Clearance.NORMAL,
    ) -> Doc:
        doc = Doc(
            self.writer.new_id(Document),
            body,
            issuing or body,
            doc_type,
            nfc(abstract),
            at,
            by,
            status=status,
            confidentiality=confidentiality,
        )
        doc.symbol = symbol_for(doc_type, doc.issuing)
        for index in range(versions):
            note = "" if index == 0 else "Chỉnh sửa theo ý kiến góp ý"
            self.version(doc, at + dt.timedelta(hours=20 * index), by, note)
        self.month.append(doc)
        return doc

    def version(self, doc: Doc, at: dt.datetime, by: Person, note: str) -> Version:
        previous = doc.versions[-1].blob.id if doc.versions else None
        blob = self.pool[(doc.id * 7 + len(doc.versions) * 13) % len(self.pool)]
        if blob.id == previous:
            blob = self.pool[(self.pool.index(blob) + 1) % len(self.pool)]
        version = Version(
            len(doc.versions) + 1, blob, at, by, note, self.writer.new_id(DocumentVersion)
        )
        doc.versions.append(version)
        doc.updated_at = at
        return version

    def register_number(self, doc: Doc, at: dt.datetime) -> None:
        """Number *doc* in its issuing body's register at *at* (done in time order per month)."""
        self.numbering.append((at, doc))

    def _assign_numbers(self) -> None:
        self.numbering.sort(key=lambda entry: (entry[0], entry[1].id))
        for at, doc in self.numbering:
            local = at.astimezone(TZ)
            key = (doc.issuing.id, local.year, doc.symbol.split("-", 1)[0])
            self.registers[key] += 1
            doc.number = str(self.registers[key])
            doc.issued_on = local.date()
            self._numbered.append((at, doc))
        self.numbering = []

    def _registers_month(self) -> None:
        """The outgoing register's lines of this month's numbers, and the incoming register's
        lines of its arrivals, numbered per receiving body and year in order of arrival."""
        outgoing = self.writer.table(OutgoingEntry, OUTGOING_FIELDS)
        for at, doc in self._numbered:
            year = at.astimezone(TZ).year
            key = (doc.issuing.id, doc.doc_type, year)
            self._last_numbers[key] = max(self._last_numbers.get(key, 0), int(doc.number))
            outgoing.add(
                self.writer.new_id(OutgoingEntry),
                doc.issuing.id,
                doc.doc_type,
                year,
                int(doc.number),
                doc.id,
                doc.number_symbol,
                doc.abstract,
                doc.issued_on,
                doc.signer_name,
                self._clerks[doc.issuing.id].id,
                at,
            )
        self._numbered = []
        incoming = self.writer.table(IncomingEntry, INCOMING_FIELDS)
        for at, copy, source in sorted(self._arrived, key=lambda a: (a[0], a[1].id)):
            year = at.astimezone(TZ).year
            self._arrivals[(copy.body.id, year)] += 1
            incoming.add(
                self.writer.new_id(IncomingEntry),
                copy.body.id,
                year,
                self._arrivals[(copy.body.id, year)],
                copy.id,
                source.id,
                source.issuing.id,
                source.number_symbol,
                source.abstract,
                source.issued_on,
                self._clerks[source.issuing.id].id,
                at,
            )
        self._arrived = []

    def registers_write(self) -> None:
        """Each outgoing register's last number, as ``register_number_take`` keeps it."""
        counters = self.writer.table(
            OutgoingCounter, ["id", "body", "doc_type", "year", "last_number"]
        )
        for (body_id, doc_type, year), last in sorted(self._last_numbers.items()):
            counters.add(self.writer.new_id(OutgoingCounter), body_id, doc_type, year, last)

    def next_invitation(self, body: BodyPlan, at: dt.datetime) -> str:
        """The invitation register (GM-…), shared with the agenda that goes with it."""
        key = (body.id, at.astimezone(TZ).year, "GM")
        self.registers[key] += 1
        return str(self.registers[key])

    def incoming_copy(self, source: Doc, receiver: BodyPlan, at: dt.datetime) -> Doc | None:
        """*receiver*'s copy of *source*; None if it has one already (a body receives a
        document once, as ``document_distribute`` enforces)."""
        if (receiver.id, source.id) in self._received:
            return None
        self._received.add((receiver.id, source.id))
        doc = Doc(
            self.writer.new_id(Document),
            receiver,
            source.issuing,
            source.doc_type,
            source.abstract,
            at,
            receiver.clerk,
            status=DocumentStatus.INCOMING,
            number=source.number,
            symbol=source.symbol,
            issued_on=source.issued_on,
            signer_name=source.signer_name,
            confidentiality=source.confidentiality,
            numbered_at_creation=True,
        )
        self.version(doc, at, receiver.clerk, "")
        self.month.append(doc)
        self._arrived.append((at, doc, source))
        return doc

    # --- signing requests -----------------------------------------------------------------

    def signing_request(self, doc: Doc, at: dt.datetime) -> None:
        """Trình ký: initials, the competent person, numbering, the seal (Decree 30 order).

        Most requests complete; some stay in progress, are returned, cancelled or never sent.
        """
        body = doc.issuing
        clerk, chair = body.clerk, body.chair
        drafter = self.rng.choice(body.with_role("member", "vice_chair") or [chair])
        pk = self.writer.new_id(SigningRequest)
        self.requests_made += 1
        outcome = self.rng.choices(
            ["completed", "in_progress", "returned", "cancelled", "draft"], [90, 4, 3, 2, 1]
        )[0]
        source = doc.versions[-1]
        request = {
            "id": pk,
            "source": source,
            "current": None,
            "sent_at": None,
            "completed_at": None,
            "status": RequestStatus.DRAFT,
            "return_reason": "",
            "numbered_at": None,
            "created_at": at,
        }
        steps = [
            (StepKind.INITIAL, drafter, None),
            (StepKind.MAIN, chair, None),
            (StepKind.SEAL, None, body),
        ]
        step_state = [[StepStatus.PENDING, AssigneeStatus.WAITING, None, None, ""] for _ in steps]
        self._audit_request(
            at, clerk, "request_created", pk, doc, sha256=source.blob.sha256, level="B-LTA"
        )
        if outcome != "draft":
            self._request_flow(doc, request, steps, step_state, outcome, clerk, at)
        self._request_rows(doc, request, steps, step_state, clerk)

    def _request_flow(self, doc, request, steps, state, outcome, clerk, at) -> None:
        sent = at + dt.timedelta(minutes=50)
        prepared = self.version(doc, sent, clerk, "Chuẩn bị trình ký")
        request.update(current=prepared, sent_at=sent, status=RequestStatus.IN_PROGRESS)
        self._audit_request(
            sent,
            clerk,
            "request_sent",
            request["id"],
            doc,
            source_sha256=request["source"].blob.sha256,
            prepared_sha256=prepared.blob.sha256,
            version=prepared.number,
        )
        state[0][0] = StepStatus.ACTIVE
        if outcome == "cancelled":
            request["status"] = RequestStatus.CANCELLED
            self._audit_request(
                sent + dt.timedelta(hours=2), clerk, "request_cancelled", request["id"], doc
            )
            return
        moments = [
            sent + dt.timedelta(hours=2),
            sent + dt.timedelta(hours=22),
            sent + dt.timedelta(hours=24),
        ]
        for index, (kind, user, _seal) in enumerate(steps):
            when = moments[index]
            if outcome == "returned" and kind == StepKind.MAIN:
                reason = "Đề nghị bổ sung số liệu và căn cứ pháp lý"
                state[index][:5] = [
                    StepStatus.RETURNED,
                    AssigneeStatus.RETURNED,
                    when,
                    user,
                    reason,
                ]
                request.update(status=RequestStatus.RETURNED, return_reason=reason)
                self._audit_request(
                    when,
                    user,
                    "step_returned",
                    request["id"],
                    doc,
                    step=index + 1,
                    reason=reason,
                    sha256=request["current"].blob.sha256,
                )
                return
            if outcome == "in_progress" and kind == StepKind.MAIN:
                state[index][0] = StepStatus.ACTIVE
                return
            if kind == StepKind.SEAL:
                self._number(doc, request, clerk, when - dt.timedelta(hours=1))
            actor = user or clerk
            self._step_signed(doc, request, index, kind, actor, when, state)
        request.update(status=RequestStatus.COMPLETED, completed_at=moments[-1])
        doc.status = DocumentStatus.ISSUED
        doc.signer_name = doc.issuing.chair.full_name
        self._audit_request(
            moments[-1],
            clerk,
            "request_completed",
            request["id"],
            doc,
            final_sha256=request["current"].blob.sha256,
            version=request["current"].number,
        )

    def _step_signed(self, doc, request, index, kind, actor, when, state) -> None:
        label = {
            StepKind.INITIAL: "Ký nháy",
            StepKind.MAIN: "Ký chính (người có thẩm quyền)",
            StepKind.SEAL: "Đóng dấu cơ quan",
        }[kind]
        base = request["current"]
        version = self.version(doc, when, actor, f"{label}: {actor.full_name}")
        request["current"] = version
        state[index][:5] = [StepStatus.DONE, AssigneeStatus.SIGNED, when, actor, ""]
        state[index].append(version)
        if index + 1 < len(state):
            state[index + 1][0] = StepStatus.ACTIVE
        verb = {StepKind.INITIAL: "initialled", StepKind.MAIN: "signed", StepKind.SEAL: "sealed"}[
            kind
        ]
        identity = f"seed-{actor.username}" if kind != StepKind.SEAL else f"seal-{doc.issuing.code}"
        self._audit_request(
            when,
            actor,
            f"step_{verb}",
            request["id"],
            doc,
            step=index + 1,
            field=FIELD_NAMES[kind].format(order=index + 1),
            identity=identity,
            certificate_sha256=hashlib.sha256(identity.encode()).hexdigest(),
            revocation="good",
            revocation_checked_at=when,
            level="B-LTA",
            before_sha256=base.blob.sha256,
            after_sha256=version.blob.sha256,
            version=version.number,
        )

    def _number(self, doc: Doc, request: dict, clerk: Person, when: dt.datetime) -> None:
        self.register_number(doc, when)
        request["numbered_at"] = when
        # The number is known once the month's register is run; the event is built then.
        self._pending_numbered.append((when, clerk, request["id"], doc))

    def _audit_request(self, at, actor, verb, pk, doc, **details) -> None:
        self.chain.add(
            at,
            actor.actor if actor else None,
            f"signing.{verb}",
            "signing.signingrequest",
            pk,
            {"document": doc.id, **details},
        )

    def _request_rows(self, doc, request, steps, state, clerk) -> None:
        self.writer.table(SigningRequest, REQUEST_FIELDS).add(
            request["id"],
            doc.id,
            request["source"].id,
            request["current"].id if request["current"] else None,
            doc.issuing.id,
            doc.abstract[:500],
            "B-LTA",
            request["status"],
            False,
            None,
            None,
            request["numbered_at"],
            clerk.id,
            request["created_at"],
            request["sent_at"],
            request["completed_at"],
            request["return_reason"],
        )
        step_table = self.writer.table(SigningStep, ["id", "request", "order", "kind", "status"])
        assignee_table = self.writer.table(StepAssignee, ASSIGNEE_FIELDS)
        for index, (kind, user, seal_body) in enumerate(steps):
            step_id = self.writer.new_id(SigningStep)
            status, assignee_status, acted_at, acted_by, reason = state[index][:5]
            signed = state[index][5].id if len(state[index]) > 5 else None
            step_table.add(step_id, request["id"], index + 1, kind, status)
            assignee_table.add(
                self.writer.new_id(StepAssignee),
                step_id,
                user.id if user else None,
                seal_body.id if seal_body else None,
                FIELD_NAMES[kind].format(order=index + 1),
                assignee_status,
                acted_at,
                acted_by.id if acted_by else None,
                reason,
                signed,
                "",
            )

    # --- work records ---------------------------------------------------------------------

    def records_open(
        self, bodies: list[BodyPlan], year: int, at: dt.datetime, per_body: int
    ) -> None:
        """Each body's records (hồ sơ) of *year*; the first of each is the large one."""
        for body in bodies:
            opened = []
            for number in range(1, per_body + 1):
                pk = self.writer.new_id(WorkRecord)
                code = f"{body.code}-{year}-{number:02d}"
                topic = self.rng.choice(names.TOPICS)
                name = nfc(f"Hồ sơ {topic} năm {year} - {body.short}")
                retention = self.rng.choice([None, 5, 10, 20])
                self.record_rows.append(
                    [pk, code, name, body.id, retention, body.clerk.id, at, year]
                )
                self.chain.add(
                    at,
                    body.clerk.actor,
                    "work_record.opened",
                    "documents.workrecord",
                    pk,
                    {"code": code, "body": body.code, "retention": retention},
                )
                opened.append((pk, code, 3 if number == 1 else 1))
            self.records[body.id] = opened

    def record_file(self, doc: Doc) -> None:
        records = self.records.get(doc.body.id)
        if not records or self.rng.random() > 0.5:
            return
        pk, code, _weight = self.rng.choices(records, [w for _p, _c, w in records])[0]
        at = doc.created_at + dt.timedelta(days=1)
        self.record_links.add(self.writer.new_id(WorkRecord.documents.through), pk, doc.id)
        self.chain.add(
            at,
            doc.body.clerk.actor,
            "work_record.document_added",
            "documents.workrecord",
            pk,
            {"code": code, "document": doc.id},
        )
        self._record_counts[pk] += 1

    def records_close(self, year: int, at: dt.datetime) -> None:
        """Close every record of *year* (Dec 31): read-only from then on."""
        for row in self.record_rows:
            if row[7] == year and len(row) == 8:
                row.append(at)
                body_clerk = self._clerks[row[3]]
                self.chain.add(
                    at,
                    body_clerk.actor,
                    "work_record.closed",
                    "documents.workrecord",
                    row[0],
                    {"code": row[1], "documents": self._record_counts[row[0]]},
                )

    def records_write(self) -> None:
        table = self.writer.table(
            WorkRecord,
            [
                "id",
                "code",
                "name",
                "owning_body",
                "retention_years",
                "status",
                "created_by",
                "created_at",
                "closed_at",
            ],
        )
        for row in self.record_rows:
            closed = row[8] if len(row) > 8 else None
            status = WorkRecordStatus.CLOSED if closed else WorkRecordStatus.OPEN
            table.add(row[0], row[1], row[2], row[3], row[4], status, row[5], row[6], closed)
        self.record_rows = []

    # --- writing a month ------------------------------------------------------------------

    def month_write(self) -> None:
        self._assign_numbers()
        self._registers_month()
        for when, clerk, pk, doc in self._pending_numbered:
            version = doc.versions[-1]
            self.chain.add(
                when,
                clerk.actor,
                "signing.request_numbered",
                "signing.signingrequest",
                pk,
                {
                    "document": doc.id,
                    "number_symbol": doc.number_symbol,
                    "issued_on": doc.issued_on,
                    "before_sha256": version.blob.sha256,
                    "after_sha256": version.blob.sha256,
                },
            )
        self._pending_numbered = []
        documents = self.writer.table(Document, DOCUMENT_FIELDS)
        versions = self.writer.table(DocumentVersion, VERSION_FIELDS)
        for doc in self.month:
            self._document_events(doc)
            if doc.status == DocumentStatus.ISSUED and doc.number:
                self.recent_issued.append(doc)
            documents.add(
                doc.id,
                doc.number,
                doc.symbol,
                doc.doc_type,
                doc.abstract,
                doc.issuing.id,
                doc.issued_on,
                doc.signer_name,
                doc.confidentiality,
                doc.urgency,
                doc.status,
                doc.body.id,
                doc.created_by.id,
                doc.created_at,
                doc.updated_at or doc.created_at,
                self._search_text(doc),
            )
            for version in doc.versions:
                versions.add(
                    version.id,
                    doc.id,
                    version.number,
                    version.blob.id,
                    None,
                    _file_name(doc, version),
                    version.note,
                    version.by.id,
                    version.at,
                )
            if doc.confidentiality == Clearance.NORMAL and doc.status != DocumentStatus.DRAFT:
                self.recent_by_body[doc.body.id].append(doc.id)
            if doc.status != DocumentStatus.DRAFT:
                self.record_file(doc)
        self.month = []

    def _document_events(self, doc: Doc) -> None:
        """Every version's event, and the document's own (after its first version's, as
        ``document_create`` writes them); built now, when the registers have run."""
        for version in doc.versions:
            self._version_event(doc, version)
        registered = doc.number_symbol if doc.numbered_at_creation else doc.symbol
        self.chain.add(
            doc.created_at,
            doc.created_by.actor,
            "document.created",
            "documents.document",
            doc.id,
            {
                "number_symbol": registered,
                "doc_type": doc.doc_type,
                "owning_body": doc.body.code,
                "confidentiality": doc.confidentiality,
                "sha256": doc.versions[0].blob.sha256,
            },
        )

    def _version_event(self, doc: Doc, version: Version) -> None:
        self.chain.add(
            version.at,
            version.by.actor,
            "document.version_added",
            "documents.documentversion",
            version.id,
            {
                "document": doc.id,
                "number": version.number,
                "sha256": version.blob.sha256,
                "size": version.blob.size,
                "pages": version.blob.pages,
                "original_sha256": None,
                "file_name": _file_name(doc, version),
            },
        )

    def _search_text(self, doc: Doc) -> str:
        fields = [
            doc.number_symbol,
            TYPE_LABELS[doc.doc_type],
            doc.abstract,
            doc.signer_name,
            doc.issuing.name,
            doc.issuing.symbol,
            doc.body.name,
        ]
        return f"{fold(' '.join(fields))} {doc.versions[-1].blob.text}".strip()


from zoneinfo import ZoneInfo  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIELD_NAMES = {
    StepKind.INITIAL: "ky_nhay_{order}_1",
    StepKind.MAIN: "ky_chinh_{order}_1",
    StepKind.SEAL: "dong_dau_{order}_1",
}
OUTGOING_FIELDS = [
    "id",
    "body",
    "doc_type",
    "year",
    "number",
    "document",
    "number_symbol",
    "abstract",
    "issued_on",
    "signer_name",
    "recorded_by",
    "recorded_at",
]
INCOMING_FIELDS = [
    "id",
    "body",
    "year",
    "number",
    "document",
    "source",
    "sender",
    "number_symbol",
    "abstract",
    "issued_on",
    "sent_by",
    "received_at",
]
DOCUMENT_FIELDS = [
    "id",
    "number",
    "symbol",
    "doc_type",
    "abstract",
    "issuing_body",
    "issued_on",
    "signer_name",
    "confidentiality",
    "urgency",
    "status",
    "owning_body",
    "created_by",
    "created_at",
    "updated_at",
    "search_text",
]
VERSION_FIELDS = [
    "id",
    "document",
    "number",
    "blob",
    "original",
    "file_name",
    "note",
    "created_by",
    "created_at",
]
REQUEST_FIELDS = [
    "id",
    "document",
    "source_version",
    "current_version",
    "body",
    "title",
    "level",
    "status",
    "is_attachment",
    "number_field_rect",
    "date_field_rect",
    "numbered_at",
    "created_by",
    "created_at",
    "sent_at",
    "completed_at",
    "return_reason",
]
ASSIGNEE_FIELDS = [
    "id",
    "step",
    "user",
    "seal_body",
    "field_name",
    "status",
    "acted_at",
    "acted_by",
    "reason",
    "signed_version",
    "signs_as",  # bulk rows get no model defaults: "" (signs in their own name)
]


def _file_name(doc: Doc, version: Version) -> str:
    # Signed versions keep the stem of the version they were made from, as the services do.
    return f"van-ban-{doc.id}.pdf"
