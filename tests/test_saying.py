"""How long a command can take to say (voice/listen/saying.py): syllables, or sounds where that is longer."""

import pytest

from voice.listen.recognizer import Word
from voice.listen.saying import longest_saying, words_within

ENGLISH, KOREAN = "gmw/en-us", "ko"  # the locales' tts_voice


def test_a_phrase_of_clustered_consonants_has_the_time_its_sounds_take():
    """"start stress talk": three vowel groups (1.4 s), thirteen sounds (1.8 s)."""
    assert longest_saying("start stress talk") == pytest.approx(1.4)
    assert longest_saying("start stress talk", ENGLISH) == pytest.approx(1.8)


def test_a_phrase_of_few_sounds_keeps_the_time_its_syllables_take():
    assert longest_saying("I need a break", ENGLISH) == pytest.approx(longest_saying("I need a break"))
    assert longest_saying("체크인 하자", KOREAN) == pytest.approx(2.0)  # five Hangul syllables


def test_where_espeak_ng_cannot_say_the_syllables_stand():
    assert longest_saying("start stress talk", "no-such-voice") == pytest.approx(1.4)
    assert longest_saying("stop", None) == pytest.approx(0.8)


def test_the_words_take_their_own_time_and_share_of_an_utterance():
    """A second of "i need help" at 10.0-11.0 s in a 2 s utterance: the rest was a breath."""
    words = [Word("i", 10.0, 10.2), Word("need", 10.2, 10.5), Word("help", 10.5, 11.0)]
    assert words_within(2.0, words) == pytest.approx((1.0, 0.5))
    assert words_within(0.8, words) == pytest.approx((0.8, 1.25))  # never longer than the utterance
    assert words_within(1.5, []) == (1.5, 1.0)  # without word times, the whole utterance
