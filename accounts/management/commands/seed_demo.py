"""Create the demo province. Idempotent: what exists already is left as it is."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo_data as demo
from accounts.models import Body, Role, User
from accounts.services import body_create, membership_set, user_create


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu tỉnh Bắc Ninh (chạy lại không thay đổi gì)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        self.created = 0
        bodies = self._bodies()
        self._logins(bodies)
        self._staff(bodies)
        self.stdout.write(
            self.style.SUCCESS(
                f"Dữ liệu mẫu sẵn sàng ({self.created} mục mới). "
                "Mật khẩu các tài khoản mẫu: xem README."
            )
        )

    def _body(
        self, code: str, name: str, symbol: str, kind: str, parent: Body | None, total: int
    ) -> Body:
        existing = Body.objects.filter(code=code).first()
        if existing:
            return existing
        self.created += 1
        return body_create(
            actor=None,
            code=code,
            name=name,
            symbol=symbol,
            kind=kind,
            parent=parent,
            total_members=total,
            place_name=demo.PROVINCE,
        )

    def _bodies(self) -> dict[str, Body]:
        bodies: dict[str, Body] = {}
        for code, name, symbol, kind, parent, total in demo.TOP_BODIES:
            bodies[code] = self._body(code, name, symbol, kind, bodies.get(parent or ""), total)
        committee = bodies["ubnd-tinh"]
        for code, name, symbol in demo.DEPARTMENTS:
            bodies[code] = self._body(code, name, symbol, "department", committee, 0)
        for code, name, _place in demo.DISTRICTS:
            bodies[code] = self._body(code, name, "UBND", "district_committee", committee, 7)
        return bodies

    def _user(
        self,
        username: str,
        full_name: str,
        position: str,
        *,
        staff: bool = False,
        superuser: bool = False,
    ) -> User:
        existing = User.objects.filter(username=username).first()
        if existing:
            return existing
        self.created += 1
        user = user_create(
            actor=None,
            username=username,
            full_name=full_name,
            password=demo.DEMO_PASSWORD,
            position=position,
            email=f"{username}@bacninh.gov.vn.example",
            is_staff=staff,
        )
        if superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        return user

    def _member(self, user: User, body: Body, role: str) -> None:
        if not user.memberships.filter(body=body).exists():
            self.created += 1
            membership_set(actor=None, user=user, body=body, role=role)

    def _logins(self, bodies: dict[str, Body]) -> None:
        username, name, position = demo.ADMIN_LOGIN
        self._user(username, name, position, staff=True, superuser=True)
        for username, name, position, body, role, staff in demo.DEMO_LOGINS:
            self._member(self._user(username, name, position, staff=staff), bodies[body], role)
        clerk = User.objects.get(username="vanthu")
        self._member(clerk, bodies["vp-ubnd"], Role.CLERK)

    def _staff(self, bodies: dict[str, Body]) -> None:
        """About 55 more people: the committee's members, department and district staff."""
        people = demo.generated_people()
        used: set[str] = set()
        departments = [code for code, _n, _s in demo.DEPARTMENTS]
        districts = [code for code, _n, _p in demo.DISTRICTS]
        for index, (full_name, base, _female) in enumerate(people):
            username = base
            suffix = 2
            while username in used:
                username, suffix = f"{base}{suffix}", suffix + 1
            used.add(username)
            body_code, role, position = self._place(index, departments, districts, bodies)
            user = self._user(username, full_name, position)
            self._member(user, bodies[body_code], role)
            if index < 10:  # department heads also sit on the People's Committee
                self._member(user, bodies["ubnd-tinh"], Role.MEMBER)
            elif index < 28:  # and these people are council delegates
                self._member(user, bodies["hdnd-tinh"], Role.MEMBER)

    @staticmethod
    def _place(
        index: int, departments: list[str], districts: list[str], bodies: dict[str, Body]
    ) -> tuple[str, str, str]:
        if index < len(departments):
            code = departments[index]
            return code, Role.CHAIR, f"Giám đốc {bodies[code].name}"
        index -= len(departments)
        if index < len(districts):
            code = districts[index]
            return code, Role.CHAIR, f"Chủ tịch {bodies[code].name}"
        index -= len(districts)
        code = departments[index % len(departments)]
        if index % 3 == 0:
            return code, Role.CLERK, f"Văn thư {bodies[code].name}"
        return code, Role.MEMBER, f"Chuyên viên {bodies[code].name}"
