"""The open-vocabulary check of short commands (voice/listen/crosscheck.py): pure, no model."""

import pytest

from voice.listen.crosscheck import confirmed, spelled_apart
from voice.locale import Locale


def test_a_near_spelling_is_the_same_command_and_another_word_is_not():
    assert spelled_apart("help", "help") == 0.0
    assert spelled_apart("hell", "help") == 0.25  # a machine voice's "help", heard openly
    assert spelled_apart("happy", "help") == 0.6  # people's "happy", heard in a session as "help me"
    assert spelled_apart("no", "next") == 0.75
    assert spelled_apart("", "next") == 1.0


def test_a_command_is_confirmed_by_any_alternative_near_any_of_its_phrases():
    help_phrases = ["help", "help me", "help us"]
    assert confirmed(help_phrases, ["happy", "help me"], 0.5)
    assert confirmed(help_phrases, ["helped me"], 0.5)  # "helpedme" is near "helpme"
    assert not confirmed(help_phrases, ["happy", "house"], 0.5)
    assert not confirmed(["next", "move on"], [], 0.5)  # the open recognizer heard nothing


def test_english_checks_short_commands_and_korean_does_not():
    """Korean's model free-decodes at about real time and mostly wrongly (../shared/design.md)."""
    assert Locale.load("en").cross_check == 0.5
    assert Locale.load("ko").cross_check is None


def test_a_cross_check_must_be_a_fraction(tmp_path):
    from conftest import english_locale_with

    from voice.errors import ScriptError

    broken = english_locale_with(tmp_path, "cross_check: 0.5", "cross_check: near")
    with pytest.raises(ScriptError, match=r"en.yaml:\d+:\d+: 'cross_check' must be a number from 0 to 1"):
        Locale.from_file(broken)
