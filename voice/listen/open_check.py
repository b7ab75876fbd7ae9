"""The open-vocabulary recognizer's word on a command the grammar heard: whether it is asked
(`asks_about`), and what it says (`OpenCheck.verdict`).

A command that can be one word, heard as a word or two, stands only if what the open recognizer
heard sounds near one of its phrases (crosscheck.py says how near): alone, people's "happy" was
"help me" and "no" was "next". So does a stop, a start or a break phrase heard with a word beyond
its own, and, in a noisy room, a stop phrase the grammar was unsure of or heard right after other
words, and a start or a break phrase it was unsure of. Its word on a safety request is
`OpenCheck.safety_verdict`'s.
"""

import logging
from dataclasses import replace

import numpy as np

from ..errors import ModelError
from .context import interrupts, starts_something
from .crosscheck import ALTERNATIVES, NOISY_STOP_CONFIDENCE, CrossCheck
from .intents import EXACT_INTENTS, IntentMatcher, Match, normalize
from .open_hearing import OpenHearing
from .recognizer import Alternatives

CHECKED_WORDS = 2  # a command heard as a phrase this short waits for the open recognizer's verdict
# In a noisy room, a start or a break phrase the grammar was less sure of than this waits for the
# open recognizer too. At 6 dB SNR the tuning voices' talk (233 utterances, 3 noise draws, idle and
# a session) was a start or a break 3 times, at 0.14-0.42 ("let's not argue about this right now"
# as "let's talk about the fight", "just a second" as "let's check in", "you make me laugh every
# day" as "we need a break"), each heard openly as what was said. Of the tuning voices' 1629 start
# and break phrases heard there (1695 said), 129 came under 0.5: by the open recognizer's words,
# judged as a step's command is (crosscheck.py), 33 of them are turned away, and in a like run
# with the grammar's score beside them 15 of 33 (`OpenCheck._as_a_steps_command_in_quiet`); by
# the stricter standard of a start heard with a word more, 69 (issue 17's note). A start while
# the couple talk costs them more than a start said twice.
DOUBTED_START_CONFIDENCE = 0.5
# In a quiet room a safety request stands only if the open recognizer's best alternative holds a
# safety phrase. On the tuning half's talk near a safety phrase (voice/bench/talk.yaml: 22
# utterances x 5 voices x 5 room tones), with a phrase anywhere in its best 4 alternatives, 4 of 550
# gave the crisis message in idle, a session and a turn: flite's "I need a hat" was openly "i need
# her", then "i need help"; Piper's and flite's "I don't feel sick" "i don't feel sick", then "i
# don't feel safe". With the best only, none did, and of the tuning voices' 125 requests 1 more
# was turned away, in a turn (flite's "we don't feel safe", openly "we don't feel say"; issue 17's
# note).
QUIET_SAFETY_ALTERNATIVES = 1

log = logging.getLogger(__name__)


def asks_about(match: Match, matcher: IntentMatcher, noisy: bool = False,
               after_words: bool = False) -> bool:
    """Whether `match` waits for the open recognizer's verdict: a short command, a stop, a start
    or a break phrase heard with a word more, or, in a `noisy` room, a stop phrase the grammar was
    unsure of or heard right `after_words` (an utterance that began soon after the last ended),
    or a start or a break phrase it was unsure of."""
    return (_short(match, matcher) or _stops_or_starts_with_a_word_more(match)
            or _unsure_stop_in_noise(match, noisy)
            or _stop_after_words_in_noise(match, noisy, after_words)
            or _doubted_start_in_noise(match, noisy))


def _short(match: Match, matcher: IntentMatcher) -> bool:
    """A command that can be one word, heard as a phrase of a word or two: a lone word of talk
    reaches those ("happy" was help; with every phrase of two words or more unchecked, the tuning
    speakers' lone words were help 8 times in idle instead of once). Safety and forgetting keep their own
    measured checks."""
    return (match.intent is not None and match.intent not in EXACT_INTENTS
            and len(match.phrase.split()) <= CHECKED_WORDS
            and any(len(phrase.split()) == 1 for phrase in matcher.phrases_of(match.intent)))


