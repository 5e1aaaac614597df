"""Quorum and majority rules as data: pure functions over counts, no database.

The Law on Organisation of Local Government (a People's Committee meets with at least 2/3 of its
members; a decision needs more than half of *all* members; on a tie the chair's side wins) is one
``Rule`` value among many, not a code path. Arithmetic is exact (``Fraction``): a float would put
"exactly 2/3" on the wrong side of the line for some member counts.

Tie semantics (one reading of the law, applied the same way to every poll kind): a tie is two or
more sides with the same, highest count. The chair's side wins a tie only when that side reaches
the threshold if the threshold is read "at least" instead of "more than" — the chair decides
between two equal halves, but cannot turn 7 of 15 into "more than half of all members".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_noop


class Base(StrEnum):
    ALL_MEMBERS = "all_members"
    MEMBERS_PRESENT = "members_present"
    VOTES_CAST = "votes_cast"  # every ballot handed in, abstentions included


class Threshold(StrEnum):
    MORE_THAN_HALF = "more_than_half"
    AT_LEAST_TWO_THIRDS = "at_least_two_thirds"
    CUSTOM = "custom"


class TiePolicy(StrEnum):
    CHAIR_DECIDES = "chair_decides"
    FAILS = "fails"


class PollKind(StrEnum):
    YES_NO_ABSTAIN = "yes_no_abstain"
    ONE_OF_N = "one_of_n"
    SEVERAL_OF_N = "several_of_n"
    CONFIDENCE = "confidence"


YES, NO, ABSTAIN = "yes", "no", "abstain"
HIGH, MEDIUM, LOW = "high", "medium", "low"
# Marked for translation only: results and minutes keep them in Vietnamese; screens show them
# in their own language (live/selectors.py, ``screen_labels``).
MOTION_LABELS = {
    YES: gettext_noop("Tán thành"),
    NO: gettext_noop("Không tán thành"),
    ABSTAIN: gettext_noop("Không biểu quyết"),
}
CONFIDENCE_LABELS = {
    HIGH: gettext_noop("Tín nhiệm cao"),
    MEDIUM: gettext_noop("Tín nhiệm"),
    LOW: gettext_noop("Tín nhiệm thấp"),
}


@dataclass(frozen=True)
class ConfidenceFlag:
    """A share of *total* members rating "tín nhiệm thấp" that has a legal consequence."""

    numerator: int
    denominator: int
    strict: bool
    label: str


# Resolution 96/2023/QH15 (confidence votes): more than half of all delegates rating "low" lets
# the person resign; two thirds or more sends them to a vote of confidence. Data, so a body can
# follow a different text without a code change.
DEFAULT_CONFIDENCE_FLAGS: tuple[ConfidenceFlag, ...] = (
    ConfidenceFlag(
        1,
        2,
        True,
        "Trên 1/2 tổng số thành viên đánh giá tín nhiệm thấp: "
        "người được lấy phiếu có thể xin từ chức.",
    ),
    ConfidenceFlag(
        2,
        3,
        False,
        "Từ 2/3 tổng số thành viên trở lên đánh giá tín nhiệm thấp: trình bỏ phiếu tín nhiệm.",
    ),
)


@dataclass(frozen=True)
class Rule:
    """Everything that decides quorum and results. Defaults follow the People's Committee law."""

    quorum_numerator: int = 2
    quorum_denominator: int = 3
    base: Base = Base.ALL_MEMBERS
    threshold: Threshold = Threshold.MORE_THAN_HALF
    custom_numerator: int = 1
    custom_denominator: int = 2
    custom_strict: bool = True
    tie_policy: TiePolicy = TiePolicy.CHAIR_DECIDES
    confidence_flags: tuple[ConfidenceFlag, ...] = DEFAULT_CONFIDENCE_FLAGS

    @property
    def quorum_fraction(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator)

    @property
    def fraction(self) -> Fraction:
        if self.threshold == Threshold.MORE_THAN_HALF:
            return Fraction(1, 2)
        if self.threshold == Threshold.AT_LEAST_TWO_THIRDS:
            return Fraction(2, 3)
        return Fraction(self.custom_numerator, self.custom_denominator)

    @property
    def strict(self) -> bool:
        """True for "more than", False for "at least"."""
        if self.threshold == Threshold.MORE_THAN_HALF:
            return True
        if self.threshold == Threshold.AT_LEAST_TWO_THIRDS:
            return False
        return self.custom_strict

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["confidence_flags"] = [asdict(flag) for flag in self.confidence_flags]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rule:
        values = dict(data)
        flags = values.pop("confidence_flags", None)
        rule = cls(
            quorum_numerator=int(values.get("quorum_numerator", 2)),
            quorum_denominator=int(values.get("quorum_denominator", 3)),
            base=Base(values.get("base", Base.ALL_MEMBERS)),
            threshold=Threshold(values.get("threshold", Threshold.MORE_THAN_HALF)),
            custom_numerator=int(values.get("custom_numerator", 1)),
            custom_denominator=int(values.get("custom_denominator", 2)),
            custom_strict=bool(values.get("custom_strict", True)),
            tie_policy=TiePolicy(values.get("tie_policy", TiePolicy.CHAIR_DECIDES)),
        )
        if flags is None:
            return rule
        return replace(rule, confidence_flags=tuple(ConfidenceFlag(**flag) for flag in flags))


