"""Whether a safety request the grammar heard was one: the second look where it is asked for, then
the open recognizer's word on it. `Listener` hands each request here before the hold waits for the
quiet after it (hold.py).

In a small command set (a partner's turn, or over the speaker's own voice) Vosk must put talk onto
one of a few phrases, and the safety phrases drew it: "I missed you" was "I need help", 축하해 was
지금 위험해. There a safety request is looked at a second time, the same frames decoded with every one of
the locale's commands and its everyday words listened for (`second_look`; not the scripts' phrases,
which anyone may add), and stands only if its best alternative is still a safety phrase, said alone,
as a request is everywhere (one of its best two where the open recognizer must hear it word for word
next: second_look.HEARD_OPENLY_ALTERNATIVES). The other words are never acted on there; they only
give talk somewhere else to go. A safety request anywhere that began right after other words gets
the second look too, and is heard once more together with the end of those words: the end of a
sentence the endpointer cut off in a noisy room was heard as one. So does one whose words took only
part of the utterance (the end of a whole sentence was one), and one heard unsure in a noisy room.
Where the locale says so (English), every safety request heard in a quiet room gets it: there, in
idle, a tuning voice's "I need a hug" was "I need help" at 1.0.

Where the locale's model can decode freely (English), a safety request stands only if the open
recognizer heard the request too (`OpenCheck.safety_verdict`), in a quiet room where the locale
says so, over the speaker's voice as well, and there, if need be, as loud as the grammar heard it
(a quiet talker's "I need help" was "i need failed"); in a noisy room, it is turned away only
where it heard other words that begin as a request does ("i don't feel sick"), or a request's
words with more after them ("it's an emergency room"), or where the request's words took only
part of the utterance and it did not hear them (HEARD_OPENLY_SHARE).
"""

from dataclasses import dataclass

import numpy as np

from .intents import IntentMatcher, Match
from .open_check import OpenCheck
from .recognizer import GrammarRecognizer
from .safety_hearing import SafetyHearing
from .second_look import HEARD_OPENLY_ALTERNATIVES, SAFETY, looks_again, second_look


# In a noisy room a request whose words took less than this share of the utterance's speech must be
# heard openly too, as every request is in a quiet room: a phrase in one of the open recognizer's
# best four alternatives (in a quiet room, its best; `OpenCheck.safety_verdict`). At 6 dB SNR the
# grammar stretched a request over flite's "I need a haircut" and "I need a helmet" (words
# 0.75-0.87 of the speech), which the open recognizer heard as "i mean": 7 of the tuning
# near-safety talk's 61 crisis messages (3 draws). The tuning voices' 210 requests heard there took
# 1.0 or more; people's "stop" at 6 dB took under 0.9 in 2 of 193 heard, both with "stop" among the
# open recognizer's best four (issue 17's note).
HEARD_OPENLY_SHARE = 0.9


@dataclass(frozen=True)
class Utterance:
    """What the listener knows of the utterance a request was heard in."""

    frames: list[np.ndarray]  # as the grammar heard them
    words_before: list[np.ndarray]  # the end of the utterance just before it, if it came soon after
    noisy: bool  # heard in a noisy room (listener.NOISY_FLOOR_DB)
    words_share: float  # the share of its speech the request's words took (`saying.words_within`)
    asked_for: bool  # a small command set, or other words just before, ask for a second look


class SafetyCheck:
    def __init__(self, hearing: SafetyHearing, recognizer: GrammarRecognizer,
                 open_check: OpenCheck | None) -> None:
        """`hearing`: the locale's way of making sure (`Locale.safety_hearing`); `open_check`:
        None where no open recognizer listens."""
        self.hearing = hearing
        self._recognizer = recognizer
        self._open_check = open_check

    def verdict(self, match: Match, matcher: IntentMatcher, every_phrase: list[str],
                utterance: Utterance) -> Match:
        """`match` (a safety request, heard with `matcher`'s phrases) after the second look where
        `looks_again` asks for one, and the open recognizer's word on it: in a quiet room where
        the locale says so, and in a noisy room, over the speaker's voice as well.
        `every_phrase`: what the second look hears it among where the locale names nothing."""
        if looks_again(utterance.asked_for, utterance.words_share, utterance.noisy,
                       match.confidence, self.hearing.second_look_in_quiet):
            match = self._second_look(match, matcher, every_phrase, utterance)
        if match.intent == SAFETY and self._heard_openly(utterance.noisy):
            in_part = utterance.noisy and utterance.words_share < HEARD_OPENLY_SHARE
            return self._open_check.safety_verdict(match, matcher.phrases_of(SAFETY),
                                                   utterance.noisy, in_part, utterance.frames)
        return match

    def _second_look(self, match: Match, matcher: IntentMatcher, every_phrase: list[str],
                     utterance: Utterance) -> Match:
        """`match` if it is still a safety request when heard again (`second_look`): in its best
        alternative, or, where the open recognizer must hear it word for word next, in one of
        its best HEARD_OPENLY_ALTERNATIVES."""
        phrases = list(self.hearing.second_look_phrases) or every_phrase
        word_for_word_next = not utterance.noisy and self._heard_openly(noisy=False)
        return second_look(match, self._recognizer, phrases, matcher, utterance.frames,
                           utterance.words_before, self.hearing.everyday_words,
                           alternatives=HEARD_OPENLY_ALTERNATIVES if word_for_word_next else 1)

    def _heard_openly(self, noisy: bool) -> bool:
        """Whether the open recognizer has its word on a request: in a noisy room, and in a quiet
        one where the locale says so (there word for word), wherever it listens."""
        return (noisy or self.hearing.heard_openly_in_quiet) and self._open_check is not None
