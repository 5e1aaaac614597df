"""The province's bodies (tỉnh → sở/ban/ngành → huyện → xã, plus offices), people, memberships."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from accounts.demo_data import ascii_fold
from accounts.models import Body, BodyKind, Clearance, Membership, Role, User, nfc
from meetings.models import VotingRule
from meetings.seed_scale import names
from meetings.seed_scale.chain import Chain
from meetings.seed_scale.writer import Writer

PREFIX = "bn"  # body codes and the root's code start with it: "bn-ubnd-tinh"
ROOT_CODE = f"{PREFIX}-ubnd-tinh"
PASSWORD = "KyHop@2026"  # noqa: S105 - seeded test data; the README says so
COUNTED = (Role.CHAIR, Role.VICE_CHAIR, Role.MEMBER)

# Well-known accounts the benchmark and tests log in as.
CLERK_USERNAME = "vanthu.tinh"  # clerk of the People's Committee (and of its office)
CHAIR_USERNAME = "chutich.tinh"
ADMIN_USERNAME = "quantri.tinh"


@dataclass
class Person:
    id: int
    username: str
    full_name: str
    position: str
    clearance: int

    @property
    def actor(self) -> tuple[int, str]:
        """(id, label) as the audit log labels a user."""
        return self.id, f"{self.username} ({self.full_name})"


@dataclass
class BodyPlan:
    id: int
    code: str
    name: str
    symbol: str
    kind: str
    parent: BodyPlan | None
    place: str
    short: str  # "Sở Y tế", "xã Tân Hồng": used in positions and abstracts
    members: list[tuple[Person, str]] = field(default_factory=list)
    rule_id: int | None = None

    @property
    def total_members(self) -> int:
        return sum(1 for _p, role in self.members if role in COUNTED)

    def with_role(self, *roles: str) -> list[Person]:
        return [person for person, role in self.members if role in roles]

    @property
    def chair(self) -> Person:
        return self.with_role(Role.CHAIR)[0]

    @property
    def clerk(self) -> Person:
        return self.with_role(Role.CLERK)[0]


@dataclass
class Province:
    bodies: list[BodyPlan]
    people: list[Person]
    admin: Person


@dataclass(frozen=True)
class Shape:
    """How many of each kind of body; the full province has 252."""

    departments: int
    districts: int
    communes_per_district: list[int]
    units: int
    council_delegates: int
    people: int

    @classmethod
    def for_scale(cls, scale: float) -> Shape:
        if scale >= 1:
            # 126 communes (as Bắc Ninh had before 2025), 80 offices: 252 bodies in all.
            return cls(28, 8, [19, 10, 21, 18, 14, 14, 14, 16], 80, 50, 1500)
        root = math.sqrt(scale)
        districts = max(2, round(8 * root))
        return cls(
            departments=max(3, round(28 * root)),
            districts=districts,
            communes_per_district=[max(2, round(16 * root))] * districts,
            units=max(2, round(78 * root)),
            council_delegates=max(9, round(50 * root)),
            people=max(40, round(1500 * scale)),
        )


class ProvinceBuilder:
    def __init__(self, writer: Writer, chain: Chain, rng: random.Random, at: dt.datetime) -> None:
        self.writer = writer
        self.chain = chain
        self.rng = rng
        self.at = at
        self.people: list[Person] = []
        self.bodies: list[BodyPlan] = []
        self._usernames: set[str] = set()
        self._password = make_password(PASSWORD)

    # --- bodies ---------------------------------------------------------------------------

    def build(self, shape: Shape) -> Province:
        committee = self._body(
            "ubnd-tinh",
            f"Ủy ban nhân dân tỉnh {names.PROVINCE}",
            "UBND",
            BodyKind.PROVINCE_COMMITTEE,
            None,
            "tỉnh",
        )
        council = self._body(
            "hdnd-tinh",
            f"Hội đồng nhân dân tỉnh {names.PROVINCE}",
            "HĐND",
            BodyKind.PROVINCE_COUNCIL,
            None,
            "tỉnh",
        )
        departments = [
            self._body(suffix, name, symbol, BodyKind.DEPARTMENT, committee, name)
            for suffix, name, symbol in names.DEPARTMENTS[: shape.departments]
        ]
        districts, district_councils, communes = [], [], []
        for index, (suffix, word, place) in enumerate(names.DISTRICTS[: shape.districts]):
            district = self._body(
                suffix,
                f"Ủy ban nhân dân {word} {place}",
                "UBND",
                BodyKind.DISTRICT_COMMITTEE,
                committee,
                f"{word} {place}",
            )
            districts.append(district)
            district_councils.append(
                self._body(
                    f"hdnd-{suffix}",
                    f"Hội đồng nhân dân {word} {place}",
                    "HĐND",
                    BodyKind.DISTRICT_COUNCIL,
                    council,
                    f"{word} {place}",
                )
            )
            communes += self._communes(district, shape.communes_per_district[index])
        units = self._units(departments + districts, shape.units)
        self._staff(
            committee, council, departments, districts, district_councils, communes, units, shape
        )
        admin = self._person(
            ADMIN_USERNAME,
            "Quản trị hệ thống tỉnh",
            "Quản trị viên",
            Clearance.TOP_SECRET,
            superuser=True,
        )
        self._write()
        return Province(self.bodies, self.people, admin)

    def _body(
        self, suffix: str, name: str, symbol: str, kind: str, parent: BodyPlan | None, short: str
    ) -> BodyPlan:
        body = BodyPlan(
            self.writer.new_id(Body),
            f"{PREFIX}-{suffix}",
            nfc(name),
            nfc(symbol),
            kind,
            parent,
            names.PROVINCE,
            nfc(short),
        )
        self.bodies.append(body)
        return body

    def _communes(self, district: BodyPlan, count: int) -> list[BodyPlan]:
        made: list[BodyPlan] = []
        used: set[str] = set()
        while len(made) < count:
            first, second = self.rng.sample(names.COMMUNE_SYLLABLES, 2)
            place = f"{first} {second}"
            if place in used:
                continue
            used.add(place)
            word = "phường" if district.code.startswith(f"{PREFIX}-tp-") else "xã"
            slug = ascii_fold(place).replace(" ", "-")
            made.append(
                self._body(
                    f"{district.code[len(PREFIX) + 1 :]}-{slug}",
                    f"Ủy ban nhân dân {word} {place}",
                    "UBND",
                    BodyKind.COMMUNE_COMMITTEE,
                    district,
                    f"{word} {place}",
                )
            )
        return made

    def _units(self, parents: list[BodyPlan], count: int) -> list[BodyPlan]:
        made = []
        for index in range(count):
            parent = parents[index % len(parents)]
            unit_name, unit_symbol = names.UNIT_NAMES[
                (index // len(parents)) % len(names.UNIT_NAMES)
            ]
            made.append(
                self._body(
                    f"{parent.code[len(PREFIX) + 1 :]}-{unit_symbol.lower()}",
                    f"{unit_name} - {parent.short}",
                    unit_symbol,
                    BodyKind.UNIT,
                    parent,
                    f"{unit_name} {parent.short}",
                )
            )
        return made

    # --- people ---------------------------------------------------------------------------

    def _person(
        self,
        username: str | None,
        full_name: str | None,
        position: str,
        clearance: int = Clearance.NORMAL,
        *,
        superuser: bool = False,
    ) -> Person:
        if full_name is None:
            full_name, _female = names.person_name(self.rng)
        pk = self.writer.new_id(User)
        if username is None:
            parts = ascii_fold(full_name).split()
            username = f"{parts[-1]}.{''.join(p[0] for p in parts[:-1])}{pk}"
        self._usernames.add(username)
        person = Person(pk, username, full_name, nfc(position), clearance)
        person.superuser = superuser  # type: ignore[attr-defined]
        self.people.append(person)
        return person

    def _member(self, body: BodyPlan, person: Person, role: str) -> None:
        body.members.append((person, role))

    def _leadership(
        self,
        body: BodyPlan,
        head: str,
        deputy: str,
        vices: int,
        members: int,
        *,
        clerk_name: str | None = None,
    ) -> None:
        self._member(
            body, self._person(None, None, f"{head} {body.short}", Clearance.TOP_SECRET), Role.CHAIR
        )
        for _ in range(vices):
            self._member(
                body,
                self._person(None, None, f"{deputy} {body.short}", Clearance.SECRET),
                Role.VICE_CHAIR,
            )
        for _ in range(members):
            self._member(body, self._person(None, None, f"Chuyên viên {body.short}"), Role.MEMBER)
        self._member(
            body,
            self._person(clerk_name, None, f"Văn thư {body.short}", Clearance.TOP_SECRET),
            Role.CLERK,
        )

    def _staff(
        self,
        committee: BodyPlan,
        council: BodyPlan,
        departments: list[BodyPlan],
        districts: list[BodyPlan],
        district_councils: list[BodyPlan],
        communes: list[BodyPlan],
        units: list[BodyPlan],
        shape: Shape,
    ) -> None:
        chair = self._person(
            CHAIR_USERNAME,
            None,
            f"Chủ tịch Ủy ban nhân dân tỉnh {names.PROVINCE}",
            Clearance.TOP_SECRET,
        )
        self._member(committee, chair, Role.CHAIR)
        for _ in range(4):
            vice = self._person(
                None,
                None,
                f"Phó Chủ tịch Ủy ban nhân dân tỉnh {names.PROVINCE}",
                Clearance.TOP_SECRET,
            )
            self._member(committee, vice, Role.VICE_CHAIR)
        for body in departments:
            self._leadership(
                body,
                "Giám đốc",
                "Phó Giám đốc",
                2,
                2,
                clerk_name=CLERK_USERNAME if body.code == f"{PREFIX}-vp-ubnd" else None,
            )
            self._member(body, self._person(None, None, f"Thư ký {body.short}"), Role.SECRETARY)
        # The committee's members: ten department heads; its clerk is the office's clerk.
        for body in departments[:10]:
            self._member(committee, body.chair, Role.MEMBER)
        office = departments[0]
        self._member(committee, office.clerk, Role.CLERK)
        self._member(committee, office.with_role(Role.SECRETARY)[0], Role.SECRETARY)
        for body in districts:
            self._leadership(body, "Chủ tịch", "Phó Chủ tịch", 2, 3)
        for body in communes:
            self._leadership(body, "Chủ tịch", "Phó Chủ tịch", 1, 2)
        for body in units:
            head = "Trưởng" if body.name.startswith(("Phòng", "Văn phòng")) else "Giám đốc"
            self._leadership(body, head, f"Phó {head.lower()}", 1, 1)
        self._councils(council, district_councils, departments, districts, communes, shape)
        self._specialists(departments + districts, shape.people)

    def _councils(
        self,
        council: BodyPlan,
        district_councils: list[BodyPlan],
        departments: list[BodyPlan],
        districts: list[BodyPlan],
        communes: list[BodyPlan],
        shape: Shape,
    ) -> None:
        leaders = [b.chair for b in departments + districts] + [
            p for b in departments for p in b.with_role(Role.VICE_CHAIR)
        ]
        self._member(
            council,
            self._person(
                None,
                None,
                f"Chủ tịch Hội đồng nhân dân tỉnh {names.PROVINCE}",
                Clearance.TOP_SECRET,
            ),
            Role.CHAIR,
        )
        for _ in range(2):
            self._member(
                council,
                self._person(None, None, "Phó Chủ tịch Hội đồng nhân dân tỉnh", Clearance.SECRET),
                Role.VICE_CHAIR,
            )
        for person in leaders[: max(0, shape.council_delegates - 3)]:
            self._member(council, person, Role.MEMBER)
        office = next((b for b in departments if b.code == f"{PREFIX}-vp-hdnd"), departments[0])
        self._member(council, office.clerk, Role.CLERK)
        for district, district_council in zip(districts, district_councils, strict=True):
            own = [b for b in communes if b.parent is district]
            self._member(
                district_council,
                self._person(
                    None, None, f"Chủ tịch Hội đồng nhân dân {district.short}", Clearance.SECRET
                ),
                Role.CHAIR,
            )
            for person in district.with_role(Role.CHAIR, Role.VICE_CHAIR) + [b.chair for b in own]:
                self._member(district_council, person, Role.MEMBER)
            self._member(district_council, district.clerk, Role.CLERK)

    def _specialists(self, bodies: list[BodyPlan], target: int) -> None:
        """Chuyên viên in the departments and districts until the province has *target*
        people (the structure above already has most of them)."""
        index = 0
        while len(self.people) < target - 1:  # the administrator is the last one
            body = bodies[index % len(bodies)]
            self._member(body, self._person(None, None, f"Chuyên viên {body.short}"), Role.MEMBER)
            index += 1

    # --- rows -----------------------------------------------------------------------------

    def _write(self) -> None:
        users = self.writer.table(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "full_name",
                "position",
                "phone",
                "clearance",
            ],
        )
        for person in self.people:
            superuser = getattr(person, "superuser", False)
            users.add(
                person.id,
                self._password,
                superuser,
                person.username,
                "",
                "",
                f"{person.username}@bacninh.gov.vn.example",
                superuser,
                True,
                self.at,
                person.full_name,
                person.position,
                "",
                person.clearance,
            )
            self.chain.add(
                self.at,
                None,
                "user.created",
                "accounts.user",
                person.id,
                {"username": person.username, "full_name": person.full_name},
            )
        bodies = self.writer.table(
            Body,
            [
                "id",
                "code",
                "name",
                "symbol",
                "kind",
                "parent",
                "place_name",
                "total_members",
                "is_active",
            ],
        )
        memberships = self.writer.table(Membership, ["id", "user", "body", "role"])
        rules = self.writer.table(VotingRule, VOTING_RULE_FIELDS)
        for body in self.bodies:
            parent_id = body.parent.id if body.parent else None
            bodies.add(
                body.id,
                body.code,
                body.name,
                body.symbol,
                body.kind,
                parent_id,
                body.place,
                body.total_members,
                True,
            )
            self.chain.add(
                self.at,
                None,
                "body.created",
                "accounts.body",
                body.id,
                {
                    "code": body.code,
                    "name": body.name,
                    "parent": body.parent.code if body.parent else None,
                },
            )
            for person, role in body.members:
                pk = self.writer.new_id(Membership)
                memberships.add(pk, person.id, body.id, role)
                self.chain.add(
                    self.at,
                    None,
                    "membership.set",
                    "accounts.membership",
                    pk,
                    {
                        "user": person.username,
                        "body": body.code,
                        "role": role,
                        "previous_role": None,
                    },
                )
            if body.total_members:
                body.rule_id = self.writer.new_id(VotingRule)
                rules.add(*voting_rule_row(body.rule_id, body.id, self.at))


VOTING_RULE_FIELDS = [
    "id",
    "body",
    "name",
    "is_default",
    "quorum_numerator",
    "quorum_denominator",
    "base",
    "threshold",
    "custom_numerator",
    "custom_denominator",
    "custom_strict",
    "tie_policy",
    "eligible_voters",
    "confidence_flags",
    "updated_at",
]


def default_rule(body_id: int) -> VotingRule:
    """The law's defaults (2/3 present, more than half of all members, chair breaks a tie)."""
    return VotingRule(body_id=body_id, name="Quy chế theo Luật Tổ chức chính quyền địa phương")


def voting_rule_row(pk: int, body_id: int, at: dt.datetime) -> tuple:
    from meetings.seed_scale.writer import json_text

    rule = default_rule(body_id)
    return (
        pk,
        body_id,
        rule.name,
        True,
        rule.quorum_numerator,
        rule.quorum_denominator,
        rule.base,
        rule.threshold,
        rule.custom_numerator,
        rule.custom_denominator,
        rule.custom_strict,
        rule.tie_policy,
        rule.eligible_voters,
        json_text(rule.confidence_flags),
        at,
    )
