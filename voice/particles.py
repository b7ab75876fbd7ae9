"""Korean particles chosen by the word they follow: a line writes `{title:을}` (or any form of the pair)
and the filled line reads 주간 체크인을 but 소개를, 체크인으로 but 소개로 and 호흡 연습으로.

Whether a syllable ends in a consonant (받침) is arithmetic on its Unicode code point. A name that
ends in a digit is read as the digit's Korean word (1 일, 2 이, 3 삼 ...); any other ending (a Latin
name) is taken as ending in a vowel.
"""

import re

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
RIEUL = 8  # ㄹ's index among the final consonants
# (after a consonant, after a vowel): each pair, found by either of its forms
PAIRS = (("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로"), ("이에요", "예요"), ("아", "야"),
         ("이라고", "라고"))
FORMS = {form: pair for pair in PAIRS for form in pair}
# 영 일 이 삼 사 오 육 칠 팔 구: the final consonant each digit is read with
DIGIT_FINALS = {"0": 21, "1": RIEUL, "2": None, "3": 16, "4": None, "5": None, "6": 1, "7": RIEUL, "8": RIEUL,
                "9": None}
PLACEHOLDER = re.compile(r"\{(\w+):(" + "|".join(sorted(FORMS, key=len, reverse=True)) + r")\}")


def _final(word: str) -> int | None:
    """The final consonant's index (1-27) of the word's last syllable, or None after a vowel."""
    last = word.rstrip()[-1:] or " "
    if last in DIGIT_FINALS:
        return DIGIT_FINALS[last]
    code = ord(last)
    if not HANGUL_FIRST <= code <= HANGUL_LAST:
        return None
    final = (code - HANGUL_FIRST) % 28
    return final or None


def particle(word: str, form: str) -> str:
    """The form of `form`'s pair that follows `word`."""
    after_consonant, after_vowel = FORMS[form]
    final = _final(word)
    if after_consonant == "으로":  # ㄹ takes 로, as a vowel does: 서울로, 소개로, but 체크인으로
        return after_consonant if final not in (None, RIEUL) else after_vowel
    return after_consonant if final is not None else after_vowel


def fill(text: str, names: dict[str, str]) -> str:
    """`{key}` replaced by its value, and `{key:particle}` by the value with its particle."""
    def with_particle(found: re.Match) -> str:
        key, form = found.groups()
        if key not in names:
            return found.group(0)
        return names[key] + particle(names[key], form)

    text = PLACEHOLDER.sub(with_particle, text)
    for key, value in names.items():
        text = text.replace("{" + key + "}", value)
    return text
