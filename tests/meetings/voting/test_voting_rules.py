"""Quorum and majority rules: pure arithmetic, exact at every boundary."""

from __future__ import annotations

from fractions import Fraction

import pytest

from meetings.voting.rules import (
    ABSTAIN,
    HIGH,
    LOW,
    MEDIUM,
    NO,
    YES,
    Base,
    ConfidenceFlag,
    Rule,
    Tally,
    Threshold,
    TiePolicy,
    confidence_report,
    decide,
    decide_motion,
    decide_one_of_n,
    decide_several_of_n,
    meets,
    minimum_count,
    percent,
    quorum_check,
    rule_errors,
)

LAW = Rule()  # the People's Committee default


def motion(yes: int, no: int, abstain: int = 0, *, total: int = 15, present: int | None = None):
    cast = yes + no + abstain
    return Tally(
        counts={YES: yes, NO: no, ABSTAIN: abstain},
        total_members=total,
        present=cast if present is None else present,
        cast=cast,
    )


# --- arithmetic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "of", "strict", "expected"),
    [
        (7, 14, True, False),  # exactly 1/2 is not "more than half"
        (8, 14, True, True),
        (7, 14, False, True),
        (8, 15, True, True),
        (7, 15, True, False),
    ],
)
def test_meets_half(count, of, strict, expected):
    assert meets(count, of, Fraction(1, 2), strict=strict) is expected


@pytest.mark.parametrize(
    ("count", "of", "expected"),
    [(10, 15, True), (9, 15, False), (2, 3, True), (66, 99, True), (65, 99, False), (0, 0, True)],
)
def test_at_least_two_thirds_is_exact(count, of, expected):
    assert meets(count, of, Fraction(2, 3), strict=False) is expected


@pytest.mark.parametrize(
    ("of", "fraction", "strict", "expected"),
    [
        (15, Fraction(1, 2), True, 8),
        (14, Fraction(1, 2), True, 8),
        (14, Fraction(1, 2), False, 7),
        (15, Fraction(2, 3), False, 10),
        (16, Fraction(2, 3), False, 11),
        (300, Fraction(2, 3), False, 200),
        (0, Fraction(1, 2), True, 1),
    ],
)
def test_minimum_count(of, fraction, strict, expected):
    assert minimum_count(of, fraction, strict=strict) == expected


@pytest.mark.parametrize(
    ("count", "of", "text"),
    [(10, 15, "66,67%"), (1, 3, "33,33%"), (1, 8, "12,50%"), (15, 15, "100,00%"), (0, 0, "0,00%")],
)
def test_percent_is_vietnamese_and_rounded(count, of, text):
    assert percent(count, of) == text


# --- quorum -------------------------------------------------------------------------------------


def test_quorum_exactly_two_thirds_is_enough():
    result = quorum_check(rule=LAW, present=10, total_members=15)
    assert result.met and result.required == 10
    assert result.explanation.startswith("Đủ số thành viên dự họp: 10/15")


def test_quorum_one_short_is_refused():
    result = quorum_check(rule=LAW, present=9, total_members=15)
    assert not result.met
    assert "tối thiểu 10" in result.explanation


def test_quorum_without_total_members_is_never_met():
    result = quorum_check(rule=LAW, present=5, total_members=0)
    assert not result.met and "tổng số thành viên" in result.explanation


def test_quorum_fraction_is_data():
    half = Rule(quorum_numerator=1, quorum_denominator=2)
    assert quorum_check(rule=half, present=5, total_members=10).met
    assert not quorum_check(rule=half, present=4, total_members=10).met


# --- yes / no / abstain -------------------------------------------------------------------------


def test_motion_passes_with_more_than_half_of_all_members():
    decision = decide_motion(rule=LAW, tally=motion(10, 3, 2))
    assert decision.passed
    assert decision.required == 8 and decision.base_count == 15
    assert decision.explanation == (
        "Thông qua: 10/15 thành viên tán thành (66,67%), "
        "cần hơn 1/2 tổng số thành viên (tối thiểu 8)."
    )


def test_motion_counts_against_all_members_not_those_present():
    # 7 of 10 present is a majority of those present, but not of the 15 members.
    decision = decide_motion(rule=LAW, tally=motion(7, 2, 1, present=10))
    assert not decision.passed
    assert decision.explanation.startswith("Không thông qua: 7/15")


def test_motion_on_members_present():
    rule = Rule(base=Base.MEMBERS_PRESENT)
    assert decide_motion(rule=rule, tally=motion(7, 2, 1, present=10)).passed
    decision = decide_motion(rule=rule, tally=motion(5, 4, 1, present=12))
    assert not decision.passed and decision.required == 7


