"""CSV import of bodies and people, all or nothing, with a report per row.

Headers are Vietnamese (see BODY_COLUMNS and PEOPLE_COLUMNS); files are UTF-8 with or without a
byte-order mark, as Excel and LibreOffice save them. Every row is checked before anything is
written; if one row is invalid nothing is imported and each bad row is reported by its line.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from accounts.models import Body, BodyKind, Role, User, nfc
from accounts.services import body_create, membership_set, user_create

BODY_COLUMNS = {
    "mã": "code",
    "tên cơ quan": "name",
    "ký hiệu": "symbol",
    "loại": "kind",
    "mã cơ quan cấp trên": "parent",
    "tổng số thành viên": "total_members",
    "địa danh": "place_name",
}
BODY_REQUIRED = {"code", "name", "symbol"}

PEOPLE_COLUMNS = {
    "tên đăng nhập": "username",
    "họ và tên": "full_name",
    "chức vụ": "position",
    "điện thoại": "phone",
    "email": "email",
    "mã cơ quan": "body",
    "vai trò": "role",
}
PEOPLE_REQUIRED = {"username", "full_name", "body"}

# Accept the labels people type as well as the codes.
_KIND_LOOKUP = {
    **{k: k for k in BodyKind.values},
    **{nfc(label).lower(): value for value, label in BodyKind.choices},
}
_ROLE_LOOKUP = {
    **{r: r for r in Role.values},
    **{nfc(label).lower(): value for value, label in Role.choices},
    "chủ tịch": Role.CHAIR,
    "chủ trì": Role.CHAIR,
    "phó chủ tịch": Role.VICE_CHAIR,
    "thành viên": Role.MEMBER,
    "văn thư": Role.CLERK,
    "thư ký": Role.SECRETARY,
}


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(
    raw: bytes, columns: dict[str, str], required: set[str], result: ImportResult
) -> list[tuple[int, dict[str, str]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(RowError(0, "Tệp không phải UTF-8. Hãy lưu lại tệp CSV dạng UTF-8."))
        return []
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        result.errors.append(RowError(1, "Tệp trống hoặc thiếu dòng tiêu đề."))
        return []
    keys = [columns.get(unicodedata.normalize("NFC", h).strip().lower()) for h in header]
    missing = required - set(keys)
    if missing:
        wanted = [label for label, key in columns.items() if key in missing]
        result.errors.append(RowError(1, "Thiếu cột: " + ", ".join(sorted(wanted)) + "."))
        return []
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {key: nfc(value) for key, value in zip(keys, values, strict=False) if key}
        rows.append((line, row))
    if not rows:
        result.errors.append(RowError(2, "Tệp không có dòng dữ liệu nào."))
    return rows


def _check_body_row(
    row: dict[str, str], known_codes: set[str], codes_in_file: dict[str, int]
) -> list[str]:
    problems = []
    for key in ("code", "name", "symbol"):
        if not row.get(key):
            problems.append(f"thiếu {next(k for k, v in BODY_COLUMNS.items() if v == key)}")
    code = row.get("code", "")
    if code:
        try:
            validate_slug(code)
        except ValidationError:
            problems.append(f"mã “{code}” chỉ được gồm chữ không dấu, số, gạch ngang, gạch dưới")
        if code in known_codes:
            problems.append(f"mã “{code}” đã có trong hệ thống")
    kind = row.get("kind", "")
    if kind and nfc(kind).lower() not in _KIND_LOOKUP:
        problems.append(f"loại “{kind}” không hợp lệ")
    parent = row.get("parent", "")
    if parent and parent not in known_codes and parent not in codes_in_file:
        problems.append(f"không tìm thấy cơ quan cấp trên “{parent}”")
    if parent and parent == code:
        problems.append("cơ quan không thể là cấp trên của chính nó")
    total = row.get("total_members", "")
    if total and not total.isdigit():
        problems.append(f"tổng số thành viên “{total}” phải là số nguyên không âm")
    return problems


def _parent_order(
    rows: list[tuple[int, dict[str, str]]],
) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, dict[str, str]]]]:
    """Order rows so each parent comes before its children; rows in a cycle come back apart."""
    in_file = {row["code"] for _line, row in rows}
    placed: list[tuple[int, dict[str, str]]] = []
    done: set[str] = set()
    pending = list(rows)
    while pending:
        ready = [
            item
            for item in pending
            if item[1].get("parent", "") not in in_file or item[1]["parent"] in done
        ]
        if not ready:
            break
        placed.extend(ready)
        done.update(item[1]["code"] for item in ready)
        pending = [item for item in pending if item[1]["code"] not in done]
    return placed, pending


def import_bodies_csv(raw: bytes, *, actor: User | None) -> ImportResult:
    result = ImportResult()
    rows = _read_rows(raw, BODY_COLUMNS, BODY_REQUIRED, result)
    if not result.ok:
        return result
    known = set(Body.objects.values_list("code", flat=True))
    in_file: dict[str, int] = {}
    for line, row in rows:
        code = row.get("code", "")
        if code in in_file:
            result.errors.append(RowError(line, f"mã “{code}” trùng với dòng {in_file[code]}"))
        elif code:
            in_file[code] = line
    for line, row in rows:
        for problem in _check_body_row(row, known, in_file):
            result.errors.append(RowError(line, problem))
    ordered, cyclic = _parent_order(rows)
    for line, _row in cyclic:
        result.errors.append(RowError(line, "các cơ quan cấp trên tạo thành vòng lặp"))
    if not result.ok:
        result.errors.sort(key=lambda e: e.line)
        return result
    _create_bodies(ordered, actor, result)
    return result


@transaction.atomic
def _create_bodies(
    ordered: list[tuple[int, dict[str, str]]], actor: User | None, result: ImportResult
) -> None:
    for line, row in ordered:
        parent = Body.objects.get(code=row["parent"]) if row.get("parent") else None
        try:
            body_create(
                actor=actor,
                code=row["code"],
                name=row["name"],
                symbol=row["symbol"],
                kind=_KIND_LOOKUP.get(nfc(row.get("kind", "")).lower(), BodyKind.OTHER),
                parent=parent,
                total_members=int(row.get("total_members") or 0),
                place_name=row.get("place_name", ""),
            )
        except ValidationError as exc:
            result.errors.append(RowError(line, "; ".join(exc.messages)))
    if not result.ok:
        transaction.set_rollback(True)
        result.created = 0
        return
    result.created = len(ordered)


def _check_person_row(row: dict[str, str], known_users: set[str], bodies: set[str]) -> list[str]:
    problems = []
    username = row.get("username", "")
    if not username:
        problems.append("thiếu tên đăng nhập")
    elif username.lower() in known_users:
        problems.append(f"tên đăng nhập “{username}” đã tồn tại")
    if not row.get("full_name"):
        problems.append("thiếu họ và tên")
    body = row.get("body", "")
    if body not in bodies:
        problems.append(f"không tìm thấy cơ quan có mã “{body}”")
    role = row.get("role", "")
    if role and nfc(role).lower() not in _ROLE_LOOKUP:
        problems.append(f"vai trò “{role}” không hợp lệ")
    email = row.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"email “{email}” không hợp lệ")
    return problems


def import_people_csv(raw: bytes, *, actor: User | None) -> ImportResult:
    result = ImportResult()
    rows = _read_rows(raw, PEOPLE_COLUMNS, PEOPLE_REQUIRED, result)
    if not result.ok:
        return result
    known = {u.lower() for u in User.objects.values_list("username", flat=True)}
    bodies = set(Body.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}
    for line, row in rows:
        username = row.get("username", "").lower()
        if username in seen:
            result.errors.append(RowError(line, f"tên đăng nhập trùng với dòng {seen[username]}"))
        elif username:
            seen[username] = line
        for problem in _check_person_row(row, known, bodies):
            result.errors.append(RowError(line, problem))
    if not result.ok:
        result.errors.sort(key=lambda e: e.line)
        return result
    _create_people(rows, actor, result)
    return result


@transaction.atomic
def _create_people(
    rows: list[tuple[int, dict[str, str]]], actor: User | None, result: ImportResult
) -> None:
    bodies = {b.code: b for b in Body.objects.filter(code__in={r["body"] for _, r in rows})}
    for line, row in rows:
        try:
            user = user_create(
                actor=actor,
                username=row["username"],
                full_name=row["full_name"],
                position=row.get("position", ""),
                phone=row.get("phone", ""),
                email=row.get("email", ""),
            )
            role = _ROLE_LOOKUP.get(nfc(row.get("role", "")).lower(), Role.MEMBER)
            membership_set(actor=actor, user=user, body=bodies[row["body"]], role=role)
        except ValidationError as exc:
            result.errors.append(RowError(line, "; ".join(exc.messages)))
    if not result.ok:
        transaction.set_rollback(True)
        result.created = 0
        return
    result.created = len(rows)
