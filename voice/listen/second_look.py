"""A safety request heard a second time, with every command and the locale's everyday words
listened for: it stands only if it is still a safety phrase said alone. When a request is looked at
so: `looks_again`, and safety_check.py."""

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np

from ..audio.frames import frames_for
from ..errors import ModelError
from .intents import IntentMatcher, Match
from .recognizer import GrammarRecognizer

SAFETY = "safety"
# A safety request whose words took less than this share of the utterance's speech gets the second
# look: the rest of it was other words, or a breath or a clip's hiss (the people's lone words in
# their 1 s clips took as little as 0.4 of theirs), so it is not turned away outright. At
# 6 dB SNR a tuning voice's whole "오늘 저녁에 팀이랑 긴 통화가 있어" was 지금 위험해 in a session,
# its words 0.69 s of 1.04 s (0.66): the crisis message, 1 in 5 noise draws of the tuning talk. The
# tuning voices' requests, 6 dB and room tone, Korean and English: 0.77 or more, so none of them is
# looked at again for it (issue 17's note).
PHRASE_SHARE = 0.7
# So does one heard in a noisy room at under this n-best confidence. At 6 dB SNR, in a session, the
# tuning talk's 약속해 and "이번 달 카드값이 많이 나왔어" were 긴급 상황 at 0.80 and 0.85: the crisis
# message (noise draws 17 and 18 of `voice bench safety --draws 20`). The tuning voices' requests
# said there came at 1.0 in a session (Korean, 47 of 47) and at 0.76 or more (English, 15 of 324
# under 0.9); looked at again, Korean lost none of them in any context, English 2 of 800 (8 noise
# draws; issue 17's note). As a stop phrase heard unsure in noise waits for the open recognizer
# (crosscheck.NOISY_STOP_CONFIDENCE).
NOISY_SAFETY_CONFIDENCE = 0.9
# A safety request heard soon after the last utterance (listener.PAUSE_BEFORE_START), in any
# context, gets the second look a small command set gives it (`looks_again` says when else): at
# 6 dB SNR the end of a tuning voice's "오늘 저녁에 차 정비 맡겨야 해", cut off by the endpointer,
# was 지금 위험해 in a session, the crisis message in 5 of 40 noise draws; 1 with the second look. The
# tuning voices' requests said 0.3 s after a few everyday words were heard as often as before (21
# of 48 in a quiet room and at 6 dB); turned away outright, none was. Held-out voices: 25 -> 22 of
# 48 (at 6 dB 10 -> 7). English tuning voices: 91 of 100 before and after (issue 17's note).
# A safety request that began right after other words, if its second look heard it, is heard once
# more with up to this much of the utterance before it, and stands only if it is still a safety
# phrase at the end (`IntentMatcher.said_last`): alone, the piece of a sentence cut off can be
# nothing else. At 6 dB SNR the tuning voice's "오늘 저녁에 차 정비 맡겨야 해" was cut after 차 정비
# (2.6 s in), and its end was 지금 위험해 alone with every Korean command listened for, the crisis
# message in all four contexts in 1 of 10 noise draws; heard with the words before it, it was
# "자기소개 나누기 기록 위험해" (issue 17's note). A decoder needs a word or two of what came
# before, not the whole sentence, and the request's answer waits for this decode: 4 s of audio took
# 80-170 ms here, where the request alone took 20-80.
WORDS_BEFORE = frames_for(3.0)
# Where the open recognizer must then hear the request word for word (a quiet room, where the
# locale asks it: `OpenCheck.safety_verdict`), the second look's best two alternatives count, not
# its best alone. Flite's (kal) "I need help" in room tone was "i need i'll", then "i need help":
# of 10 espeak-ng and flite voices outside both halves, 750 requests in the five room tones,
# 706 -> 709 were heard; the tuning voices lost none so. The tuning talk near a safety phrase
# there (1650 listens) gave the crisis message no more often (3) (issue 17's note).
HEARD_OPENLY_ALTERNATIVES = 2

log = logging.getLogger(__name__)


def looks_again(asked_for: bool, words_share: float, noisy: bool, confidence: float,
                in_quiet: bool = False) -> bool:
    """Whether a safety request gets the second look: where the listener asks for one
    (`asked_for`: in a small command set, or right after other words), where its words took less
    than PHRASE_SHARE of the utterance (`words_share`), where a `noisy` room left the grammar
    unsure of it (under NOISY_SAFETY_CONFIDENCE), or, if `in_quiet` (the locale's
    `second_look_in_quiet`), wherever the room is quiet."""
    return (asked_for or words_share < PHRASE_SHARE
            or (noisy and confidence < NOISY_SAFETY_CONFIDENCE) or (in_quiet and not noisy))


def second_look(match: Match, recognizer: GrammarRecognizer, phrases: list[str],
                matcher: IntentMatcher, utterance: list[np.ndarray],
                words_before: list[np.ndarray], everyday_words: frozenset[str] = frozenset(),
                alternatives: int = 1) -> Match:
    """`match` (safety, heard in a small command set, right after other words, or over only
    part of its utterance) if the same frames, decoded with the second look's phrases listened
    for, are still a safety phrase in one of their best `alternatives`, alone (a stray word at
    an edge aside: `IntentMatcher.said_alone`); else rejected. A phrase inside a longer
    alternative is not enough: over the speaker's voice, at 6 dB SNR, a tuning voice's "after
    work we should clear the fridge" was "emergency" at 1.0, and the second look's "emergency
    clear the fridge" had let it stand. Nor, unless the open recognizer must hear it too
    (HEARD_OPENLY_ALTERNATIVES), is an alternative below the best: there, espeak-ng's (ko+f4)
    피곤해 was 지금 위험해 at 1.0, and the second look's best "쉬고 호흡 했어", with 지금 위험해
    third, had let it stand (issue 17's note). Right after other words, it must then still end in a
    safety phrase with `words_before`, the end of those words (WORDS_BEFORE).
    One of the `everyday_words` (among `phrases`) beside the phrase is a word said, never a stray
    one: at 6 dB SNR the tuning talk's "I need to help him" and "I need a helmet" were "i need
    help did" and "i need help it" here, while of the tuning voices' requests looked at again (772,
    in a quiet room and at 6 dB) 765 were their phrase alone, none with a word beside it (issue
    17's note)."""
    def alone(texts: list[str], durations: list[list[float]], intent: str) -> bool:
        return matcher.said_alone(texts[:alternatives], durations[:alternatives], intent,
                                  everyday_words)

    if not _heard_again(recognizer, phrases, utterance, alone):
        return replace(match, intent=None,
                       reason="safety not heard with every command listened for")
    last = partial(matcher.said_last, words_said=everyday_words)
    if words_before and not _heard_again(recognizer, phrases, words_before + utterance, last):
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
