"""Administrative documents (Decree 30 metadata), their immutable versions, and work records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from accounts.models import Body, Secrecy


class DocumentType(models.TextChoices):
    DECISION = "quyet_dinh", gettext_noop("Quyết định")
    OFFICIAL_LETTER = "cong_van", gettext_noop("Công văn")
    PROPOSAL = "to_trinh", gettext_noop("Tờ trình")
    REPORT = "bao_cao", gettext_noop("Báo cáo")
    MINUTES = "bien_ban", gettext_noop("Biên bản")
    RESOLUTION = "nghi_quyet", gettext_noop("Nghị quyết")
    NOTICE = "thong_bao", gettext_noop("Thông báo")
    PLAN = "ke_hoach", gettext_noop("Kế hoạch")
    INVITATION = "giay_moi", gettext_noop("Giấy mời")
    AGENDA = "chuong_trinh", gettext_noop("Chương trình")
    OTHER = "khac", gettext_noop("Khác")


class Urgency(models.TextChoices):
    """Độ khẩn (Decree 30 Art. 8): printed as a mark on the document; "Thường" is none."""

    NORMAL = "normal", gettext_noop("Thường")
    URGENT = "urgent", gettext_noop("Khẩn")
    VERY_URGENT = "very_urgent", gettext_noop("Thượng khẩn")
    FLASH = "flash", gettext_noop("Hỏa tốc")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Dự thảo")
    ISSUED = "issued", gettext_noop("Đã ban hành")
    INCOMING = "incoming", gettext_noop("Văn bản đến")


class Document(models.Model):
    """One administrative document; its content lives in ``versions``.

    ``search_text`` is the metadata plus the latest version's text, lower-cased and stripped of
    diacritics by the services, so "quyet dinh" finds "Quyết định" on any database.
    """

    number = models.CharField("số", max_length=20, blank=True)
    symbol = models.CharField("ký hiệu", max_length=100, blank=True)
    doc_type = models.CharField(
        "loại văn bản", max_length=20, choices=DocumentType.choices, default=DocumentType.OTHER
    )
    abstract = models.CharField("trích yếu", max_length=1000)
    issuing_body = models.ForeignKey(
        Body,
        verbose_name="cơ quan ban hành",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    issued_on = models.DateField("ngày văn bản", null=True, blank=True)
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    confidentiality = models.PositiveSmallIntegerField(
        "độ mật", choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    urgency = models.CharField(
        "độ khẩn", max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        "trạng thái", max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    owning_body = models.ForeignKey(
        Body,
        verbose_name="cơ quan quản lý",
        on_delete=models.PROTECT,
        related_name="owned_documents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    search_text = models.TextField("nội dung tìm kiếm", blank=True, editable=False)

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering = ["-issued_on", "-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owning_body", "-issued_on"]),
            models.Index(fields=["issuing_body", "-issued_on"]),
            models.Index(fields=["doc_type"]),
            # The lists' order (Meta.ordering), so the newest page is read from the index.
            models.Index(fields=["-issued_on", "-created_at", "-id"], name="documents_recent"),
        ]

    def __str__(self) -> str:
        label = self.number_symbol
        return f"{label} — {self.abstract}" if label else self.abstract

    @property
    def number_symbol(self) -> str:
        """ "45/TTr-STTTT" as printed after "Số:"; drafts may have only a symbol or nothing."""
        if self.number and self.symbol:
            return f"{self.number}/{self.symbol}"
        return self.number or self.symbol


class Blob(models.Model):
    """Bytes stored once under their SHA-256; many versions (of many documents) may share one."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    size = models.PositiveBigIntegerField("kích thước (byte)")
    storage_name = models.CharField("tên trong kho lưu trữ", max_length=255)
    mime = models.CharField("kiểu tệp", max_length=120)
    page_count = models.PositiveIntegerField("số trang", null=True, blank=True)
    text = models.TextField("văn bản trích xuất (đã bỏ dấu)", blank=True, editable=False)
    created_at = models.DateTimeField("lưu lúc", auto_now_add=True)

    class Meta:
        verbose_name = "tệp lưu trữ"
        verbose_name_plural = "tệp lưu trữ"

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} byte)"