def rule_errors(rule: Rule) -> list[str]:
    """Why a rule cannot be used (empty when it can); the admin shows these to the clerk."""
    errors = []
    for name, num, den in (
        ("Tỷ lệ tối thiểu có mặt", rule.quorum_numerator, rule.quorum_denominator),
        ("Tỷ lệ thông qua", rule.custom_numerator, rule.custom_denominator),
    ):
        if den <= 0 or num < 0 or num > den:
            errors.append(f"{name} phải là phân số từ 0 đến 1 (tử số ≤ mẫu số, mẫu số > 0).")
    for flag in rule.confidence_flags:
        if flag.denominator <= 0 or not 0 <= flag.numerator <= flag.denominator:
            errors.append("Ngưỡng tín nhiệm thấp phải là phân số từ 0 đến 1.")
    return errors


# --- Arithmetic -------------------------------------------------------------------------------


def meets(count: int, of: int, fraction: Fraction, *, strict: bool) -> bool:
    """count/of > fraction (strict) or ≥ fraction, in integers: no division, no rounding."""
    if strict:
        return count * fraction.denominator > fraction.numerator * of
    return count * fraction.denominator >= fraction.numerator * of


def minimum_count(of: int, fraction: Fraction, *, strict: bool) -> int:
    """The smallest whole count that meets the threshold (8 of 15 for "more than 1/2")."""
    exact = fraction * of
    if strict:
        return math.floor(exact) + 1
    return math.ceil(exact)


def percent(count: int, of: int) -> str:
    """Vietnamese percentage with two decimals, half rounded up: 10/15 → "66,67%"."""
    if of <= 0:
        return "0,00%"
    hundredths = Fraction(count * 10000, of)
    rounded = math.floor(hundredths + Fraction(1, 2))
    return f"{rounded // 100},{rounded % 100:02d}%"


def fraction_text(fraction: Fraction, *, strict: bool) -> str:
    return f"{'hơn' if strict else 'ít nhất'} {fraction.numerator}/{fraction.denominator}"


# --- Quorum ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumResult:
    met: bool
    present: int
    total_members: int
    required: int
    explanation: str


