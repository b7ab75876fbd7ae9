"""How `voice bench pauses` measures a pause inside a sentence is how the hold counts one
(voice/bench/pauses.py, voice/listen/hold.py)."""

import numpy as np
import pytest

from voice.audio.frames import FRAME_SAMPLES, RATE, split_frames
from voice.bench.pauses import pauses_in
from voice.bench.speech import paused_requests
from voice.listen.endpoint import END_FRAMES, START_FRAMES, Endpointer
from voice.listen.hold import CONTINUED, HOLD_FRAMES, Hold
from voice.listen.intents import Match, expand
from voice.locale import Locale

SAFETY = Match("safety", "i need help", "i need help", 0.0, confidence=0.9)


def two_words(gap_frames: int) -> np.ndarray:
    """Two 0.4 s bursts of a voiced sound with `gap_frames` of a quiet room between them."""
    rng = np.random.default_rng(4)
    t = np.arange(int(0.4 * RATE)) / RATE
    word = 3000 * np.sin(2 * np.pi * 220 * t) * np.hanning(len(t)) ** 0.1
    gap = np.zeros(gap_frames * FRAME_SAMPLES)
    audio = np.concatenate([np.zeros(RATE), word, gap, word, np.zeros(RATE)])
    return np.round(audio + rng.normal(0, 3, len(audio))).astype(np.int16)


def hold_outcome(audio: np.ndarray) -> str:
    """What the hold makes of a request kept where the endpointer ends the first word."""
    endpointer = Endpointer()
    hold = Hold()
    for frame in split_frames(audio):
        segment = endpointer.feed(frame)
        given = hold.release(bool(segment.frames), endpointer.level_db)
        if given is not None:
            return "continued" if given.reason.startswith(CONTINUED) else "request"
        if segment.ended:
            hold.keep(SAFETY)
    return "nothing"


def test_a_pause_is_counted_in_frames_from_one_utterance_to_the_next():
    short = list(pauses_in(two_words(20)))
    long = list(pauses_in(two_words(35)))
    assert len(short) == len(long) == 1 and long[0] - short[0] == 15
    assert short[0] < 20  # the endpointer's END_FRAMES of quiet come first: the utterance's own


def test_a_pause_the_benchmark_counts_as_joined_is_one_the_hold_joins():
    """The benchmark's share of pauses joined (at most HOLD_FRAMES) is the hold's own rule."""
    for gap in range(HOLD_FRAMES + END_FRAMES - START_FRAMES - 3, HOLD_FRAMES + END_FRAMES + 3):
        [pause] = pauses_in(two_words(gap))
        expected = "continued" if pause <= HOLD_FRAMES else "request"
        assert hold_outcome(two_words(gap)) == expected, gap


@pytest.mark.parametrize("code", ["en", "ko"])
def test_every_paused_request_begins_with_a_safety_phrase_said_alone(code):
    """The benchmark's sentences begin with a real request: the hold alone tells them apart."""
    templates = Locale.load(code).intents["safety"]
    phrases = {phrase.lower() for template in templates for phrase in expand(template)}
    pairs = paused_requests(code)
    assert len(pairs) >= 5
    assert all(request.lower() in phrases and rest for request, rest in pairs), pairs
