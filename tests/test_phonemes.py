"""How words sound, from espeak-ng's library (voice/listen/phonemes.py): the real library, no model."""

import logging

from voice.listen import phonemes
from voice.listen.phonemes import phrase_sounds, sounds

ENGLISH = "gmw/en-us"  # en.yaml's tts_voice


def test_words_sound_as_espeak_ng_says_them_in_ipa_without_stress_marks():
    assert sounds("help", ENGLISH) == "hɛlp"
    assert sounds("done", ENGLISH) == "dʌn"
    assert sounds("down", ENGLISH) == "daʊn"
    assert sounds("don't", ENGLISH) == "doʊnt"
    assert sounds("happy", ENGLISH) != sounds("help", ENGLISH)


def test_a_voice_espeak_ng_lacks_gives_no_sounds_and_says_why_once(caplog):
    with caplog.at_level(logging.WARNING):
        assert sounds("help", "no-such-voice") is None
        assert sounds("help", "no-such-voice") is None
    assert [r.getMessage() for r in caplog.records] == [
        "espeak-ng has no voice 'no-such-voice'; words are compared by spelling instead of sound"]
    assert sounds("help", ENGLISH) == "hɛlp"  # the process's voice is set back per call


def test_without_espeak_ngs_library_there_are_no_sounds_and_a_hint_to_install_it(monkeypatch, caplog):
    monkeypatch.setattr(phonemes, "LIBRARY", "libespeak-ng-not-here.so.1")
    phonemes.phonemizer.cache_clear()
    phonemes.sounds.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            assert sounds("help", ENGLISH) is None
        assert "sudo apt-get install espeak-ng" in caplog.text
    finally:
        phonemes.phonemizer.cache_clear()
        phonemes.sounds.cache_clear()


def test_a_phrase_sounds_as_its_words_one_after_another():
    assert phrase_sounds("Help me", ENGLISH) == sounds("help", ENGLISH) + sounds("me", ENGLISH)
    assert phrase_sounds("thank you", "no-such-voice") is None