class ReadingCopy(models.Model):
    """A copy of a large PDF rearranged for reading on tablets over range requests.

    Scanners and many tools scatter page dictionaries through the file; pdf.js walks the page
    tree before it shows page 1, so a 100 MB scan cost 20 MB of downloads before anything
    showed. The copy (written by qpdf through pikepdf) packs those small objects into a few
    object streams: the same pages, a few hundred kilobytes to page 1. The original stays the
    document of record (signatures, downloads); the copy only feeds the reader.
    """

    source = models.OneToOneField(
        Blob, verbose_name="tệp gốc", on_delete=models.CASCADE, related_name="reading_copy"
    )
    blob = models.ForeignKey(
        Blob, verbose_name="bản đọc", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "bản đọc nhanh"
        verbose_name_plural = "bản đọc nhanh"

    def __str__(self) -> str:
        return f"{self.source} → {self.blob}"


class ActiveContentKind(models.TextChoices):
    """What a PDF carries that a PDF reader could run or follow by itself."""

    JAVASCRIPT = "javascript", gettext_noop("mã JavaScript")
    AUTOMATIC = (
        "automatic",
        gettext_noop("hành động tự chạy khi mở tệp, mở trang hoặc chạm vào trường biểu mẫu"),
    )
    LAUNCH = "launch", gettext_noop("lệnh mở chương trình hoặc tệp khác (Launch)")
    SUBMIT_FORM = "submit_form", gettext_noop("lệnh gửi hoặc nhập dữ liệu biểu mẫu")
    FILE_LINK = "file_link", gettext_noop("liên kết tới tệp bên ngoài hoặc trên máy")
    XFA = "xfa", gettext_noop("biểu mẫu XFA (có thể chứa mã)")


class ActiveContent(models.Model):
    """The active content found in a stored PDF when it was uploaded; no row: none was found.

    Such files are accepted and kept as they are (an incoming document from another agency is
    a record, and may be signed), with a warning wherever they are shown or read. The reader
    (pdf.js without scripting) never runs any of it. A table of its own, not a column of
    ``Blob``: blobs are immutable, and adding a column to their table on SQLite would rebuild
    it without its triggers.
    """

    blob = models.OneToOneField(
        Blob, verbose_name="tệp PDF", on_delete=models.CASCADE, related_name="active_content"
    )
    kinds = models.JSONField("loại nội dung chủ động", default=list)
    created_at = models.DateTimeField("phát hiện lúc", auto_now_add=True)

    class Meta:
        verbose_name = "nội dung chủ động trong PDF"
        verbose_name_plural = "nội dung chủ động trong PDF"

    def __str__(self) -> str:
        return f"{self.blob}: {', '.join(self.kinds)}"

    def labels(self) -> list[str]:
        """The Vietnamese labels (msgids) of what was found, in a fixed order."""
        return [kind.label for kind in ActiveContentKind if kind.value in self.kinds]


class DocumentVersion(models.Model):
    """An immutable version: written once by ``document_version_add``, never updated.

    ``blob`` is always a PDF (what readers and signers see); ``original`` keeps the uploaded
    DOCX/ODT/XLSX it was converted from.
    """

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("phiên bản số")
    blob = models.ForeignKey(
        Blob, verbose_name="tệp PDF", on_delete=models.PROTECT, related_name="versions"
    )
    original = models.ForeignKey(
        Blob,
        verbose_name="tệp gốc",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="original_of",
    )
    file_name = models.CharField("tên tệp tải lên", max_length=255)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tải lên",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    class Meta:
        verbose_name = "phiên bản văn bản"
        verbose_name_plural = "phiên bản văn bản"
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="version_number_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.document} — phiên bản {self.number}"


class WorkRecordStatus(models.TextChoices):
    OPEN = "open", gettext_noop("Đang mở")
    CLOSED = "closed", gettext_noop("Đã đóng")


class WorkRecord(models.Model):
    """Hồ sơ công việc: groups documents (and, from the meetings app, meetings).

    ``retention_years`` empty means permanent retention (vĩnh viễn).
    """

    code = models.CharField("mã hồ sơ", max_length=50, unique=True)
    name = models.CharField("tên hồ sơ", max_length=500)
    owning_body = models.ForeignKey(
        Body, verbose_name="cơ quan lập", on_delete=models.PROTECT, related_name="work_records"
    )
    retention_years = models.PositiveSmallIntegerField(
        "thời hạn bảo quản (năm)", null=True, blank=True, help_text="Để trống nếu vĩnh viễn."
    )
    status = models.CharField(
        "trạng thái",
        max_length=10,
        choices=WorkRecordStatus.choices,
        default=WorkRecordStatus.OPEN,
    )
    documents = models.ManyToManyField(
        Document, verbose_name="văn bản", blank=True, related_name="work_records"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người lập",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("lập lúc", auto_now_add=True)
    closed_at = models.DateTimeField("đóng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "hồ sơ công việc"
        verbose_name_plural = "hồ sơ công việc"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_years__isnull=True) | models.Q(retention_years__gte=1),
                name="work_record_retention_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def retention_label(self) -> str:
        return "Vĩnh viễn" if self.retention_years is None else f"{self.retention_years} năm"


class NoteKind(models.TextChoices):
    TEXT = "text", gettext_noop("Ghi chú")
    HIGHLIGHT = "highlight", gettext_noop("Đánh dấu")
    COMMENT = "comment", gettext_noop("Nhận xét")


class DocumentNote(models.Model):
    """A reader's private note on a document: seen by its author only, never by clerks or admins.

    Notes belong to the document, not to one version, so they follow the reader to later
    versions; ``version_number`` remembers which version the reader was looking at. ``page``
    empty means the whole document. ``rect`` is ``[x, y, width, height]`` in PDF points on the
    page as displayed (origin top-left, rotation applied), so it is independent of the zoom.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ghi",
        on_delete=models.CASCADE,
        related_name="+",
    )
    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="notes"
    )
    version_number = models.PositiveIntegerField("ghi trên phiên bản")
    page = models.PositiveIntegerField("trang", null=True, blank=True)
    kind = models.CharField("loại", max_length=10, choices=NoteKind.choices, default=NoteKind.TEXT)
    text = models.TextField("nội dung", blank=True)
    rect = models.JSONField("vùng trên trang (điểm PDF)", null=True, blank=True)
    created_at = models.DateTimeField("ghi lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "ghi chú riêng"
        verbose_name_plural = "ghi chú riêng"
        ordering = ["page", "created_at", "pk"]
        indexes = [models.Index(fields=["author", "document"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(page__isnull=True) | models.Q(page__gte=1),
                name="document_note_page_gte_1",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="highlight")
                | models.Q(page__isnull=False, rect__isnull=False),
                name="document_note_highlight_has_place",
            ),
        ]

    def __str__(self) -> str:
        where = f"trang {self.page}" if self.page else "cả văn bản"
        return f"{self.get_kind_display()} ({where})"


class OutgoingCounter(models.Model):
    """The last number a body gave in one outgoing register (sổ văn bản đi): per document type
    and year (Decree 30 Art. 15: numbers run from 01/01 to 31/12). Its row is locked while a
    number is taken, so two clerks numbering at once get consecutive numbers."""

    body = models.ForeignKey(
        Body, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+"
    )
    doc_type = models.CharField("loại văn bản", max_length=20, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField("năm")
    last_number = models.PositiveIntegerField("số đã cấp gần nhất", default=0)

    class Meta:
        verbose_name = "bộ đếm sổ văn bản đi"
        verbose_name_plural = "bộ đếm sổ văn bản đi"
        constraints = [
            models.UniqueConstraint(
                fields=["body", "doc_type", "year"], name="outgoing_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} · {self.get_doc_type_display()} · {self.year}: {self.last_number}"


class OutgoingEntry(models.Model):
    """One line of the outgoing register: the number given to a document, never reused."""

    body = models.ForeignKey(
        Body, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+"
    )
    doc_type = models.CharField("loại văn bản", max_length=20, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số thứ tự")
    document = models.ForeignKey(
        Document,
        verbose_name="văn bản",
        on_delete=models.PROTECT,
        related_name="outgoing_entries",
    )
    number_symbol = models.CharField("số, ký hiệu", max_length=130)
    abstract = models.CharField("trích yếu", max_length=1000)
    issued_on = models.DateField("ngày văn bản")
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người vào sổ",
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("vào sổ lúc", auto_now_add=True)

    class Meta:
        verbose_name = "sổ văn bản đi"
        verbose_name_plural = "sổ văn bản đi"
        ordering = ["body", "doc_type", "-year", "-number"]
        constraints = [
            # The last line of defence against a number given twice.
            models.UniqueConstraint(
                fields=["body", "doc_type", "year", "number"], name="outgoing_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number_symbol} ({self.issued_on:%d/%m/%Y})"


class IncomingEntry(models.Model):
    """One line of a body's incoming register (sổ văn bản đến, Decree 30 Art. 22): a document
    another body issued in KyHop and sent to it ("Nơi nhận"), numbered in order of arrival
    from 01/01 each year. ``document`` is the body's own copy (status "Văn bản đến", the same
    stored file), checked by the signature validation like any incoming document."""

    body = models.ForeignKey(
        Body, verbose_name="cơ quan nhận", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số đến")
    document = models.OneToOneField(
        Document,
        verbose_name="văn bản đến",
        on_delete=models.PROTECT,
        related_name="incoming_entry",
    )
    source = models.ForeignKey(
        Document,
        verbose_name="văn bản gốc",
        on_delete=models.PROTECT,
        related_name="distributions",
    )
    sender = models.ForeignKey(
        Body, verbose_name="cơ quan gửi", on_delete=models.PROTECT, related_name="+"
    )
    number_symbol = models.CharField("số, ký hiệu", max_length=130)
    abstract = models.CharField("trích yếu", max_length=1000)
    issued_on = models.DateField("ngày văn bản", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người gửi",
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField("ngày đến", auto_now_add=True)

    class Meta:
        verbose_name = "sổ văn bản đến"
        verbose_name_plural = "sổ văn bản đến"
        ordering = ["body", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "number"], name="incoming_number_unique"
            ),
            # A body receives a document once, however often the clerk presses "Gửi".
            models.UniqueConstraint(fields=["body", "source"], name="incoming_once_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.number_symbol}"
