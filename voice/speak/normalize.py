"""Speech text normalized before any engine renders it: phone numbers and codes are said digit by
digit, in the groups they are written in, the way people say them ("call nine one one"; 일 일 이).

Left to themselves, espeak-ng and Piper (which phonemizes through espeak-ng) read "911" as "nine
hundred eleven" and "112" as 백십이: wrong for the one line that must be right. A number is a code
when it has three or more digits, or is written in groups ("1 800 799 7233", "1-800-799-7233"), and
is not followed by a unit of quantity ("20 minutes", "10분" stay natural).
"""

import re

DIGITS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "ko": ("공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"),  # 0 is 공 in a phone number
}
UNITS = {
    "en": r"(?:minutes?|seconds?|hours?|days?|weeks?|times?|breaths?|percent)\b",
    "ko": r"(?:분|초|시간|번|회|일|주|개|명|살|퍼센트)",
}
# Digit groups joined by a space or a hyphen; a lone group needs three digits to be a code.
_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[ -]\d+)+|\d{3,})(?![\d.,]\d)")


def spoken(text: str, locale: str) -> str:
    """`text` with every code or phone number written out digit by digit in `locale`'s words."""
    digits = DIGITS.get(locale)
    if digits is None:
        return text
    unit = re.compile(r"\s*" + UNITS[locale])

    def say(match: re.Match[str]) -> str:
        if unit.match(text, match.end()):
            return match.group(0)
        groups = re.split(r"[ -]", match.group(1))
        said = [" ".join(digits[int(digit)] for digit in group) for group in groups]
        if locale == "en" and len(groups) > 1 and groups[0] == "1" and re.fullmatch(r"[1-9]00", groups[1]):
            said[:2] = [f"one {digits[int(groups[1][0])]} hundred"]  # a toll-free prefix: "one eight hundred"
        return ", ".join(said)

    return _NUMBER.sub(say, text)

