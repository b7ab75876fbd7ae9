"""Which commands wait for the open recognizer's verdict (voice/listen/open_check.py: asks_about)."""

from voice.listen.intents import IntentMatcher, Match
from voice.listen.open_check import NOISY_STOP_CONFIDENCE, asks_about

MATCHER = IntentMatcher({"stop": ["stop", "end the (session | exercise)"], "next": ["next", "move on"],
                         "start_checkin": ["start our check in"]})


def heard(intent: str, phrase: str, confidence: float) -> Match:
    return Match(intent, phrase, phrase, 0.0, confidence=confidence)


def test_a_short_command_is_always_asked_about():
    assert asks_about(heard("next", "move on", 1.0), MATCHER)
    assert asks_about(heard("stop", "stop", 1.0), MATCHER)


def test_a_stop_phrase_the_grammar_was_unsure_of_is_asked_about_in_a_noisy_room_only():
    unsure = heard("stop", "end the session", NOISY_STOP_CONFIDENCE - 0.1)
    assert asks_about(unsure, MATCHER, noisy=True)
    assert not asks_about(unsure, MATCHER, noisy=False)
    assert not asks_about(heard("stop", "end the session", 1.0), MATCHER, noisy=True)


def test_a_start_phrase_is_not_asked_about_for_doubt_in_noise():
    assert not asks_about(heard("start_checkin", "start our check in", 0.3), MATCHER, noisy=True)