def quorum_check(*, rule: Rule, present: int, total_members: int) -> QuorumResult:
    """At least quorum_fraction of the *total* membership present (the law counts all members)."""
    if total_members <= 0:
        return QuorumResult(
            False,
            present,
            total_members,
            0,
            "Chưa đủ điều kiện: cơ quan chưa khai báo tổng số thành viên.",
        )
    fraction = rule.quorum_fraction
    required = minimum_count(total_members, fraction, strict=False)
    met = meets(present, total_members, fraction, strict=False)
    verdict = "Đủ" if met else "Chưa đủ"
    explanation = (
        f"{verdict} số thành viên dự họp: {present}/{total_members} thành viên có mặt "
        f"({percent(present, total_members)}), cần ít nhất {fraction.numerator}/"
        f"{fraction.denominator} tổng số thành viên (tối thiểu {required})."
    )
    return QuorumResult(met, present, total_members, required, explanation)


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Counts from the database. ``counts`` is per option key; ``cast`` is ballots handed in."""

    counts: Mapping[str, int]
    total_members: int
    present: int
    cast: int
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, key: str) -> str:
        return self.labels.get(key) or MOTION_LABELS.get(key) or CONFIDENCE_LABELS.get(key) or key


@dataclass(frozen=True)
class OptionResult:
    key: str
    label: str
    count: int
    percent: str
    passed: bool


@dataclass(frozen=True)
class Decision:
    """The outcome of a poll and every number behind it, ready to store as JSON."""

    kind: str
    passed: bool
    base: str
    base_count: int
    required: int
    total_members: int
    present: int
    cast: int
    options: list[OptionResult]
    winners: list[str]
    tie: bool = False
    tie_broken_by_chair: bool = False
    flags: list[str] = field(default_factory=list)
    explanation: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


BASE_WORDS = {
    Base.ALL_MEMBERS: "tổng số thành viên",
    Base.MEMBERS_PRESENT: "số thành viên có mặt",
    Base.VOTES_CAST: "số phiếu biểu quyết",
}
BASE_UNITS = {
    Base.ALL_MEMBERS: "thành viên",
    Base.MEMBERS_PRESENT: "thành viên có mặt",
    Base.VOTES_CAST: "phiếu",
}


def base_count(rule: Rule, tally: Tally) -> int:
    return {
        Base.ALL_MEMBERS: tally.total_members,
        Base.MEMBERS_PRESENT: tally.present,
        Base.VOTES_CAST: tally.cast,
    }[rule.base]


def _requirement(rule: Rule, of: int) -> str:
    required = minimum_count(of, rule.fraction, strict=rule.strict)
    return (
        f"cần {fraction_text(rule.fraction, strict=rule.strict)} {BASE_WORDS[rule.base]} "
        f"(tối thiểu {required})"
    )


def _options(rule: Rule, tally: Tally, of: int, keys: Sequence[str]) -> list[OptionResult]:
    return [
        OptionResult(
            key=key,
            label=tally.label(key),
            count=tally.counts.get(key, 0),
            percent=percent(tally.counts.get(key, 0), of),
            passed=of > 0
            and meets(tally.counts.get(key, 0), of, rule.fraction, strict=rule.strict),
        )
        for key in keys
    ]


def _chair_wins_tie(
    rule: Rule, count: int, of: int, chair_choice: str | None, tied: Sequence[str]
) -> bool:
    """The chair's side wins a tie if it is among the tied sides and meets "at least"."""
    return (
        rule.tie_policy == TiePolicy.CHAIR_DECIDES
        and chair_choice in tied
        and of > 0
        and meets(count, of, rule.fraction, strict=False)
    )


def _decision(
    rule: Rule, tally: Tally, kind: PollKind, of: int, options: list[OptionResult], **rest: Any
) -> Decision:
    return Decision(
        kind=kind.value,
        base=rule.base.value,
        base_count=of,
        required=minimum_count(of, rule.fraction, strict=rule.strict),
        total_members=tally.total_members,
        present=tally.present,
        cast=tally.cast,
        options=options,
        **rest,
    )


def decide_motion(*, rule: Rule, tally: Tally, chair_choice: str | None = None) -> Decision:
    """Yes / no / abstain: passes when "yes" meets the threshold of the base."""
    of = base_count(rule, tally)
    options = _options(rule, tally, of, [YES, NO, ABSTAIN])
    yes, no = tally.counts.get(YES, 0), tally.counts.get(NO, 0)
    counted = f"{yes}/{of} {BASE_UNITS[rule.base]} tán thành ({percent(yes, of)})"
    requirement = _requirement(rule, of)
    passed = of > 0 and meets(yes, of, rule.fraction, strict=rule.strict)
    tie = yes == no and yes > 0
    by_chair = False
    if not passed and tie:
        # The chair's side decides either way: "no" with the chair means the motion fails.
        by_chair = _chair_wins_tie(rule, yes, of, chair_choice, [YES, NO])
        passed = by_chair and chair_choice == YES
    sentence = f"{'Thông qua' if passed else 'Không thông qua'}: {counted}, {requirement}."
    if tie:
        sentence += " " + _tie_sentence(rule, chair_choice, by_chair, tally)
    return _decision(
        rule,
        tally,
        PollKind.YES_NO_ABSTAIN,
        of,
        options,
        passed=passed,
        winners=[YES] if passed else [],
        tie=tie,
        tie_broken_by_chair=by_chair,
        explanation=sentence,
    )


def _tie_sentence(rule: Rule, chair_choice: str | None, by_chair: bool, tally: Tally) -> str:
    if rule.tie_policy == TiePolicy.FAILS:
        return "Số phiếu ngang nhau; theo quy chế, trường hợp ngang phiếu thì không thông qua."
    if chair_choice is None:
        return (
            "Số phiếu ngang nhau; không xác định được ý kiến của người chủ trì "
            "(chưa biểu quyết hoặc biểu quyết kín)."
        )
    side = tally.label(chair_choice)
    if by_chair:
        return f"Số phiếu ngang nhau; quyết định theo ý kiến của người chủ trì ({side})."
    return f"Số phiếu ngang nhau; người chủ trì biểu quyết: {side}."


