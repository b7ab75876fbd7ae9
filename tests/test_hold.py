"""Safety and forgetting wait for the quiet after them (voice/listen/hold.py)."""

from voice.listen.hold import CONTINUED, HOLD_FRAMES, Hold
from voice.listen.intents import Match

SAFETY = Match("safety", "i need help", "i need help", 0.0, confidence=0.9)


def test_a_command_is_given_at_once_and_nothing_is_held():
    hold = Hold()
    stop = Match("stop", "stop", "stop", 0.0, confidence=1.0)
    assert hold.keep(stop) == stop
    assert all(hold.release(speaking=False) is None for _ in range(HOLD_FRAMES * 2))


def test_a_safety_request_is_given_once_the_quiet_after_it_has_lasted():
    hold = Hold()
    assert hold.keep(SAFETY) is None
    given = [hold.release(speaking=False) for _ in range(HOLD_FRAMES * 2)]
    assert given.index(SAFETY) == HOLD_FRAMES - 1  # the HOLD_FRAMES-th frame of quiet gives it
    assert given.count(SAFETY) == 1


def test_speech_coming_back_makes_the_request_the_start_of_a_sentence():
    """"I need help ... with the dishes"."""
    hold = Hold()
    hold.keep(SAFETY)
    assert all(hold.release(speaking=False) is None for _ in range(HOLD_FRAMES - 1))
    rejected = hold.release(speaking=True)
    assert rejected.intent is None and rejected.reason == f"{CONTINUED} (safety)"
    assert hold.release(speaking=False) is None


def test_a_held_request_is_handed_back_once_when_listening_stops():
    hold = Hold()
    hold.keep(Match("forget_tonight", "forget tonight", "forget tonight", 0.0, confidence=1.0))
    assert hold.take().intent == "forget_tonight"
    assert hold.take() is None
    assert hold.release(speaking=False) is None


def test_over_the_speakers_voice_only_speech_near_the_requests_level_goes_on_from_it():
    """Through the echo canceller, what is left of the speaker's voice started an utterance 23 dB
    below a request's loudest frame and dropped it; a partner going on came back within 10 dB."""
    hold = Hold()
    hold.keep(SAFETY, loudest_db=-23.2, over_own_voice=True)
    assert hold.release(speaking=True, level_db=-46.3) is None  # the residue: still held
    given = [hold.release(speaking=False) for _ in range(HOLD_FRAMES)]
    assert given.index(SAFETY) == HOLD_FRAMES - 2  # the residue's frame was one of its quiet
    hold.keep(SAFETY, loudest_db=-23.2, over_own_voice=True)
    going_on = hold.release(speaking=True, level_db=-23.2 - 10)
    assert going_on.intent is None and going_on.reason == f"{CONTINUED} (safety)"


def test_away_from_the_speakers_voice_any_speech_goes_on_from_a_request():
    hold = Hold()
    hold.keep(SAFETY)
    rejected = hold.release(speaking=True, level_db=-80.0)
    assert rejected.intent is None  # however quiet: only over the speaker's voice is a residue
