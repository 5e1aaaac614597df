"""Every sentence of a validation report, keyed by a stable id, with its parameters apart.

The engine runs in a child process that never sets Django up, so it cannot translate. It stores
in each check (and refusal) a ``message_id`` and JSON-ready ``params`` beside the Vietnamese
``message`` it renders from this table. The web page and the PDF report render the message again
at presentation time through Django's ``gettext`` (``signing.validation.presentation``), so the
same stored report reads in English when the visitor chose English.

The templates are the Vietnamese source text: they are the msgids of ``locale/*/django.po``
(``gettext_noop`` below only marks them for ``makemessages``; it must keep that name). A
parameter value is rendered by its shape:

- ``{"time": ISO 8601}``: a date and time in Vietnam time, ``27/11/2026 14:05:09 (+07:00)``;
- ``{"day": ISO 8601}``: a date in Vietnam time, ``27/11/2026``;
- ``{"id": ..., "params": {...}}``: another message of this table (so rendered and translated);
- ``{"items": [...], "sep": " "}``: the items rendered and joined by ``sep``;
- a list: the items rendered and joined by "; ";
- anything else: as it is (names, numbers, algorithm names: never translated).

Nothing here imports Django.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

Translate = Callable[[str], str]


def gettext_noop(message: str) -> str:
    """Marks a string for ``makemessages`` without translating it (Django-free)."""
    return message


def source(message: str) -> str:
    """No translation: the source language, Vietnamese."""
    return message


# --- Labels --------------------------------------------------------------------------------------

OUTCOME_LABELS = {
    "passed": gettext_noop("Hợp lệ"),
    "passed_with_warnings": gettext_noop("Hợp lệ, có cảnh báo"),
    "indeterminate": gettext_noop("Chưa xác định"),
    "failed": gettext_noop("Không hợp lệ"),
}

STATUS_LABELS = {
    "passed": gettext_noop("Đạt"),
    "info": gettext_noop("Thông tin"),
    "warning": gettext_noop("Lưu ý"),
    "caution": gettext_noop("Cảnh báo"),
    "indeterminate": gettext_noop("Chưa xác định"),
    "failed": gettext_noop("Không đạt"),
}

# One title per check code (the JSON schema lists the codes).
TITLES = {
    "structure": gettext_noop("Cấu trúc chữ ký"),
    "integrity": gettext_noop("Toàn vẹn dữ liệu đã ký"),
    "coverage": gettext_noop("Phạm vi ký"),
    "changes": gettext_noop("Thay đổi sau khi ký"),
    "overlay": gettext_noop("Hình giống chữ ký thêm sau khi ký"),
    "certification": gettext_noop("Chữ ký chứng nhận (DocMDP)"),
    "chain": gettext_noop("Chuỗi chứng thư tới gốc tin cậy"),
    "revocation": gettext_noop("Trạng thái thu hồi (OCSP/CRL)"),
    "timestamp": gettext_noop("Dấu thời gian của chữ ký"),
    "algorithms": gettext_noop("Thuật toán mật mã (Thông tư 15/2025/TT-BKHCN)"),
    "algorithms_pss": gettext_noop("Lược đồ chữ ký RSA"),
    "algorithms_note": gettext_noop("Ghi chú về thuật toán"),
    "signature_type": gettext_noop("Loại chữ ký"),
    "certificate": gettext_noop("Chứng thư số của người ký"),
    "pades_level": gettext_noop("Mức PAdES đạt được"),
    "visual": gettext_noop("So sánh hình ảnh trang lúc ký và hiện nay"),
}

# What an incremental update after a signature did (``changes.ChangeKind`` values).
CHANGE_LABELS = {
    "signature": gettext_noop("thêm chữ ký tiếp theo"),
    "timestamp": gettext_noop("thêm dấu thời gian tài liệu"),
    "dss": gettext_noop("thêm dữ liệu xác thực dài hạn (chứng thư, OCSP, CRL)"),
    "form": gettext_noop("điền hoặc thêm ô biểu mẫu"),
    "annotation": gettext_noop("thêm hoặc sửa chú thích (annotation) trên trang"),
    "content": gettext_noop("sửa nội dung, trang hoặc cấu trúc tài liệu"),
    "metadata": gettext_noop("cập nhật thông tin mô tả (metadata)"),
    "unreadable": gettext_noop("không đọc được lần cập nhật này (tệp hỏng ở phần đó)"),
}

# The DocMDP permission of a certification signature (``MDPPerm`` names, lower case).
PERM_LABELS = {
    "no_changes": gettext_noop("không cho phép bất kỳ thay đổi nào sau khi ký"),
    "fill_forms": gettext_noop("chỉ cho phép điền biểu mẫu và ký thêm"),
    "annotate": gettext_noop("cho phép điền biểu mẫu, ký thêm và thêm chú thích"),
}

# Report-level notes are stored as plain strings: each one is its own msgid.
NOTES = {
    "lenient": gettext_noop(
        "Tệp có cấu trúc PDF không chuẩn (bảng tham chiếu chéo sai lệch hoặc kiểu lai…) nên "
        "đã được đọc ở chế độ dễ dãi; kết quả vẫn dựa trên các byte đã ký."
    ),
    "no_fetch": gettext_noop(
        "Không truy vấn OCSP/CRL trực tuyến (theo cấu hình): trạng thái thu hồi chỉ dựa trên "
        "dữ liệu nhúng trong tệp."
    ),
    "no_roots": gettext_noop("Chưa cấu hình chứng thư gốc tin cậy nào."),
    "dss_damaged": gettext_noop(
        "Một số mục dữ liệu xác thực dài hạn (DSS: chứng thư, OCSP, CRL) trong tệp bị hỏng nên "
        "đã được bỏ qua; các mục còn đọc được vẫn được dùng."
    ),
    "unreadable_wrapped": gettext_noop(
        "Tệp không đọc được cấu trúc PDF, nhưng các byte của tệp đủ cho thấy vùng ký đã bị "
        "dịch chuyển hoặc chèn thêm (tấn công bọc chữ ký): chữ ký được đánh số theo thứ tự "
        "trong tệp vì không đọc được tên trường."
    ),
}

# --- Messages ----------------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    # A parameter shown as it is, or a sentence from elsewhere that has no id.
    "raw": "{text}",
    # Refusals: the file could not be checked at all.
    "refusal.empty": gettext_noop("Tệp rỗng (0 byte)."),
    "refusal.not_pdf": gettext_noop("Tệp không phải PDF (không có phần đầu “%PDF-”)."),
    "refusal.unreadable": gettext_noop(
        "Tệp PDF bị hỏng hoặc cắt cụt, không đọc được cấu trúc tài liệu."
    ),
    "refusal.unreadable_structure": gettext_noop(
        "Cấu trúc tệp PDF bị hỏng hoặc bất thường, không đọc được."
    ),
    "refusal.encrypted": gettext_noop(
        "Tệp PDF được mã hóa bằng mật khẩu: hãy gửi bản không đặt mật khẩu."
    ),
    "refusal.too_many_signatures": gettext_noop(
        "Tệp có {count} chữ ký, vượt giới hạn {limit} chữ ký được kiểm tra."
    ),
    "refusal.too_large": gettext_noop("Tệp lớn hơn giới hạn {limit_mb} MB được kiểm tra."),
    "refusal.timeout": gettext_noop(
        "Kiểm tra quá {seconds} giây nên đã dừng: tệp quá lớn, quá phức tạp hoặc có "
        "cấu trúc bất thường."
    ),
    "refusal.crashed": gettext_noop(
        "Tệp làm bộ kiểm tra dừng bất thường (quá phức tạp hoặc hỏng)."
    ),
    "refusal.too_complex": gettext_noop("Tệp đòi hỏi quá nhiều bộ nhớ để kiểm tra."),
    "refusal.encrypted_pubkey": gettext_noop(
        "Tệp PDF được mã hóa bằng khóa công khai (chứng thư số của người nhận), không phải "
        "bằng mật khẩu: chỉ người giữ khóa bí mật tương ứng mới mở được. Hãy gửi bản không "
        "mã hóa."
    ),
    "refusal.internal_error": gettext_noop(
        "Bộ kiểm tra chữ ký của KyHop gặp lỗi khi đọc tệp này. Đây là lỗi của hệ thống, không "
        "phải của tệp; lỗi đã được ghi lại để khắc phục. Hãy thử lại sau."
    ),
    # Summaries of the whole report.
    "summary.refused": gettext_noop("Không kiểm tra được tệp: {reason}"),
    "summary.no_signatures": gettext_noop(
        "Tệp không có chữ ký số nào nên không xác nhận được người ký."
    ),
    "summary.passed": gettext_noop(
        "Tất cả {count} chữ ký đều hợp lệ: nguyên vẹn, được chứng thực bởi chứng thư gốc "
        "tin cậy và không có thay đổi nào sau khi ký ngoài các thay đổi được phép."
    ),
    "summary.failed": gettext_noop(
        "Tài liệu KHÔNG hợp lệ: có chữ ký bị hỏng, bị giả mạo, bị thu hồi hoặc tài liệu "
        "đã bị sửa đổi theo cách chữ ký không cho phép. Xem lý do bên dưới."
    ),
    "summary.passed_with_warnings": gettext_noop(
        "Các chữ ký đều nguyên vẹn và chỉ có những thay đổi được phép sau khi ký, NHƯNG hình "
        "ảnh trang hiện nay khác lúc ký ở ngoài các vị trí quy trình dự kiến (ô số, ngày, chữ "
        "ký): hãy xem ảnh so sánh bên dưới trước khi tin vào nội dung."
    ),
    "summary.indeterminate": gettext_noop(
        "Chưa xác định được tính hợp lệ: chữ ký còn nguyên vẹn nhưng có điều chưa kiểm tra "
        "được (chứng thư gốc không nằm trong danh sách tin cậy, thiếu dữ liệu thu hồi…). "
        "Xem lý do bên dưới."
    ),
    # Who a reason is about.
    "label.signature": gettext_noop("Chữ ký “{field}” ({who})"),
    "label.timestamp": gettext_noop("Dấu thời gian tài liệu “{field}”"),
    # structure
    "structure.broken": gettext_noop(
        "Chữ ký có cấu trúc không hợp lệ hoặc đã bị can thiệp (vùng ký ByteRange, giá trị "
        "Contents hoặc khối CMS không đúng quy cách) nên không thể tin vào nó. "
        "Chi tiết kỹ thuật: {error}."
    ),
    "structure.wrapping": gettext_noop(
        "KyHop không chứng minh được rằng vùng ký của chữ ký này là đúng nội dung tài liệu "
        "hiển thị: {detail}. Đây là dấu hiệu tấn công bọc chữ ký (signature wrapping): nội "
        "dung hiện ra có thể không phải nội dung người ký đã ký."
    ),
    "structure.proven": gettext_noop(
        "KyHop đã tự kiểm chứng cấu trúc: vùng ký ByteRange bao trọn tệp, chỉ chừa đúng giá "
        "trị Contents của chính chữ ký này."
    ),
    "structure.proven_updates": gettext_noop(
        "KyHop đã tự kiểm chứng cấu trúc: vùng ký ByteRange bao trọn phiên bản đã ký (đến byte "
        "{end}), chỉ chừa đúng giá trị Contents của chính chữ ký này; mọi cập nhật sau đều "
        "được ghi nối tiếp sau phần đã ký."
    ),
    "wrapping.byte_range": gettext_noop(
        "ByteRange không có dạng [0 a b c] gồm bốn số nguyên nằm trong tệp"
    ),
    "wrapping.not_revision_end": gettext_noop(
        "phần được ký không kết thúc ở cuối một phiên bản của tệp (startxref … %%EOF)"
    ),
    "wrapping.gap_not_hex": gettext_noop(
        "khoảng hở giữa hai phần được ký không phải đúng một chuỗi thập lục phân <…>"
    ),
    "wrapping.gap_padding": gettext_noop(
        "khoảng hở chứa thêm dữ liệu ngoài giá trị chữ ký và phần đệm số 0"
    ),
    "wrapping.contents_elsewhere": gettext_noop(
        "giá trị Contents mà trình đọc PDF dùng không nằm đúng ở khoảng hở của ByteRange"
    ),
    "wrapping.dictionary_elsewhere": gettext_noop(
        "từ điển chữ ký mà trình đọc PDF dùng không nằm trong phần được ký"
    ),
    "wrapping.xref_elsewhere": gettext_noop(
        "bảng tham chiếu chéo (xref) và trailer của phiên bản đã ký không nằm trong phần được ký"
    ),
    "wrapping.object_in_gap": gettext_noop(
        "bảng tham chiếu chéo trỏ tới đối tượng nằm trong khoảng hở không được ký"
    ),
    "wrapping.update_inside": gettext_noop(
        "có cập nhật trỏ tới dữ liệu nằm bên trong phần đã ký thay vì được ghi nối tiếp sau nó"
    ),
    "wrapping.trailing_data": gettext_noop(
        "sau phần được ký còn dữ liệu không thuộc lần cập nhật nào"
    ),
    "wrapping.unreadable": gettext_noop("không đọc được từ điển chữ ký tại vị trí khai báo"),
    # A check that could not be carried out, and why (``guard``).
    "problem.damaged": gettext_noop(
        "Không kiểm tra được mục này: tệp bị hỏng ở phần cần đọc ({error}: {detail})."
    ),
    "problem.certificate": gettext_noop(
        "Không kiểm tra được mục này: chứng thư số của người ký có cấu trúc bất thường, không "
        "đúng chuẩn mã hóa DER/RFC 5280 ({detail}). Điều đó chưa chứng tỏ chữ ký giả mạo, "
        "nhưng cần hỏi tổ chức cấp chứng thư."
    ),
    "problem.unsupported": gettext_noop(
        "Không kiểm tra được mục này: KyHop chưa hỗ trợ thuật toán hoặc cấu trúc này ({detail})."
    ),
    "problem.bug": gettext_noop(
        "Không kiểm tra được mục này do lỗi của bộ kiểm tra KyHop ({error}), không phải do tệp; "
        "lỗi đã được ghi lại để khắc phục."
    ),
    # integrity
    "integrity.tampered": gettext_noop(
        "Giá trị băm của phần dữ liệu được ký không khớp với giá trị trong chữ ký: "
        "nội dung đã bị sửa sau khi ký."
    ),
    "integrity.forged": gettext_noop(
        "Giá trị chữ ký không khớp với khóa công khai trong chứng thư số: chữ ký bị giả "
        "mạo hoặc hỏng."
    ),
    "integrity.intact": gettext_noop(
        "Dữ liệu được ký còn nguyên vẹn và giá trị chữ ký khớp với chứng thư số của người ký."
    ),
    # coverage
    "coverage.entire_file": gettext_noop("Chữ ký bao phủ toàn bộ tệp."),
    "coverage.entire_revision": gettext_noop(
        "Chữ ký bao phủ trọn phiên bản {signed}/{total} của tệp; sau đó có {after} lần cập "
        "nhật, xem mục “Thay đổi sau khi ký”."
    ),
    "coverage.partial": gettext_noop(
        "Chữ ký chỉ bao phủ một phần tệp (vùng ký ByteRange bất thường, để hở dữ liệu "
        "không được ký): dấu hiệu tấn công bọc chữ ký (signature wrapping) hoặc giả mạo "
        "chữ ký."
    ),
    # changes
    "changes.none": gettext_noop("Không có thay đổi nào sau khi ký."),
    "changes.item": gettext_noop("lần cập nhật {revision}: {description}"),
    "changes.structural": gettext_noop("thay đổi cấu trúc tài liệu nằm ngoài danh sách được phép"),
    "changes.forbidden": gettext_noop(
        "Tài liệu đã bị thay đổi sau khi ký theo cách chữ ký không cho phép ({detail}). "
        "Nội dung hiển thị hiện nay có thể khác nội dung người ký đã ký "
        "(tấn công lưu gia tăng, tấn công bóng hoặc vi phạm mức chứng nhận)."
    ),
    "changes.allowed": gettext_noop("Chỉ có các thay đổi được phép sau khi ký: {listed}."),
    "changes.unreadable": gettext_noop(
        "Không đọc được lần cập nhật {revisions} sau khi ký (tệp hỏng ở phần đó) nên không "
        "xác định được nó thay đổi gì."
    ),
    # overlay
    "overlay.added": gettext_noop(
        "Sau khi ký có thêm ô chữ ký chưa ký nhưng đã có hình hiển thị ({names}): hình đó có "
        "thể giả dạng một chữ ký thật. Chỉ tin các chữ ký được liệt kê trong báo cáo này."
    ),
    # certification (kept for reports stored before "signature_type")
    "certification.docmdp": gettext_noop("Đây là chữ ký chứng nhận tài liệu: {permission}."),
    "signature_type.certification": gettext_noop(
        "Chữ ký chứng nhận tài liệu (DocMDP, được khai trong /Perms của tài liệu): {permission}."
    ),
    "signature_type.approval": gettext_noop(
        "Chữ ký phê duyệt (approval), không phải chữ ký chứng nhận tài liệu."
    ),
    "signature_type.approval_locked": gettext_noop(
        "Chữ ký phê duyệt (approval), không phải chữ ký chứng nhận; ô chữ ký khóa tài liệu ở "
        "mức: {permission}."
    ),
    # chain
    "chain.trusted": gettext_noop(
        "Chứng thư số được cấp qua chuỗi {count} chứng thư tới chứng thư gốc tin cậy “{anchor}”."
    ),
    "chain.NO_CERTIFICATE_CHAIN_FOUND": gettext_noop(
        "Không tìm thấy chuỗi chứng thư tới một chứng thư gốc tin cậy đã cấu hình: "
        "tổ chức cấp chứng thư chưa được hệ thống công nhận."
    ),
    "chain.REVOKED": gettext_noop("Chứng thư số của người ký đã bị thu hồi trước thời điểm ký."),
    "chain.EXPIRED": gettext_noop("Chứng thư số đã hết hạn vào thời điểm kiểm tra."),
    "chain.NOT_YET_VALID": gettext_noop("Chứng thư số chưa có hiệu lực vào thời điểm ký."),
    "chain.OUT_OF_BOUNDS_NO_POE": gettext_noop(
        "Chứng thư số đã hết hạn hoặc bị thu hồi và không có bằng chứng (dấu thời gian) "
        "rằng chữ ký được tạo trước đó."
    ),
    "chain.REVOKED_NO_POE": gettext_noop(
        "Chứng thư số đã bị thu hồi và không có bằng chứng rằng chữ ký có trước khi thu hồi."
    ),
    "chain.CHAIN_CONSTRAINTS_FAILURE": gettext_noop(
        "Chuỗi chứng thư vi phạm ràng buộc (mục đích sử dụng khóa, chính sách chứng thư)."
    ),
    "chain.CRYPTO_CONSTRAINTS_FAILURE": gettext_noop(
        "Chuỗi chứng thư dùng thuật toán mật mã không còn an toàn."
    ),
    "chain.TRY_LATER": gettext_noop(
        "Chưa lấy được dữ liệu thu hồi đủ mới để kết luận; hãy kiểm tra lại sau."
    ),
    "chain.generic": gettext_noop(
        "Không xác lập được chuỗi tin cậy cho chứng thư số (lỗi chung của chuỗi chứng thư)."
    ),
    "chain.no_roots": gettext_noop("{problem} Hệ thống chưa cấu hình chứng thư gốc tin cậy nào."),
    "chain.no_roots_configured": gettext_noop(
        "Hệ thống chưa cấu hình chứng thư gốc tin cậy nào nên không xác lập được chuỗi tin cậy "
        "(và không kiểm tra trạng thái thu hồi)."
    ),
    "trust.skipped": gettext_noop(
        "Không kiểm tra chuỗi tin cậy, trạng thái thu hồi, dấu thời gian và thuật toán vì chữ "
        "ký đã không đạt ở các mục trên."
    ),
    # revocation
    "revocation.revoked": gettext_noop("Chứng thư số đã bị thu hồi lúc {when}."),
    "revocation.missing_fetch_failed": gettext_noop(
        "Không kiểm tra được chứng thư có bị thu hồi hay không: tệp không kèm dữ liệu "
        "OCSP/CRL cho chứng thư này và không truy vấn được dịch vụ OCSP/CRL trực tuyến."
    ),
    "revocation.missing_fetch_off": gettext_noop(
        "Không kiểm tra được chứng thư có bị thu hồi hay không: tệp không kèm dữ liệu "
        "OCSP/CRL cho chứng thư này, còn việc truy vấn OCSP/CRL trực tuyến đang tắt "
        "(KYHOP_VALIDATION_FETCH)."
    ),
    "revocation.not_checked": gettext_noop(
        "Chưa kiểm tra trạng thái thu hồi vì chưa xác lập được chuỗi tin cậy."
    ),
    "revocation.good_embedded": gettext_noop(
        "Chứng thư số và các chứng thư trong chuỗi chưa bị thu hồi, theo dữ liệu OCSP/CRL "
        "nhúng trong tệp (B-LT)."
    ),
    "revocation.good_fetched": gettext_noop(
        "Chứng thư số và các chứng thư trong chuỗi chưa bị thu hồi, theo dịch vụ OCSP/CRL "
        "trực tuyến của tổ chức cấp chứng thư."
    ),
    # timestamp
    "timestamp.none": gettext_noop(
        "Chữ ký không có dấu thời gian: thời điểm ký chỉ do máy của người ký tự khai, "
        "không được bên thứ ba xác nhận."
    ),
    "timestamp.none_claimed": gettext_noop(
        "Chữ ký không có dấu thời gian: thời điểm ký chỉ do máy của người ký tự khai "
        "(người ký khai là {claimed}), không được bên thứ ba xác nhận."
    ),
    "timestamp.broken": gettext_noop("Dấu thời gian của chữ ký bị hỏng hoặc bị giả mạo."),
    "timestamp.untrusted": gettext_noop(
        "Dấu thời gian {when} còn nguyên vẹn nhưng dịch vụ cấp dấu thời gian không chứng thực "
        "được tới gốc tin cậy (hoặc thiếu dữ liệu thu hồi của nó)."
    ),
    "timestamp.valid": gettext_noop(
        "Chữ ký có dấu thời gian hợp lệ lúc {when} do dịch vụ cấp dấu thời gian tin cậy xác "
        "nhận: chữ ký đã tồn tại từ thời điểm đó."
    ),
    # algorithms (Circular 15/2025)
    "algorithms.ok": gettext_noop(
        "Khóa {key}, hàm băm {digest}, thuật toán ký {mechanism}: đạt yêu cầu "
        "(RSA ≥ 2048 bit, ECDSA ≥ 256 bit, SHA-256 trở lên)."
    ),
    "algorithms.weak_digest": gettext_noop(
        "Hàm băm {digest} của chữ ký yếu: cần SHA-256 hoặc mạnh hơn."
    ),
    "algorithms.eddsa": gettext_noop(
        "Khóa {key} (EdDSA) an toàn về mật mã nhưng không thuộc danh mục RSA/ECDSA của Thông "
        "tư 15/2025/TT-BKHCN."
    ),
    "algorithms.pkcs1v15": gettext_noop(
        "Chữ ký RSA dùng lược đồ PKCS#1 v1.5; Thông tư 15/2025 khuyến nghị RSASSA-PSS."
    ),
    # Several problems, one sentence each (algorithms, certificate).
    "problems": "{problems}",
    # The signer's certificate (the rules of ``signing.certcheck``, same wording).
    "cert.not_yet_valid": gettext_noop("Chứng thư số chưa có hiệu lực (hiệu lực từ ngày {day})."),
    "cert.expired": gettext_noop("Chứng thư số đã hết hạn từ ngày {day}."),
    "cert.no_key_usage": gettext_noop(
        "Chứng thư số không khai báo mục đích sử dụng khóa (Key Usage) để ký số."
    ),
    "cert.not_for_signing": gettext_noop(
        "Chứng thư số không được cấp cho mục đích ký số "
        "(thiếu digitalSignature hoặc nonRepudiation trong Key Usage)."
    ),
    "cert.rsa_short": gettext_noop("Khóa RSA {bits} bit quá ngắn: cần tối thiểu {minimum} bit."),
    "cert.ec_short": gettext_noop("Khóa ECDSA {bits} bit quá ngắn: cần tối thiểu {minimum} bit."),
    "cert.key_unsupported": gettext_noop(
        "Loại khóa của chứng thư số không được hỗ trợ: chỉ chấp nhận RSA hoặc ECDSA."
    ),
    "cert.signature_unsupported": gettext_noop(
        "Thuật toán chữ ký của chứng thư số không được hỗ trợ."
    ),
    "cert.weak_hash": gettext_noop(
        "Chứng thư số được ký bằng hàm băm {hash} yếu: cần SHA-256 hoặc mạnh hơn."
    ),
    # visual comparison
    "visual.same": gettext_noop(
        "Đã so sánh hình ảnh {pages} trang lúc ký với tệp hiện nay: không trang nào khác."
    ),
    "visual.expected_only": gettext_noop(
        "Đã so sánh hình ảnh {pages} trang: chỉ khác ở các vị trí quy trình dự kiến (chữ ký "
        "sau, ô số và ngày văn bản) trên trang {changed}."
    ),
    "visual.changed": gettext_noop(
        "Hình ảnh trang {changed} hiện nay khác lúc ký ở ngoài các vị trí quy trình dự kiến "
        "(xem ảnh so sánh): nội dung người đọc thấy có thể không phải nội dung đã ký."
    ),
    "visual.truncated": gettext_noop(
        "Chỉ so sánh hình ảnh {pages} trang đầu (giới hạn cấu hình); các trang sau không được "
        "so sánh."
    ),
    # PAdES level reached
    "pades.CMS": gettext_noop(
        "chữ ký PDF kiểu CMS cũ (adbe.pkcs7.detached), không theo chuẩn PAdES."
    ),
    "pades.B-B": gettext_noop("PAdES B-B: chữ ký cơ bản, không có dấu thời gian."),
    "pades.B-T": gettext_noop("PAdES B-T: có dấu thời gian của chữ ký."),
    "pades.B-LT": gettext_noop(
        "PAdES B-LT: có dấu thời gian và dữ liệu xác thực dài hạn (chứng thư, OCSP/CRL)."
    ),
    "pades.B-LTA": gettext_noop(
        "PAdES B-LTA: có thêm dấu thời gian tài liệu bảo đảm lưu trữ dài hạn."
    ),
}


MESSAGES.update({f"change.{kind}": label for kind, label in CHANGE_LABELS.items()})
MESSAGES.update({f"perm.{name}": label for name, label in PERM_LABELS.items()})

# --- Parameters ----------------------------------------------------------------------------------


def text(message_id: str, **params: Any) -> dict[str, Any]:
    """A message as a parameter of another one (rendered, and translated, with it)."""
    return {"id": message_id, "params": params}


def time_param(moment: datetime) -> dict[str, str]:
    return {"time": moment.isoformat()}


def day_param(moment: datetime) -> dict[str, str]:
    return {"day": moment.isoformat()}


def sentences(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "sep": " "}


def _moment(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(VIETNAM)


def human_time(value: str | datetime | None) -> str:
    """``27/11/2026 14:05:09 (+07:00)``: a date and time as people read it, in Vietnam time."""
    if not value:
        return ""
    return _moment(value).strftime("%d/%m/%Y %H:%M:%S (%:z)")


def human_day(value: str | datetime | None) -> str:
    if not value:
        return ""
    return _moment(value).strftime("%d/%m/%Y")


# --- Rendering -----------------------------------------------------------------------------------


def render(
    message_id: str, params: Mapping[str, Any] | None = None, *, translate: Translate = source
) -> str:
    """The message *message_id* with its *params*, through *translate* (none by default).

    Raises ``KeyError`` for an unknown id. A translation whose placeholders do not match the
    source is not trusted: the source text is used instead.
    """
    template = MESSAGES[message_id]
    values = {name: _value(value, translate) for name, value in (params or {}).items()}
    translated = translate(template)
    with contextlib.suppress(KeyError, IndexError, ValueError):
        return translated.format(**values)
    return template.format(**values)


def _value(value: Any, translate: Translate) -> str:
    if isinstance(value, dict):
        if "time" in value:
            return human_time(value["time"])
        if "day" in value:
            return human_day(value["day"])
        if "id" in value:
            return render(value["id"], value.get("params"), translate=translate)
        if "items" in value:
            return str(value.get("sep", "; ")).join(
                _value(item, translate) for item in value["items"]
            )
    if isinstance(value, list | tuple):
        return "; ".join(_value(item, translate) for item in value)
    return str(value)


def label(table: Mapping[str, str], key: str, *, translate: Translate = source) -> str:
    """A label from one of the tables above, or *key* itself if it has none."""
    source = table.get(key)
    return translate(source) if source is not None else key