def test_motion_on_votes_cast_counts_abstentions_in_the_base():
    rule = Rule(base=Base.VOTES_CAST)
    assert decide_motion(rule=rule, tally=motion(6, 2, 3)).passed  # 6 of 11
    assert not decide_motion(rule=rule, tally=motion(5, 2, 3)).passed  # 5 of 10


def test_exactly_half_is_not_more_than_half_without_a_tie():
    decision = decide_motion(rule=LAW, tally=motion(7, 5, 2, total=14))
    assert not decision.passed and not decision.tie


def test_two_thirds_at_the_boundary_passes():
    rule = Rule(threshold=Threshold.AT_LEAST_TWO_THIRDS)
    decision = decide_motion(rule=rule, tally=motion(10, 5))
    assert decision.passed and decision.required == 10
    assert "cần ít nhất 2/3 tổng số thành viên (tối thiểu 10)" in decision.explanation
    assert not decide_motion(rule=rule, tally=motion(9, 6)).passed


@pytest.mark.parametrize(
    ("strict", "yes", "expected"), [(True, 9, False), (True, 10, True), (False, 9, True)]
)
def test_custom_threshold(strict, yes, expected):
    rule = Rule(
        threshold=Threshold.CUSTOM, custom_numerator=3, custom_denominator=5, custom_strict=strict
    )
    assert decide_motion(rule=rule, tally=motion(yes, 15 - yes)).passed is expected


def test_tie_chair_side_wins_when_chair_voted_yes():
    decision = decide_motion(rule=LAW, tally=motion(7, 7, total=14), chair_choice=YES)
    assert decision.passed and decision.tie and decision.tie_broken_by_chair
    assert "quyết định theo ý kiến của người chủ trì (Tán thành)" in decision.explanation


def test_tie_chair_side_wins_when_chair_voted_no():
    decision = decide_motion(rule=LAW, tally=motion(7, 7, total=14), chair_choice=NO)
    assert not decision.passed and decision.tie and decision.tie_broken_by_chair
    assert "theo ý kiến của người chủ trì (Không tán thành)" in decision.explanation


def test_tie_chair_abstaining_does_not_decide():
    decision = decide_motion(rule=LAW, tally=motion(7, 7, total=15), chair_choice=ABSTAIN)
    assert not decision.passed and not decision.tie_broken_by_chair


def test_tie_without_the_chairs_choice_fails():
    decision = decide_motion(rule=LAW, tally=motion(7, 7, total=14), chair_choice=None)
    assert not decision.passed
    assert "không xác định được ý kiến của người chủ trì" in decision.explanation


def test_tie_with_policy_fails():
    rule = Rule(tie_policy=TiePolicy.FAILS)
    decision = decide_motion(rule=rule, tally=motion(7, 7, total=14), chair_choice=YES)
    assert not decision.passed and decision.tie
    assert "không thông qua" in decision.explanation


def test_tie_cannot_turn_a_minority_of_all_members_into_a_decision():
    # 7-7 with 15 members: the chair's side has 7 of 15, under half of all members.
    decision = decide_motion(rule=LAW, tally=motion(7, 7, total=15), chair_choice=YES)
    assert not decision.passed and decision.tie and not decision.tie_broken_by_chair


def test_no_votes_at_all():
    decision = decide_motion(rule=Rule(base=Base.VOTES_CAST), tally=motion(0, 0))
    assert not decision.passed and not decision.tie and decision.base_count == 0


# --- one of N -----------------------------------------------------------------------------------


def options_tally(counts: dict[str, int], *, total: int = 15) -> Tally:
    labels = {key: f"Phương án {key}" for key in counts}
    return Tally(
        counts=counts, total_members=total, present=total, cast=sum(counts.values()), labels=labels
    )


def test_one_of_n_winner_must_meet_the_threshold():
    decision = decide_one_of_n(rule=LAW, tally=options_tally({"A": 8, "B": 4, "C": 3}))
    assert decision.passed and decision.winners == ["A"]
    assert decision.explanation.startswith("Thông qua phương án “Phương án A”: 8/15")


def test_one_of_n_plurality_is_not_enough():
    decision = decide_one_of_n(rule=LAW, tally=options_tally({"A": 7, "B": 5, "C": 3}))
    assert not decision.passed and decision.winners == []