def _stops_or_starts_with_a_word_more(match: Match) -> bool:
    """A stop, a start or a break phrase heard with a word beyond its own (a stray word at its
    edge, or one added in a session): talk reaches those too. At 6 dB SNR a person's "...the
    effect of super-imposition of a number..." was "[unk] end the session" or "safe end the
    session" in a session, a stop at up to 0.86, "...longing to our garrison..." "long introduce
    yourself" in idle, and "I think we need a break for ..." "i'm we need a break" in a session,
    a calming break in 3 of 3 noise draws, which the open recognizer heard as "i mean give me a
    break for out" (issue 17's note). The tuning voices' 705 start phrases heard in five rooms and
    at 6 dB had no such word, nor their 270 stop phrases in a session."""
    return (match.intent is not None and interrupts(match.intent)
            and len(normalize(match.text)) > len(match.phrase.split()))


def _unsure_stop_in_noise(match: Match, noisy: bool) -> bool:
    """A stop phrase heard in a noisy room at under NOISY_STOP_CONFIDENCE. At 6 dB SNR a tuning
    person's "A cold dip restores health and zest" was "end the session" in a session in 18 of 40
    noise draws, a stop at 0.2-0.8; the open recognizer turned away 16 of them. The tuning voices' "end
    the session" and "end the exercise" there came at 1.0, 80 of 80 (issue 17's note). Not the start
    phrases: checked so at 6 dB, the tuning voices' lost 9 of 185 (and idle has its pause before a
    start)."""
    return noisy and match.intent == "stop" and match.confidence < NOISY_STOP_CONFIDENCE


def _stop_after_words_in_noise(match: Match, noisy: bool, after_words: bool) -> bool:
    """A stop phrase heard in a noisy room in an utterance that began right `after_words`
    (listener.PAUSE_BEFORE_START): there the endpointer cuts a sentence at its short pauses, and
    its end may sound like one. At 6 dB SNR a tuning person's "A cold dip restores health and
    zest", cut before "health and zest" (which began 140 ms after the piece before had ended), was
    "end the session" at 1.0 in a partner's turn; the open recognizer heard "and he says". A
    command said alone comes after no words: the tuning voices' stop phrases, and people's
    "stop", are not asked about for this."""
    return noisy and after_words and match.intent == "stop"


def _doubted_start_in_noise(match: Match, noisy: bool) -> bool:
    """A start or a break phrase heard in a noisy room at under DOUBTED_START_CONFIDENCE."""
    return (noisy and match.intent is not None and starts_something(match.intent)
            and match.confidence < DOUBTED_START_CONFIDENCE)


def _doubted_start_alone(match: Match, noisy: bool) -> bool:
    """A doubted start or break phrase heard as its own words, no more: asked for its doubt alone,
    it is judged as a step's command the grammar was sure of is in a quiet room (no start phrase
    can be one word: `_short`)."""
    return _doubted_start_in_noise(match, noisy) and not _stops_or_starts_with_a_word_more(match)


