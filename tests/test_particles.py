"""Korean particles chosen by the word they follow, wherever a name or title is filled in."""

import pytest

from voice.exercises.problems import Problems
from voice.exercises.step_parser import check_text
from voice.particles import fill, particle


@pytest.mark.parametrize("word, form, expected", [
    ("주간 체크인", "을", "을"), ("소개", "을", "를"), ("소개", "를", "를"),  # either form of a pair finds it
    ("주간 체크인", "으로", "으로"), ("소개", "으로", "로"), ("호흡 연습", "로", "으로"),
    ("서울", "으로", "로"),  # ㄹ takes 로, like a vowel
    ("민준", "이", "이"), ("서연", "가", "이"), ("지아", "이", "가"),
    ("잠깐 휴식", "은", "은"), ("긴 휴식", "는", "은"), ("호흡", "와", "과"), ("하루 대화", "과", "와"),
    ("민준", "아", "아"), ("지아", "아", "야"),
    ("감정 말하기 연습", "라고", "이라고"), ("하루 나누기", "이라고", "라고"),  # the spoken menu
    ("1", "을", "을"), ("2", "을", "를"), ("3", "으로", "으로"), ("7", "으로", "로"),  # 일, 이, 삼, 칠
    ("Alex", "을", "를"),  # a Latin name: taken as ending in a vowel
])
def test_the_particle_follows_the_last_syllable(word, form, expected):
    assert particle(word, form) == expected


def test_lines_fill_names_with_their_particles():
    assert fill("{title:으로} 돌아가려면", {"title": "주간 체크인"}) == "주간 체크인으로 돌아가려면"
    assert fill("{title:을} 이어갈게요. {title}", {"title": "소개"}) == "소개를 이어갈게요. 소개"
    assert fill("{partner_a:이} 먼저, {partner_b:가} 다음", {"partner_a": "지아", "partner_b": "민준"}) == \
        "지아가 먼저, 민준이 다음"
    assert fill("{unknown:을}", {"title": "x"}) == "{unknown:을}"  # left for validation to name


def test_a_script_line_with_an_unknown_particle_is_named():
    problems = Problems()
    check_text("{partner_a:의} 차례", "scripts/ko/x.yaml:3", problems, {"partner_a"})
    assert problems.errors and "unknown particle" in problems.errors[0]
    problems = Problems()
    check_text("{partner_a:이} 먼저 해요", "scripts/ko/x.yaml:3", problems, {"partner_a"})
    assert not problems.errors
