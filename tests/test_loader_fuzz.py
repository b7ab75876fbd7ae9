"""The config and locale (intent) loaders under random and mutated input: only the project's own error
escapes, with the file's line; alias bombs and huge files are refused at once with little memory."""

import math
import re
import resource
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice.config import Settings, load_settings
from voice.errors import ConfigError, ScriptError, VoiceError
from voice.exercises.library import Library
from voice.locale import LOCALES_DIR, Locale

EXAMPLE_CONFIG = (Path(__file__).parent.parent / "hardware" / "config.example.yaml").read_text(encoding="utf-8")
ENGLISH = (LOCALES_DIR / "en.yaml").read_text(encoding="utf-8")
LOCATED = re.compile(r"\.yaml:\d+:\d+: ")


@st.composite
def mutated(draw, text: str) -> str:
    """A real file with a few lines cut, doubled, swapped or spliced with random characters."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["cut", "double", "swap", "splice", "indent"]))
        if action == "cut":
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "splice":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.text(max_size=8)) + lines[i][at:]
        else:
            lines[i] = " " * draw(st.integers(1, 4)) + lines[i]
        if not lines:
            lines = [""]
    return "\n".join(lines)


def load_config(folder: Path, text: str) -> None:
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_settings(path)
    except ConfigError as error:
        message = str(error)
        assert message.startswith(str(path)) and LOCATED.search(message), message


def load_locale(folder: Path, text: str) -> None:
    path = folder / "xx.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        Locale.from_file(path)
    except VoiceError as error:  # ScriptError names file:line, ConfigError a broken intent phrase
        assert str(path) in str(error), error


@settings()
@given(st.text(max_size=300))
def test_config_random_text(tmp_path_factory, text):
    load_config(tmp_path_factory.mktemp("c"), text)


@settings()
@given(mutated(EXAMPLE_CONFIG))
def test_config_mutated_example(tmp_path_factory, text):
    load_config(tmp_path_factory.mktemp("c"), text)


NUMBERS = st.one_of(st.sampled_from([".nan", ".inf", "-.inf", "1e309", "-1e309", "99999999999999999999",
                                     "0x7fffffffffffffff", "-0", "1_000"]),
                    st.integers(-10**30, 10**30).map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr))


@settings()
@given(st.sampled_from(sorted(Settings.__dataclass_fields__) + ["tts_rate", "volume", "led_pin"]), NUMBERS)
def test_config_numbers_are_finite_and_in_range_or_refused(tmp_path_factory, key, number):
    """`tts_rate: .inf` once crashed with int()'s OverflowError instead of one sentence."""
    folder = tmp_path_factory.mktemp("c")
    load_config(folder, f"{key}: {number}\n")
    try:
        value = getattr(load_settings(folder / "config.yaml"), key, None)
    except ConfigError:
        return
    if isinstance(value, float):
        assert math.isfinite(value), (key, number, value)


@settings()
@given(st.text(max_size=300))
def test_locale_random_text(tmp_path_factory, text):
    load_locale(tmp_path_factory.mktemp("l"), text)


@pytest.mark.slow  # 2.5 s: CI runs it; the quick set keeps the random-text locale fuzz above
@settings()
@given(mutated(ENGLISH))
def test_locale_mutated_english(tmp_path_factory, text):
    load_locale(tmp_path_factory.mktemp("l"), text)


BOMB = "id: bomb\nlocale: en\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")) + "steps: *i\n"


@pytest.mark.parametrize("kind", ["script", "config", "locale"])
@pytest.mark.parametrize("content", ["bomb", "huge"])
def test_alias_bombs_and_huge_files_are_refused_quickly_in_little_memory(tmp_path, kind, content):
    text = BOMB if content == "bomb" else "id: big\n" + "# padding\n" * 200_000
    (tmp_path / "en").mkdir()
    path = tmp_path / "en" / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if kind == "script":
        library = Library([tmp_path], "en", Locale.load("en").intents)
        [message] = [p.errors[0] for p in library.problems.values()]
    else:
        with pytest.raises((ConfigError, ScriptError)) as caught:
            load_settings(path) if kind == "config" else Locale.from_file(path)
        message = str(caught.value)
    assert time.perf_counter() - started < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # kB
    expected = "aliases (*name) expand to more than 100,000 values" if content == "bomb" else "far too big"
    assert message.startswith(f"{path}:1:1: ") and expected in message, message