class OpenCheck:
    def __init__(self, hearing: OpenHearing, cross_check: CrossCheck, louder: bool) -> None:
        """`louder`: a step's command turned away is heard again as loud as the grammar heard it."""
        self._open = hearing
        self._cross_check = cross_check
        self._louder = louder

    def verdict(self, match: Match, phrases: list[str], score: float, noisy: bool, in_turn: bool,
                louder_frames: list[np.ndarray]) -> Match:
        """`match` if the open-vocabulary recognizer heard something that sounds near one of its
        `phrases` ("happy" was "help me" in a session's grammar), or, outside a partner's turn,
        nothing that fit the sound nearly as well as the grammar's hearing of it (`score`;
        CrossCheck.outscored, by a wider margin in a `noisy` room). A turn's grammar is a few
        words, so each scores higher there: a person's "down" was "done" 9.0 above the open
        recognizer's "down" (issue 17's note). A start or a break phrase asked about only for the
        grammar's doubt in a noisy room is judged as a sure step's command is in a quiet room. If
        that recognizer failed, the grammar's word stands alone, as before there was a second
        opinion: "stop" must work whatever else fails."""
        try:
            heard = self._open.verdict()
        except ModelError as error:
            log.warning("%s; '%s' stands on the grammar alone", error, match.intent)
            return match
        if _doubted_start_alone(match, noisy):
            return self._as_a_steps_command_in_quiet(match, phrases, score, heard, in_turn)
        interrupting = interrupts(match.intent)
        if self._cross_check.confirms(phrases, heard.texts, interrupting, match.confidence, noisy):
            return match
        if not in_turn and self._cross_check.outscored(score, heard, interrupting, noisy,
                                                       match.confidence):
            return match
        asks_louder = self._louder and not (noisy or in_turn or interrupting)
        if asks_louder and self._confirmed_louder(match, phrases, louder_frames):
            return match
        return _not_confirmed(match, heard)

    def _as_a_steps_command_in_quiet(self, match: Match, phrases: list[str], score: float,
                                     heard: Alternatives, in_turn: bool) -> Match:
        """`match`, a start or a break phrase asked about for the grammar's doubt alone, judged as
        a step's command the grammar was sure of is in a quiet room: heard openly near one of its
        `phrases` (crosscheck.ALTERNATIVES), or, outside a partner's turn, outscored by the
        grammar's hearing (`score`) by OUTSCORED_BY; not heard again louder, a quiet room's look
        for a quiet talker's word (`_confirmed_louder`). The open recognizer's hearing at 6 dB SNR
        is often garbled ("it was eating were" for espeak-ng's "give us feeling words", 11.2 below
        the grammar's): of the tuning voices' 1695 start and break phrases said there (3 noise
        draws), 33 were turned away by its words, and 18 of those stand so; the tuning voices' talk
        heard as a start so (233 utterances, 3 draws) came no nearer than 5.1 ("you make me laugh
        every day" as "we need a break", openly "he made me laugh every"; issue 17's note)."""
        if self._cross_check.confirms(phrases, heard.texts):
            return match
        if not in_turn and self._cross_check.outscored(score, heard, interrupting=False):
            return match
        return _not_confirmed(match, heard)

    def safety_verdict(self, match: Match, phrases: list[str], noisy: bool = False,
                       in_part: bool = False, louder_frames: list[np.ndarray] | None = None
                       ) -> Match:
        """`match`, a safety request, if the open recognizer's best alternative holds one of its
        `phrases` word for word (QUIET_SAFETY_ALTERNATIVES), as the locale asks in a quiet room
        (safety_check.py), there heard as the microphone gave it or, failing that, as loud as the
        grammar heard it (`louder_frames`; `_heard_louder`). Words, not sounds: in room tone the
        grammar, and its second look, heard Piper's and flite's "I don't feel sick" as "I don't
        feel safe", which sounds near; the open recognizer heard "i don't feel sick" first. In a
        `noisy` room it hears the requests themselves too poorly for that ("i need help" as "the
        hell"), so there a request is turned away only where none of its best ALTERNATIVES holds
        a phrase and the best begins as a phrase does, then says another word
        (`_begins_otherwise`), or where the best holds a phrase and goes on past it
        (`_goes_on_past`). One whose words took only part of the utterance (`in_part`:
        safety_check.HEARD_OPENLY_SHARE) must be heard there as in a quiet room, with its best
        ALTERNATIVES. If that recognizer failed, the request stands on the grammar's word: the
        safety response must work whatever else fails (a louder hearing that fails only gives
        nothing back)."""
        try:
            heard = self._open.verdict()
        except ModelError as error:
            log.warning("%s; the safety request stands on the grammar alone", error)
            return match
        said = [normalize(phrase) for phrase in phrases]
        depth = ALTERNATIVES if noisy else QUIET_SAFETY_ALTERNATIVES
        alternatives = [normalize(text) for text in heard.texts[:depth]]
        best = heard.texts[0] if heard.texts else ""
        if noisy and alternatives and _goes_on_past(alternatives[0], said):
            return replace(match, intent=None,
                           reason=f"safety heard openly with words after it: '{best}'")
        if any(_run_of(words, phrase) for words in alternatives for phrase in said):
            return match
        if noisy and alternatives and any(_begins_otherwise(alternatives[0], phrase)
                                          for phrase in said):
            return replace(match, intent=None,
                           reason=f"safety heard openly as other words: '{best}'")
        if not noisy and self._heard_louder(said, louder_frames or []):
            return match
        if not noisy or in_part:
            return replace(match, intent=None,
                           reason=f"safety not heard openly: open vocabulary heard '{best}'")
        return match

    def _heard_louder(self, said: list[list[str]], frames: list[np.ndarray]) -> bool:
        """Whether the open recognizer, hearing a quiet room's request again as loud as the grammar
        did (`frames`: gain.py), holds one of the phrases `said` in its best alternative. At the
        microphone's level it heard quiet talkers' and machine voices' "I need help" as "i need
        failed", "i need air", "i the hell": of the tuning voices' requests in the five room tones
        (5 phrases x 5 voices x 3 contexts x 2 draws), 12 of 750 were turned away so, and 3 of
        them come back here; of 10 other espeak-ng and flite voices' (1 draw), 13 of 41. Of the
        tuning half's talk near a safety phrase there (voice/bench/talk.yaml, 22 utterances), 24
        of 1650 listens were turned away so, and 1 became the crisis message (flite's "I need a
        hat" for a quiet talker, openly "i need her", louder "i need help"); of the other voices',
        0 of 13 (issue 17's note)."""
        heard = self._louder_hearing(frames, "safety") if self._louder and frames else None
        if heard is None:
            return False
        alternatives = [normalize(text) for text in heard.texts[:QUIET_SAFETY_ALTERNATIVES]]
        return any(_run_of(words, phrase) for words in alternatives for phrase in said)

    def _confirmed_louder(self, match: Match, phrases: list[str], frames: list[np.ndarray]) -> bool:
        """Whether the open recognizer, hearing the utterance as loud as the grammar did (`frames`:
        gain.py), confirms a step's command it turned away as the microphone gave it (with its best
        LOUDER_ALTERNATIVES). It hears machine voices and quiet talkers worse at a talker's level:
        espeak-ng's quiet "done" was "" and then "done", its "I'm done" "i know" and then "i'm done".
        Asked in a quiet room and outside a partner's turn only, never for a command that
        interrupts: at 6 dB SNR it heard the tuning people's "off" as "cause" (a pause) and
        "house" as "health" (help), a meeting's talk as "stop" (gain.py), and in a turn the tuning
        talk's "well done" as done (issue 17's note)."""
        heard = self._louder_hearing(frames, match.intent)
        if heard is None:
            return False
        return self._cross_check.confirms(phrases, heard.texts, False, match.confidence, louder=True)

    def _louder_hearing(self, frames: list[np.ndarray], intent: str | None) -> Alternatives | None:
        """The open recognizer's hearing of `frames`, the utterance as loud as the grammar heard
        it; None if it failed: then `intent`, turned away as the microphone gave it, stays so."""
        try:
            return self._open.again(frames)
        except ModelError as error:
            log.warning("%s; '%s' stays turned away", error, intent)
            return None


