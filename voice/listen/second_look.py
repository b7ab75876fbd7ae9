"""A safety request heard a second time, with every command and the locale's everyday words
listened for: it stands only if it is still a safety phrase said alone (listener.py says when a
request is looked at so)."""

import logging
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..errors import ModelError
from .intents import IntentMatcher, Match
from .recognizer import GrammarRecognizer

SAFETY = "safety"

log = logging.getLogger(__name__)


def second_look(match: Match, recognizer: GrammarRecognizer, phrases: list[str],
                matcher: IntentMatcher, utterance: list[np.ndarray],
                words_before: list[np.ndarray]) -> Match:
    """`match` (safety, heard in a small command set, right after other words, or over only
    part of its utterance) if the same frames, decoded with the second look's phrases listened
    for, are still a safety phrase in their best hearing, alone (a stray word at an edge aside:
    `IntentMatcher.best_said_alone`); else rejected. A phrase inside a longer alternative is
    not enough: over the speaker's voice, at 6 dB SNR, a tuning voice's "after work we should
    clear the fridge" was "emergency" at 1.0, and the second look's "emergency clear the fridge"
    had let it stand. Nor is an alternative below the best: there, espeak-ng's (ko+f4) 피곤해
    was 지금 위험해 at 1.0, and the second look's best "쉬고 호흡 했어", with 지금 위험해 third,
    had let it stand (issue 17's note). Right after other words, it must then still end in a
    safety phrase with `words_before`, the end of those words (listener.WORDS_BEFORE)."""
    if not _heard_again(recognizer, phrases, utterance, matcher.best_said_alone):
        return replace(match, intent=None,
                       reason="safety not heard with every command listened for")
    if words_before and not _heard_again(recognizer, phrases, words_before + utterance,
                                         matcher.said_last):
        return replace(match, intent=None, reason="safety not heard after the words before it")
    return match


def _heard_again(recognizer: GrammarRecognizer, phrases: list[str], frames: list[np.ndarray],
                 still_safety: Callable[[list[str], list[list[float]], str], bool]) -> bool:
    """Whether `frames`, decoded with `phrases` listened for, are still a safety request by
    `still_safety`. If the recognizer fails, the request stands on its first hearing."""
    recognizer.use(phrases)
    try:
        for piece in frames:
            recognizer.accept(piece)
        texts, _, words = recognizer.finish()
    except ModelError as error:
        log.warning("%s; the safety request stands on its first hearing", error)
        return True
    return still_safety(texts, [[w.end - w.start for w in ws] for ws in words], SAFETY)