def decide_one_of_n(*, rule: Rule, tally: Tally, chair_choice: str | None = None) -> Decision:
    """One of N: the option with most votes wins if it meets the threshold; ties as above."""
    of = base_count(rule, tally)
    keys = list(tally.labels) or sorted(tally.counts)
    options = _options(rule, tally, of, keys)
    top = max((o.count for o in options), default=0)
    leaders = [o.key for o in options if o.count == top and top > 0]
    tie = len(leaders) > 1
    winner: str | None = None
    by_chair = False
    if len(leaders) == 1 and options[keys.index(leaders[0])].passed:
        winner = leaders[0]
    elif tie and _chair_wins_tie(rule, top, of, chair_choice, leaders):
        winner, by_chair = chair_choice, True
    requirement = _requirement(rule, of)
    if winner is not None:
        count = tally.counts.get(winner, 0)
        sentence = (
            f"Thông qua phương án “{tally.label(winner)}”: {count}/{of} "
            f"{BASE_UNITS[rule.base]} chọn ({percent(count, of)}), {requirement}."
        )
    elif top == 0:
        sentence = f"Không thông qua: chưa có phiếu chọn phương án nào, {requirement}."
    else:
        names = ", ".join(f"“{tally.label(k)}”" for k in leaders)
        sentence = (
            f"Không thông qua: phương án nhiều phiếu nhất ({names}) được {top}/{of} "
            f"{BASE_UNITS[rule.base]} chọn ({percent(top, of)}), {requirement}."
        )
    if tie:
        sentence += " " + _tie_sentence(rule, chair_choice, by_chair, tally)
    return _decision(
        rule,
        tally,
        PollKind.ONE_OF_N,
        of,
        options,
        passed=winner is not None,
        winners=[winner] if winner else [],
        tie=tie,
        tie_broken_by_chair=by_chair,
        explanation=sentence,
    )


def decide_several_of_n(*, rule: Rule, tally: Tally, chair_choice: str | None = None) -> Decision:
    """Several of N: each option passes on its own count; "passed" if any option did."""
    of = base_count(rule, tally)
    keys = list(tally.labels) or sorted(tally.counts)
    options = _options(rule, tally, of, keys)
    winners = [o.key for o in options if o.passed]
    requirement = _requirement(rule, of)
    if winners:
        names = "; ".join(f"“{o.label}” {o.count}/{of} ({o.percent})" for o in options if o.passed)
        sentence = f"Các phương án được thông qua: {names}; {requirement}."
    else:
        sentence = f"Không phương án nào được thông qua, {requirement}."
    return _decision(
        rule,
        tally,
        PollKind.SEVERAL_OF_N,
        of,
        options,
        passed=bool(winners),
        winners=winners,
        explanation=sentence,
    )


def confidence_report(*, rule: Rule, tally: Tally, chair_choice: str | None = None) -> Decision:
    """Three levels: counts and shares per level; flags where "low" reaches a legal threshold.

    A confidence ballot does not pass or fail; ``passed`` is False and ``flags`` carry the
    consequences. The flags always count against the *total* membership, as the law does.
    """
    of = base_count(rule, tally)
    options = [
        OptionResult(
            k, tally.label(k), tally.counts.get(k, 0), percent(tally.counts.get(k, 0), of), False
        )
        for k in (HIGH, MEDIUM, LOW)
    ]
    low = tally.counts.get(LOW, 0)
    total = tally.total_members
    flags = [
        flag.label
        for flag in rule.confidence_flags
        if total > 0
        and meets(low, total, Fraction(flag.numerator, flag.denominator), strict=flag.strict)
    ]
    levels = "; ".join(f"{o.label}: {o.count}/{of} ({o.percent})" for o in options)
    sentence = f"Kết quả lấy phiếu tín nhiệm ({BASE_WORDS[rule.base]}: {of}) — {levels}."
    if flags:
        sentence += " " + " ".join(flags)
    return _decision(
        rule,
        tally,
        PollKind.CONFIDENCE,
        of,
        options,
        passed=False,
        winners=[],
        flags=flags,
        explanation=sentence,
    )


DECIDERS: dict[PollKind, Callable[..., Decision]] = {
    PollKind.YES_NO_ABSTAIN: decide_motion,
    PollKind.ONE_OF_N: decide_one_of_n,
    PollKind.SEVERAL_OF_N: decide_several_of_n,
    PollKind.CONFIDENCE: confidence_report,
}


def decide(*, kind: str, rule: Rule, tally: Tally, chair_choice: str | None = None) -> Decision:
    """Dispatch on the poll kind; the one entry point the services call."""
    return DECIDERS[PollKind(kind)](rule=rule, tally=tally, chair_choice=chair_choice)