def _not_confirmed(match: Match, heard: Alternatives) -> Match:
    best = heard.texts[0] if heard.texts else ""
    return replace(match, intent=None,
                   reason=f"{match.intent} not confirmed: open vocabulary heard '{best}'")


def _run_of(words: list[str], phrase: list[str]) -> bool:
    """Whether `phrase` is a run of `words`, with no stray word between (IntentMatcher._holds
    allows them)."""
    return any(words[start:start + len(phrase)] == phrase
               for start in range(len(words) - len(phrase) + 1))


def _goes_on_past(words: list[str], phrases: list[list[str]]) -> bool:
    """Whether `words` hold one of the `phrases` and end in none: a sentence that goes on past a
    request's words, as a request said alone does not. At 6 dB SNR the tuning talk near a safety
    phrase (22 utterances x 5 voices x 6 noise draws, in idle, a session and a turn) gave the
    crisis message 126 times; 8 of them where the open recognizer heard flite's "it's an
    emergency room" so, or Piper's "I need to help him" as "i need help them". None of the
    tuning voices' requests heard there (561 of 600, 8 draws) was heard openly so (issue 17's
    note). One that ends the words ("this is an emergency") is a request said last, as the
    second look asks of one said after other words (second_look.py)."""
    return (any(_run_of(words, phrase) for phrase in phrases)
            and not any(words[-len(phrase):] == phrase for phrase in phrases))


def _begins_otherwise(words: list[str], phrase: list[str]) -> bool:
    """Whether `words` begin with `phrase`'s words but its last, then say another word: a
    sentence about something else ("i don't feel sick", "i need a haircut"). At 6 dB SNR, in idle,
    a session and a turn, the grammar heard the tuning talk as a request 14 times (233 utterances,
    3 noise draws), 8 of them heard so first by the open recognizer with no phrase in its best
    alternatives; of the tuning voices' 283 requests heard (300 said, 4 draws), 3 were heard so
    ("we need fail", "we need now"), and most it misheard held the phrase below ("we need hell",
    then "we need help"). Other words in any of its best four would have turned away 2 more of
    that talk and 1 more request: the first only, for the requests (issue 17's note)."""
    opening = phrase[:-1]
    return (bool(opening) and words[:len(opening)] == opening and len(words) > len(opening)
            and words[len(opening)] != phrase[-1])