def test_one_of_n_tie_chair_decides():
    tally = options_tally({"A": 7, "B": 7}, total=14)
    decision = decide_one_of_n(rule=LAW, tally=tally, chair_choice="B")
    assert decision.passed and decision.winners == ["B"] and decision.tie_broken_by_chair


def test_one_of_n_tie_chair_outside_the_tie_fails():
    tally = options_tally({"A": 6, "B": 6, "C": 2}, total=14)
    decision = decide_one_of_n(rule=LAW, tally=tally, chair_choice="C")
    assert not decision.passed and decision.tie


def test_one_of_n_tie_with_fails_policy():
    rule = Rule(
        threshold=Threshold.CUSTOM,
        custom_numerator=1,
        custom_denominator=2,
        custom_strict=False,
        tie_policy=TiePolicy.FAILS,
    )
    decision = decide_one_of_n(
        rule=rule, tally=options_tally({"A": 5, "B": 5}, total=10), chair_choice="A"
    )
    assert not decision.passed and decision.tie


# --- several of N -------------------------------------------------------------------------------


def test_several_of_n_each_option_passes_on_its_own():
    rule = Rule(base=Base.VOTES_CAST)
    tally = Tally(
        counts={"A": 9, "B": 6, "C": 5},
        total_members=15,
        present=12,
        cast=12,
        labels={"A": "An", "B": "Bình", "C": "Chi"},
    )
    decision = decide_several_of_n(rule=rule, tally=tally)
    assert decision.winners == ["A"]  # B: 6 of 12 is exactly half, not more
    assert [o.passed for o in decision.options] == [True, False, False]
    assert "“An” 9/12 (75,00%)" in decision.explanation


def test_several_of_n_nothing_passes():
    decision = decide_several_of_n(rule=LAW, tally=options_tally({"A": 3, "B": 2}))
    assert not decision.passed and decision.explanation.startswith("Không phương án nào")


# --- confidence ---------------------------------------------------------------------------------


def confidence(high: int, medium: int, low: int, *, total: int = 30) -> Tally:
    return Tally(
        counts={HIGH: high, MEDIUM: medium, LOW: low},
        total_members=total,
        present=high + medium + low,
        cast=high + medium + low,
    )


def test_confidence_reports_each_level():
    decision = confidence_report(rule=LAW, tally=confidence(20, 6, 4))
    assert [(o.label, o.count, o.percent) for o in decision.options] == [
        ("Tín nhiệm cao", 20, "66,67%"),
        ("Tín nhiệm", 6, "20,00%"),
        ("Tín nhiệm thấp", 4, "13,33%"),
    ]
    assert decision.flags == []


def test_confidence_exactly_half_low_is_not_more_than_half():
    assert confidence_report(rule=LAW, tally=confidence(10, 5, 15)).flags == []


def test_confidence_more_than_half_low_flags_resignation():
    flags = confidence_report(rule=LAW, tally=confidence(10, 4, 16)).flags
    assert len(flags) == 1 and "xin từ chức" in flags[0]


def test_confidence_two_thirds_low_flags_both():
    flags = confidence_report(rule=LAW, tally=confidence(5, 5, 20)).flags
    assert len(flags) == 2 and "bỏ phiếu tín nhiệm" in flags[1]


def test_confidence_flags_are_data():
    rule = Rule(confidence_flags=(ConfidenceFlag(1, 2, False, "Từ 1/2 trở lên"),))
    assert confidence_report(rule=rule, tally=confidence(10, 5, 15)).flags == ["Từ 1/2 trở lên"]


# --- plumbing -----------------------------------------------------------------------------------


def test_rule_round_trips_through_json():
    rule = Rule(
        base=Base.VOTES_CAST,
        threshold=Threshold.CUSTOM,
        custom_numerator=3,
        custom_denominator=4,
        custom_strict=False,
        tie_policy=TiePolicy.FAILS,
    )
    assert Rule.from_json(rule.to_json()) == rule
    assert Rule.from_json(LAW.to_json()) == LAW


def test_rule_errors():
    assert rule_errors(LAW) == []
    assert rule_errors(Rule(quorum_numerator=4, quorum_denominator=3))
    assert rule_errors(Rule(threshold=Threshold.CUSTOM, custom_denominator=0))


def test_decide_dispatches_and_serialises():
    data = decide(kind="yes_no_abstain", rule=LAW, tally=motion(10, 5)).to_json()
    assert data["passed"] is True and data["options"][0]["key"] == YES
    with pytest.raises(ValueError):
        decide(kind="nonsense", rule=LAW, tally=motion(1, 1))
