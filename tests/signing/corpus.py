"""Decree 30 drafts as Word and LibreOffice users make them, generated at test time.

Each draft is a .docx (WordprocessingML written by hand) or an .odt (OpenDocument) whose
"Số:" line leaves the number blank in one of the ways people do it: spaces, non-breaking
spaces, a tab, dots, underscores, or a two-column table like the Decree 30 template (the
number on the left, the date line on the right of the same row). LibreOffice turns them
into PDF through the same conversion the upload path uses.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

NBSP = "\u00a0"


@dataclass(frozen=True)
class Draft:
    name: str
    symbol: str  # e.g. "QĐ-UBND"
    blank: str  # what stands where the number goes
    date_blank: str  # what stands for the day, month and year
    document_type: str
    table: bool = False
    odt: bool = False

    @property
    def suffix(self) -> str:
        return ".odt" if self.odt else ".docx"

    def number_line(self) -> str:
        return f"Số:{self.blank}/{self.symbol}"

    def date_line(self) -> str:
        b = self.date_blank
        return f"Bắc Ninh, ngày{b}tháng{b}năm{b}"


CORPUS = (
    Draft("quyet-dinh-spaces", "QĐ-UBND", "      ", " ... ", "QUYẾT ĐỊNH"),
    Draft("cong-van-nbsp", "UBND-VP", NBSP * 8, NBSP * 6, "CÔNG VĂN"),
    Draft("to-trinh-tab", "TTr-UBND", "\t", " \t ", "TỜ TRÌNH"),
    Draft("bao-cao-dots", "BC-UBND", " ........ ", " ...... ", "BÁO CÁO"),
    Draft("giay-moi-underscores", "GM-UBND", " ______ ", " ____ ", "GIẤY MỜI"),
    Draft("quyet-dinh-table", "QĐ-UBND", NBSP * 6, " … ", "QUYẾT ĐỊNH", table=True),
    Draft("to-trinh-odt-nbsp", "TTr-UBND", NBSP * 7, " ..... ", "TỜ TRÌNH", odt=True),
    Draft("bao-cao-odt-table", "BC-UBND", " ...... ", NBSP * 5, "BÁO CÁO", table=True, odt=True),
)

BODY = "ỦY BAN NHÂN DÂN TỈNH BẮC NINH"
TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def draft_bytes(draft: Draft) -> bytes:
    return _odt(draft) if draft.odt else _docx(draft)


# --- .docx ------------------------------------------------------------------------------------


def _w_text(text: str, *, bold: bool = False, italic: bool = False) -> str:
    props = "<w:rFonts w:ascii='Liberation Serif' w:hAnsi='Liberation Serif'/><w:sz w:val='26'/>"
    props += "<w:b/>" if bold else ""
    props += "<w:i/>" if italic else ""
    runs = []
    for index, part in enumerate(text.split("\t")):
        if index:
            runs.append(f"<w:r><w:rPr>{props}</w:rPr><w:tab/></w:r>")
        if part:
            runs.append(
                f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(part)}</w:t></w:r>'
            )
    return "".join(runs)


def _w_p(text: str, *, center: bool = False, **style: bool) -> str:
    # 6 pt after each paragraph, as the Decree 30 templates space their header lines.
    align = "<w:jc w:val='center'/>" if center else ""
    props = f"<w:pPr><w:spacing w:after='120'/>{align}</w:pPr>"
    return f"<w:p>{props}{_w_text(text, **style)}</w:p>"


def _w_cell(paragraphs: str) -> str:
    return f"<w:tc><w:tcPr><w:tcW w:w='4500' w:type='dxa'/></w:tcPr>{paragraphs}</w:tc>"


def _docx(draft: Draft) -> bytes:
    if draft.table:
        head = (
            "<w:tbl><w:tblPr><w:tblW w:w='9000' w:type='dxa'/></w:tblPr>"
            "<w:tblGrid><w:gridCol w:w='4000'/><w:gridCol w:w='5000'/></w:tblGrid>"
            f"<w:tr>{_w_cell(_w_p(BODY, center=True, bold=True))}"
            f"{_w_cell(_w_p(TITLE, center=True, bold=True) + _w_p(MOTTO, center=True, bold=True))}"
            "</w:tr>"
            f"<w:tr>{_w_cell(_w_p(draft.number_line(), center=True))}"
            f"{_w_cell(_w_p(draft.date_line(), center=True, italic=True))}</w:tr></w:tbl>"
        )
    else:
        head = (
            _w_p(BODY, bold=True)
            + _w_p(draft.number_line())
            + _w_p(TITLE, center=True, bold=True)
            + _w_p(MOTTO, center=True, bold=True)
            + _w_p(draft.date_line(), center=True, italic=True)
        )
    body = (
        head
        + _w_p(draft.document_type, center=True, bold=True)
        + _w_p("Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026", center=True, bold=True)
        + _w_p("Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, quyết định.")
        + _w_p("CHỦ TỊCH", center=True, bold=True)
        # The signer's space: blank lines, as a clerk leaves them above the printed name.
        + _w_p("") * 4
        + _w_p("Nguyễn Văn Hùng", center=True, bold=True)
        + "<w:sectPr><w:pgSz w:w='11906' w:h='16838'/>"
        "<w:pgMar w:top='1134' w:bottom='1134' w:left='1701' w:right='1134'/></w:sectPr>"
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- .odt -------------------------------------------------------------------------------------


def _o_text(text: str) -> str:
    out = []
    for index, part in enumerate(text.split("\t")):
        if index:
            out.append("<text:tab/>")
        # Runs of ordinary spaces collapse in ODF unless written as text:s.
        out.append(escape(part).replace("  ", ' <text:s text:c="1"/>'))
    return "".join(out)


def _o_p(text: str, style: str = "P") -> str:
    return f'<text:p text:style-name="{style}">{_o_text(text)}</text:p>'


def _odt(draft: Draft) -> bytes:
    if draft.table:
        head = (
            '<table:table table:name="T"><table:table-column table:number-columns-repeated="2"/>'
            f"<table:table-row><table:table-cell>{_o_p(BODY, 'B')}</table:table-cell>"
            f"<table:table-cell>{_o_p(TITLE, 'B')}{_o_p(MOTTO, 'B')}</table:table-cell>"
            "</table:table-row>"
            f"<table:table-row><table:table-cell>{_o_p(draft.number_line(), 'C')}"
            f"</table:table-cell><table:table-cell>{_o_p(draft.date_line(), 'I')}"
            "</table:table-cell></table:table-row></table:table>"
        )
    else:
        head = (
            _o_p(BODY, "B")
            + _o_p(draft.number_line())
            + _o_p(TITLE, "B")
            + _o_p(MOTTO, "B")
            + _o_p(draft.date_line(), "I")
        )
    body = (
        head
        + _o_p(draft.document_type, "B")
        + _o_p("Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026", "B")
        + _o_p("Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, quyết định.")
        + _o_p("CHỦ TỊCH", "B")
        + _o_p("") * 4
        + _o_p("Nguyễn Văn Hùng", "B")
    )
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
        'office:version="1.3"'
    )
    font = 'style:font-name="Liberation Serif" fo:font-size="13pt"'
    styles = (
        f'<style:style style:name="P" style:family="paragraph">'
        '<style:paragraph-properties fo:margin-bottom="6pt"/>'
        f"<style:text-properties {font}/></style:style>"
        f'<style:style style:name="C" style:family="paragraph">'
        '<style:paragraph-properties fo:text-align="center" fo:margin-bottom="6pt"/>'
        f"<style:text-properties {font}/>"
        "</style:style>"
        f'<style:style style:name="B" style:family="paragraph">'
        '<style:paragraph-properties fo:text-align="center" fo:margin-bottom="6pt"/>'
        f'<style:text-properties {font} fo:font-weight="bold"/></style:style>'
        f'<style:style style:name="I" style:family="paragraph">'
        '<style:paragraph-properties fo:text-align="center" fo:margin-bottom="6pt"/>'
        f'<style:text-properties {font} fo:font-style="italic"/></style:style>'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
        '<office:font-face-decls><style:font-face style:name="Liberation Serif" '
        'svg:font-family="Liberation Serif" xmlns:svg="urn:oasis:names:tc:opendocument:'
        'xmlns:svg-compatible:1.0"/></office:font-face-decls>'
        f"<office:automatic-styles>{styles}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored, first
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
