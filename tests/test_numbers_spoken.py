"""Every number the speaker can say, heard the way the engines will say it: phone numbers and codes
digit by digit, never as hundreds or thousands (백, 천), through espeak-ng's and Piper's own phonemizers."""

import re
import subprocess

import pytest

from voice.exercises.library import Library, bundled_scripts_dir
from voice.exercises.lines import every_line
from voice.locale import Locale
from voice.speak.delivery import Delivery
from voice.speak.normalize import spoken
from voice.speak.piper_voice import piper_installed

ESPEAK_VOICE = {"en": "en-us", "ko": "ko"}
AMOUNTS = {"en": ("hundred", "thousand", "eleven", "eighty"), "ko": ("백", "천", "십", "만")}


def lines_with_numbers(code: str) -> list[str]:
    locale = Locale.load(code)
    library = Library([bundled_scripts_dir()], code, locale.intents)
    return [line for line in every_line(library, locale, ("Alex", "Sam")) if re.search(r"\d", line)]


def espeak_phonemes(text: str, code: str) -> str:
    done = subprocess.run(["espeak-ng", "-q", "-x", "-v", ESPEAK_VOICE[code], text],
                          capture_output=True, text=True, check=True, timeout=30)
    return " ".join(done.stdout.split())


@pytest.mark.parametrize(("text", "said"), [
    ("call 911.", "call nine one one."),
    ("call or text 988.", "call or text nine eight eight."),
    ("The hotline is 1 800 799 7233.", "The hotline is one eight hundred, seven nine nine, seven two three three."),
    ("1-800-799-7233", "one eight hundred, seven nine nine, seven two three three"),
    ("text START to 88788.", "text START to eight eight seven eight eight."),
    ("in 10 minutes", "in 10 minutes"),
    ("for 120 seconds", "for 120 seconds"),
    ("4 breaths", "4 breaths"),
])
def test_english_codes_are_said_digit_by_digit_and_quantities_stay_natural(text, said):
    assert spoken(text, "en") == said


@pytest.mark.parametrize(("text", "said"), [
    ("112에 전화하세요.", "일 일 이에 전화하세요."),
    ("1366이에요.", "일 삼 육 육이에요."),
    ("109예요.", "일 공 구예요."),
    ("10분 뒤에", "10분 뒤에"),
])
def test_korean_codes_are_said_digit_by_digit_and_quantities_stay_natural(text, said):
    assert spoken(text, "ko") == said


@pytest.mark.parametrize("code", ["en", "ko"])
def test_the_safety_lines_carry_every_crisis_number_twice(code):
    safety = Locale.load(code).lines["safety"]
    numbers = {"en": ("911", "1 800 799 7233", "988"), "ko": ("112", "1366", "109")}[code]
    for number in numbers:
        assert safety.count(number) >= 2, number
    first = {"en": "911", "ko": "112"}[code]
    assert min(safety.find(n) for n in numbers) == safety.find(first)  # the emergency number first


@pytest.mark.parametrize("code", ["en", "ko"])
def test_no_number_the_speaker_can_say_is_read_as_an_amount_by_espeak(code):
    lines = lines_with_numbers(code)
    assert any("911" in line or "112" in line for line in lines)  # the safety line is among them
    amounts = [espeak_phonemes(word, code) for word in AMOUNTS[code]]
    allowed = espeak_phonemes("one eight hundred", code) if code == "en" else None
    for line in lines:
        codes = re.findall(r"\d[\d -]{2,}\d|\d{3,}", line)
        if not codes:
            continue
        phonemes = espeak_phonemes(Delivery(locale=code).spoken(line), code)
        if allowed:
            phonemes = phonemes.replace(allowed, "")
        found = [amount for amount in amounts if amount in phonemes]
        assert not found, f"{line!r} is read with {found}: {phonemes}"
    # and the check can fail: left alone, espeak-ng reads the codes as amounts
    assert any(amount in espeak_phonemes(Locale.load(code).lines["safety"], code) for amount in amounts)


@pytest.mark.skipif(not piper_installed(), reason="the piper extra is not installed")
def test_piper_phonemizes_the_english_crisis_numbers_digit_by_digit():
    from piper import PiperVoice

    from voice.speak.piper_voice import DEFAULT_VOICE, piper_voices

    model = PiperVoice.load(piper_voices()[DEFAULT_VOICE])
    said = lambda text: "".join("".join(sentence) for sentence in model.phonemize(text))  # noqa: E731
    safety = Locale.load("en").lines["safety"]
    normalized = said(Delivery(locale="en").spoken(safety))
    assert said("nine one one") in normalized and said("nine eight eight") in normalized
    assert said("seven nine nine") in normalized and said("seven two three three") in normalized
    for amount in ("thousand", "eleven", "eighty"):
        assert said(amount) not in normalized, amount
    assert said("thousand") in said(safety)  # unnormalized, Piper says "seven thousand two hundred..."
