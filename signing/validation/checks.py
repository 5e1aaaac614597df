"""Each line of a signature's report: one small function per check, each explained in Vietnamese.

The functions read pyHanko's status objects and append ``Check`` lines to a ``SignatureResult``;
the verdict is the worst status among them (``report.conclude``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import SuspiciousModification
from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signing import certcheck
from signing.validation.report import CheckStatus as S
from signing.validation.report import Report, Revocation, SignatureResult

STRONG_DIGESTS = {"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"}
PERM_LABELS = {
    MDPPerm.NO_CHANGES: "không cho phép bất kỳ thay đổi nào sau khi ký",
    MDPPerm.FILL_FORMS: "chỉ cho phép điền biểu mẫu và ký thêm",
    MDPPerm.ANNOTATE: "cho phép điền biểu mẫu, ký thêm và thêm chú thích",
}


def coverage_code(level: SignatureCoverageLevel | None) -> str:
    return {
        SignatureCoverageLevel.ENTIRE_FILE: "entire_file",
        SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
        SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "partial",
        SignatureCoverageLevel.UNCLEAR: "partial",
    }.get(level, "unknown")


def broken_structure(result: SignatureResult, exc: BaseException) -> None:
    result.add(
        "structure",
        "Cấu trúc chữ ký",
        S.FAILED,
        "Chữ ký có cấu trúc không hợp lệ hoặc đã bị can thiệp (vùng ký ByteRange, giá trị "
        "Contents hoặc khối CMS không đúng quy cách) nên không thể tin vào nó. "
        f"Chi tiết kỹ thuật: {type(exc).__name__}.",
    )


def integrity(result: SignatureResult, status) -> None:
    title = "Toàn vẹn dữ liệu đã ký"
    if not status.intact:
        result.add(
            "integrity",
            title,
            S.FAILED,
            "Giá trị băm của phần dữ liệu được ký không khớp với giá trị trong chữ ký: "
            "nội dung đã bị sửa sau khi ký.",
        )
    elif not status.valid:
        result.add(
            "integrity",
            title,
            S.FAILED,
            "Giá trị chữ ký không khớp với khóa công khai trong chứng thư số: chữ ký bị giả "
            "mạo hoặc hỏng.",
        )
    else:
        result.add(
            "integrity",
            title,
            S.PASSED,
            "Dữ liệu được ký còn nguyên vẹn và giá trị chữ ký khớp với chứng thư số của người ký.",
        )


def coverage(result: SignatureResult, status) -> None:
    title = "Phạm vi ký"
    level = status.coverage
    if level is SignatureCoverageLevel.ENTIRE_FILE:
        result.add("coverage", title, S.PASSED, "Chữ ký bao phủ toàn bộ tệp.")
    elif level is SignatureCoverageLevel.ENTIRE_REVISION:
        after = result.total_revisions - result.signed_revision
        result.add(
            "coverage",
            title,
            S.PASSED,
            f"Chữ ký bao phủ trọn phiên bản {result.signed_revision}/{result.total_revisions} "
            f"của tệp; sau đó có {after} lần cập nhật, xem mục “Thay đổi sau khi ký”.",
        )
    else:
        result.add(
            "coverage",
            title,
            S.FAILED,
            "Chữ ký chỉ bao phủ một phần tệp (vùng ký ByteRange bất thường, để hở dữ liệu "
            "không được ký): dấu hiệu tấn công bọc chữ ký (signature wrapping) hoặc giả mạo "
            "chữ ký.",
        )


def changes(result: SignatureResult, status, perm: MDPPerm | None) -> None:
    title = "Thay đổi sau khi ký"
    diff = status.diff_result
    if not result.later_changes and status.coverage is SignatureCoverageLevel.ENTIRE_FILE:
        result.add("changes", title, S.PASSED, "Không có thay đổi nào sau khi ký.")
        return
    listed = "; ".join(f"lần cập nhật {c.revision}: {c.description}" for c in result.later_changes)
    forbidden = [c for c in result.later_changes if not c.allowed]
    suspicious = isinstance(diff, SuspiciousModification) or status.docmdp_ok is False
    if suspicious or forbidden:
        named = "; ".join(f"lần cập nhật {c.revision}: {c.description}" for c in forbidden)
        detail = named or "thay đổi cấu trúc tài liệu nằm ngoài danh sách được phép"
        result.add(
            "changes",
            title,
            S.FAILED,
            f"Tài liệu đã bị thay đổi sau khi ký theo cách chữ ký không cho phép ({detail}). "
            "Nội dung hiển thị hiện nay có thể khác nội dung người ký đã ký "
            "(tấn công lưu gia tăng, tấn công bóng hoặc vi phạm mức chứng nhận).",
        )
        return
    result.add(
        "changes",
        title,
        S.PASSED,
        f"Chỉ có các thay đổi được phép sau khi ký: {listed}.",
    )


def later_unsigned_fields(reader: PdfFileReader, signed_revision: int) -> list[str]:
    """Unsigned signature fields with a visible appearance that appeared after signing."""
    signed = reader.get_historical_resolver(signed_revision)
    names = []
    for name, _value, field_ref in enumerate_sig_fields(reader, filled_status=False):
        widget = field_ref.get_object()
        if "/AP" not in widget or not _has_area(widget.get("/Rect")):
            continue
        ref = field_ref.reference if hasattr(field_ref, "reference") else field_ref
        try:
            before = signed.get_object(ref)
        except Exception:
            before = None
        if before is None or isinstance(before, generic.NullObject):
            names.append(str(name))
    return names


def _has_area(rect) -> bool:
    try:
        x1, y1, x2, y2 = (float(v) for v in rect)
    except (TypeError, ValueError):
        return False
    return abs(x2 - x1) > 1 and abs(y2 - y1) > 1


def overlays(result: SignatureResult, names: list[str]) -> None:
    if not names:
        return
    result.add(
        "overlay",
        "Hình giống chữ ký thêm sau khi ký",
        S.INDETERMINATE,
        "Sau khi ký có thêm ô chữ ký chưa ký nhưng đã có hình hiển thị ("
        + ", ".join(f"“{n}”" for n in names)
        + "): hình đó có thể giả dạng một chữ ký thật. Chỉ tin các chữ ký được liệt kê "
        "trong báo cáo này.",
    )


def certification(result: SignatureResult, perm: MDPPerm | None) -> None:
    if perm is None:
        return
    result.certification = perm.name.lower()
    result.add(
        "certification",
        "Chữ ký chứng nhận (DocMDP)",
        S.INFO,
        f"Đây là chữ ký chứng nhận tài liệu: {PERM_LABELS[perm]}.",
    )


# --- Trust and revocation ---------------------------------------------------------------------

_INDIC_MESSAGES = {
    "NO_CERTIFICATE_CHAIN_FOUND": (
        S.INDETERMINATE,
        "Không tìm thấy chuỗi chứng thư tới một chứng thư gốc tin cậy đã cấu hình: "
        "tổ chức cấp chứng thư chưa được hệ thống công nhận.",
    ),
    "REVOKED": (S.FAILED, "Chứng thư số của người ký đã bị thu hồi trước thời điểm ký."),
    "EXPIRED": (S.FAILED, "Chứng thư số đã hết hạn vào thời điểm kiểm tra."),
    "NOT_YET_VALID": (S.FAILED, "Chứng thư số chưa có hiệu lực vào thời điểm ký."),
    "OUT_OF_BOUNDS_NO_POE": (
        S.INDETERMINATE,
        "Chứng thư số đã hết hạn hoặc bị thu hồi và không có bằng chứng (dấu thời gian) "
        "rằng chữ ký được tạo trước đó.",
    ),
    "REVOKED_NO_POE": (
        S.INDETERMINATE,
        "Chứng thư số đã bị thu hồi và không có bằng chứng rằng chữ ký có trước khi thu hồi.",
    ),
    "CHAIN_CONSTRAINTS_FAILURE": (
        S.FAILED,
        "Chuỗi chứng thư vi phạm ràng buộc (mục đích sử dụng khóa, chính sách chứng thư).",
    ),
    "CRYPTO_CONSTRAINTS_FAILURE": (
        S.FAILED,
        "Chuỗi chứng thư dùng thuật toán mật mã không còn an toàn.",
    ),
    "TRY_LATER": (
        S.INDETERMINATE,
        "Chưa lấy được dữ liệu thu hồi đủ mới để kết luận; hãy kiểm tra lại sau.",
    ),
}


def chain(
    result: SignatureResult, status, root_names: tuple[str, ...], missing_revocation: bool
) -> None:
    title = "Chuỗi chứng thư tới gốc tin cậy"
    if status.trusted or missing_revocation:
        anchor = result.chain[-1].common_name if result.chain else ""
        result.trust_root = anchor
        result.add(
            "chain",
            title,
            S.PASSED,
            f"Chứng thư số được cấp qua chuỗi {len(result.chain)} chứng thư tới chứng thư gốc "
            f"tin cậy “{anchor}”.",
        )
        return
    indic = status.trust_problem_indic
    name = indic.name if indic is not None else ""
    level, message = _INDIC_MESSAGES.get(
        name,
        (
            S.INDETERMINATE,
            "Không xác lập được chuỗi tin cậy cho chứng thư số (lỗi chung của chuỗi chứng thư).",
        ),
    )
    if not root_names:
        message += " Hệ thống chưa cấu hình chứng thư gốc tin cậy nào."
    result.add("chain", title, level, message)


def embedded_covers(
    cert: asn1_x509.Certificate,
    ocsps: list[asn1_ocsp.OCSPResponse],
    crls: list[asn1_crl.CertificateList],
) -> bool:
    """Whether the file itself carries revocation data about *cert* (OCSP or its issuer's CRL)."""
    for response in ocsps:
        try:
            basic = response["response_bytes"]["response"].parsed
            singles = basic["tbs_response_data"]["responses"]
        except (KeyError, ValueError, TypeError):
            continue
        if any(s["cert_id"]["serial_number"].native == cert.serial_number for s in singles):
            return True
    issuer = cert.issuer
    return any(c["tbs_cert_list"]["issuer"] == issuer for c in crls)


def revocation(
    result: SignatureResult, status, *, embedded_covers: bool, fetch: bool, missing: bool
) -> None:
    title = "Trạng thái thu hồi (OCSP/CRL)"
    details = getattr(status, "revocation_details", None)
    if details is not None:
        when = details.revocation_date.astimezone(UTC).isoformat()
        result.revocation = Revocation(
            "revoked",
            "embedded" if embedded_covers else "fetched",
            f"Chứng thư đã bị thu hồi lúc {when}.",
        )
        result.add("revocation", title, S.FAILED, f"Chứng thư số đã bị thu hồi lúc {when}.")
        return
    if missing:
        message = (
            "Không kiểm tra được chứng thư có bị thu hồi hay không: tệp không kèm dữ liệu "
            "OCSP/CRL cho chứng thư này"
            + (
                " và không truy vấn được dịch vụ OCSP/CRL trực tuyến."
                if fetch
                else ", còn việc truy vấn OCSP/CRL trực tuyến đang tắt (KYHOP_VALIDATION_FETCH)."
            )
        )
        result.revocation = Revocation("unknown", "none", message)
        result.add("revocation", title, S.INDETERMINATE, message)
        return
    if not status.trusted:
        message = "Chưa kiểm tra trạng thái thu hồi vì chưa xác lập được chuỗi tin cậy."
        result.revocation = Revocation("not_checked", "none", message)
        result.add("revocation", title, S.INFO, message)
        return
    source = "embedded" if embedded_covers else "fetched"
    where = (
        "dữ liệu OCSP/CRL nhúng trong tệp (B-LT)"
        if embedded_covers
        else "dịch vụ OCSP/CRL trực tuyến của tổ chức cấp chứng thư"
    )
    message = f"Chứng thư số và các chứng thư trong chuỗi chưa bị thu hồi, theo {where}."
    result.revocation = Revocation("good", source, message)
    result.add("revocation", title, S.PASSED, message)


def timestamp(result: SignatureResult, status) -> None:
    title = "Dấu thời gian của chữ ký"
    ts = status.timestamp_validity
    if ts is None:
        claimed = result.claimed_signing_time
        when = f" (người ký khai là {_local(claimed)})" if claimed else ""
        result.add(
            "timestamp",
            title,
            S.INFO,
            "Chữ ký không có dấu thời gian: thời điểm ký chỉ do máy của người ký tự khai"
            f"{when}, không được bên thứ ba xác nhận.",
        )
        return
    if not (ts.intact and ts.valid):
        result.add(
            "timestamp", title, S.FAILED, "Dấu thời gian của chữ ký bị hỏng hoặc bị giả mạo."
        )
        return
    if not ts.trusted:
        result.add(
            "timestamp",
            title,
            S.INDETERMINATE,
            f"Dấu thời gian {_local(ts.timestamp)} còn nguyên vẹn nhưng dịch vụ cấp dấu thời "
            "gian không chứng thực được tới gốc tin cậy (hoặc thiếu dữ liệu thu hồi của nó).",
        )
        return
    result.add(
        "timestamp",
        title,
        S.PASSED,
        f"Chữ ký có dấu thời gian hợp lệ lúc {_local(ts.timestamp)} do dịch vụ cấp dấu thời "
        "gian tin cậy xác nhận: chữ ký đã tồn tại từ thời điểm đó.",
    )


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(certcheck.VIETNAM).strftime("%H:%M:%S ngày %d/%m/%Y (giờ Việt Nam)")


# --- Algorithms (Circular 15/2025) -------------------------------------------------------------


def _key_label(cert: asn1_x509.Certificate) -> str:
    algo = cert.public_key.algorithm
    return f"{algo.upper()} {cert.public_key.bit_size} bit"


def algorithms(result: SignatureResult, emb: EmbeddedPdfSignature, status) -> None:
    title = "Thuật toán mật mã (Thông tư 15/2025/TT-BKHCN)"
    cert = emb.signer_cert
    digest = status.md_algorithm
    mechanism = emb.signer_info["signature_algorithm"]["algorithm"].native
    result.digest_algorithm = digest
    result.signature_algorithm = mechanism
    result.key = _key_label(cert)
    crypto_cert = certcheck.as_cryptography(cert)
    # The certificate's own key and the CA's hash: the same rules that gate signing.
    problems = [
        problem
        for rule in (certcheck._key_strength, certcheck._signature_hash)
        if (problem := rule(crypto_cert, datetime.now(UTC)))
    ]
    if digest.lower() not in STRONG_DIGESTS:
        problems.append(f"Hàm băm {digest.upper()} của chữ ký yếu: cần SHA-256 hoặc mạnh hơn.")
    if problems:
        result.add("algorithms", title, S.FAILED, " ".join(problems))
        return
    result.add(
        "algorithms",
        title,
        S.PASSED,
        f"Khóa {result.key}, hàm băm {digest.upper()}, thuật toán ký {mechanism}: đạt yêu cầu "
        "(RSA ≥ 2048 bit, ECDSA ≥ 256 bit, SHA-256 trở lên).",
    )
    if mechanism == "rsassa_pkcs1v15" or mechanism.endswith("_rsa"):
        result.add(
            "algorithms_pss",
            "Lược đồ chữ ký RSA",
            S.WARNING,
            "Chữ ký RSA dùng lược đồ PKCS#1 v1.5; Thông tư 15/2025 khuyến nghị RSASSA-PSS.",
        )


def certificate_usage(result: SignatureResult, emb: EmbeddedPdfSignature, at: datetime) -> None:
    problems = [
        problem
        for rule in (certcheck._validity, certcheck._key_usage)
        if (problem := rule(certcheck.as_cryptography(emb.signer_cert), at))
    ]
    if problems:
        result.add("certificate", "Chứng thư số của người ký", S.FAILED, " ".join(problems))


# --- PAdES level --------------------------------------------------------------------------------

LEVEL_TEXT = {
    "CMS": "chữ ký PDF kiểu CMS cũ (adbe.pkcs7.detached), không theo chuẩn PAdES",
    "B-B": "PAdES B-B: chữ ký cơ bản, không có dấu thời gian",
    "B-T": "PAdES B-T: có dấu thời gian của chữ ký",
    "B-LT": "PAdES B-LT: có dấu thời gian và dữ liệu xác thực dài hạn (chứng thư, OCSP/CRL)",
    "B-LTA": "PAdES B-LTA: có thêm dấu thời gian tài liệu bảo đảm lưu trữ dài hạn",
}


def pades_level(
    result: SignatureResult, emb: EmbeddedPdfSignature, status, timestamps, embedded
) -> None:
    if status is None:
        return
    level = _level(result, emb, status, timestamps, embedded)
    result.pades_level = level
    result.add("pades_level", "Mức PAdES đạt được", S.INFO, LEVEL_TEXT[level] + ".")


def _level(result, emb, status, timestamps, embedded) -> str:
    if emb.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return "CMS"
    ts = status.timestamp_validity
    if ts is None or not (ts.valid and ts.intact):
        return "B-B"
    if not embedded_covers(emb.signer_cert, embedded.ocsps, embedded.crls):
        return "B-T"
    # A later document time-stamp that is itself sound protects this signature's material.
    archived = any(
        t.signed_revision > result.signed_revision
        and all(c.status is not S.FAILED for c in t.checks)
        for t in timestamps
    )
    return "B-LTA" if archived else "B-LT"


# --- Report-level notes -------------------------------------------------------------------------


def report_notes(report: Report) -> None:
    if report.lenient_parsing:
        report.notes.append(
            "Tệp có cấu trúc PDF không chuẩn (bảng tham chiếu chéo sai lệch hoặc kiểu lai…) nên "
            "đã được đọc ở chế độ dễ dãi; kết quả vẫn dựa trên các byte đã ký."
        )
    if not report.fetch_enabled:
        report.notes.append(
            "Không truy vấn OCSP/CRL trực tuyến (theo cấu hình): trạng thái thu hồi chỉ dựa trên "
            "dữ liệu nhúng trong tệp."
        )
    if not report.trust_roots:
        report.notes.append("Chưa cấu hình chứng thư gốc tin cậy nào.")
