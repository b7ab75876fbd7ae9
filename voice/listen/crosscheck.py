"""A short command heard in a small grammar, checked against what the open-vocabulary model heard.

In a grammar of a few commands, Vosk must put every short word somewhere: people's recorded "happy",
"up" and "house" were "help" at confidence 1.0, "no" was "next" and "right" was "repeat" (issue 17's
note). The same frames decoded with the model's whole vocabulary and language model say "happy". So a
command that can be one word, heard as a word or two, stands only if one of the open alternatives
sounds near one of its phrases: the two written in IPA by espeak-ng's pronunciation rules
(`phonemes`) and compared character by character, or letter by letter where espeak-ng cannot say.
On the tuning half, sound turned away more of people's other words than spelling did and kept more
of the voices' commands (issue 17's note): "happy" is far from "help", and a machine voice's "done"
heard as "dun" is near.

The further down the open recognizer's alternatives a command's sounds are found, and the less sure
the grammar was of it, the weaker the evidence: each kind of hearing has its standard (`standard`).
For a command that interrupts the couple (a stop, a start or a break: context.interrupts), an
alternative below the first confirms it only if it holds no more sounds than the phrase
(`confirms`): the command's sounds with more are talk. In a noisy room the first may hold one
more, no further (`sounds_added`).

The open recognizer hears machine voices worse than people ("skip" as "cape"). Where nothing in its
whole vocabulary fits the sound nearly as well as the grammar's command does, its words are a miss,
not other words: a step's command stands so outside a partner's turn, by a wider margin in a noisy
room (`outscored`).
"""

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from .intents import edit_distance
from .phonemes import phrase_sounds

if TYPE_CHECKING:
    from .recognizer import Alternatives  # which imports vosk


# The open recognizer's best this many alternatives may confirm a command: people's recorded "left" was
# "back" at 6 dB with "back" the 5th of 5 heard openly, "off" was "pause" with "cause" the 5th. Of the
# tuning half's 16 other words that stood in a quiet room and at 6 dB, 2 go so, for 1 of the tuning
# voices' 541 checked commands (issue 17's note).
ALTERNATIVES = 4
# A command that interrupts: a person's talk in a partner's turn was "stop" in the 4th
# (and "mm" in the 1st). Measured on the tuning half: that false stop gone, every command kept.
INTERRUPTING_ALTERNATIVES = 3
# A command the grammar itself was unsure of (its n-best confidence below this) must be heard openly
# in the best two alternatives, and nearer (the locale's doubtful limit): people's "bed" was "back" at
# 0.22 and openly "bed", "bad" (0.33 from "back"); "six" was "next" at 0.13 and "sex" (0.4).
DOUBTFUL_CONFIDENCE = 0.3
DOUBTFUL_ALTERNATIVES = 2
# In a noisy room, a command that interrupts, heard by the grammar less sure of it than this,
# is doubtful too: the listener asks about a stop phrase heard so (open_check.py), and the open
# recognizer's best DOUBTFUL_ALTERNATIVES must confirm it. At 6 dB SNR, in a partner's turn, a
# tuning person's "A cold dip restores health and zest" was "end the session" at 0.79, and openly
# "and says", "and he says", then "and the says" (0.4 from it): a false stop in 1 of 3 noise draws
# of `voice bench human`. Of the tuning people's 64 "stop"s heard at 6 dB, 8 came under 0.9, each
# confirmed in the best two (issue 17's note).
NOISY_STOP_CONFIDENCE = 0.9
# The open recognizer's hearing of an utterance made as loud as the grammar heard it
# (open_check.py: `OpenCheck._confirmed_louder`) may confirm a command with its best this many
# alternatives only: louder, it heard two tuning people's lone "up" as "up", "", "help" (help the
# 3rd) in a session (issue 17's note).
LOUDER_ALTERNATIVES = 2
# How far the grammar's hearing of a step's command must score above the open recognizer's best over
# the same frames (Vosk's log-likelihoods) to stand against it. On the tuning half, in room tone: 7 of
# the voices' 79 commands the open recognizer had turned away came back; the people's lone words it
# turned away in a quiet room reached 5.1 in idle and a session (a word heard openly as "by", as back).
# Measured again later, with the rules since: 7.4 in a session ("six" as help, the grammar unsure at
# 0.26, openly "sick"), 6.1 with it sure ("up" as help, openly "oh"), while the tuning voices'
# room-tone misses it turned away nearest the margin sat at 5.0-7.4 (flite's "done" as "john"):
# so no lower margin.
# In a partner's turn, whose grammar of a few words scores each higher, they reached 9.0 ("down" as
# done): so never there (the listener asks only elsewhere). At 6 dB SNR they reached 9.6 ("go" as
# done, heard openly as "the", "though"; issue 17's note), hence a wider margin in a noisy room.
OUTSCORED_BY = 7.5
# In a noisy room the margin is wider, and the grammar must have been sure of the command and the
# open recognizer must have heard words. At 6 dB SNR it heard the tuning voices' commands as "ah",
# "the" or "this kid" ("pause", "move on", "skip"): of their 710 (2 noise draws) it turned away 40,
# 5 of them by 10 or more with the grammar sure. The tuning half's talk it turned away in idle and
# a session (3 draws: people's 824 lone words and 205 sentences, the voices' 233 utterances) came
# no nearer with the grammar sure than a person's "go" as done, 8.5 above "though" in another draw
# (the 9.6 above: how sure, not noted); the voices' "can you help me with this" was help 14.7 above
# an open hearing of no words (issue 17's note).
NOISY_OUTSCORED_BY = 10.0
NOISY_OUTSCORED_CONFIDENCE = 0.9
# In a noisy room, how many sounds beyond its phrase the open recognizer's first alternative may hold
# to confirm a command that interrupts. At 6 dB SNR a tuning person's talk,
# "...established...", was "stop" in a session's grammar and openly first "stop us" (two more): a
# false stop. Of the tuning people's 64 "stop"s heard at 6 dB, one stood only on a first guess with
# a sound more ("the top"): with none allowed it is lost, with one all 64 stand. In a quiet room the
# first may hold more: the tuning voices' "stop it" stood so in 6 of 15 tries (issue 17's note).
NOISY_FIRST_ADDED = 1


class Standard(NamedTuple):
    alternatives: int  # the open recognizer's best this many are looked at
    limit: float  # and one of them must be at most this far from one of the command's phrases


@dataclass(frozen=True)
class CrossCheck:
    limit: float  # how far apart (0 to 1) the open recognizer's words and a phrase may be
    voice: str  # the espeak-ng voice whose rules say how the locale's words sound ("gmw/en-us")
    interrupting_limit: float  # nearer still for a command that interrupts the couple
    doubtful_limit: float  # nearest, for a command the grammar was unsure of

    def standard(self, interrupting: bool = False, confidence: float = 1.0, louder: bool = False,
                 noisy: bool = False) -> Standard:
        """What confirms a command: stricter for one that interrupts the couple, strictest for one the
        grammar was unsure of; fewer alternatives where the open recognizer heard it `louder`, or
        where one that interrupts was heard unsure in a `noisy` room."""
        if confidence < DOUBTFUL_CONFIDENCE:
            standard = Standard(DOUBTFUL_ALTERNATIVES, self.doubtful_limit)
        elif interrupting and noisy and confidence < NOISY_STOP_CONFIDENCE:
            standard = Standard(DOUBTFUL_ALTERNATIVES, self.interrupting_limit)
        elif interrupting:
            standard = Standard(INTERRUPTING_ALTERNATIVES, self.interrupting_limit)
        else:
            standard = Standard(ALTERNATIVES, self.limit)
        if louder:
            return standard._replace(alternatives=min(standard.alternatives, LOUDER_ALTERNATIVES))
        return standard

    def apart(self, heard: str, phrase: str) -> float:
        """IPA character edits between the two, over the longer one's length: 0 the same sounds,
        1 nothing shared. Letters instead where espeak-ng cannot say how one of them sounds."""
        a, b = self._compared(heard, phrase)
        return edit_distance(a, b) / max(len(a), len(b), 1)

    def confirms(self, phrases: list[str], alternatives: list[str], interrupting: bool = False,
                 confidence: float = 1.0, noisy: bool = False, louder: bool = False) -> bool:
        """Whether one of the open recognizer's alternatives (best first) meets the command's `standard`:
        near one of its phrases (word breaks aside: "help me" is near "helped me"), with no more sounds
        added to the phrase than `sounds_added` allows. Where its best guess is no words at all, nothing
        below it confirms a command that interrupts: a tuning person's talk in a meeting
        (2.1 s) was "stop" in a session at 6 dB SNR in 4 of 200 noise draws, 3 of them openly "" first,
        then "stop" 2nd or 3rd; no tuning person's "stop" (395 in five room tones, 237 at 6 dB) and no
        tuning voice's interrupting command was heard openly so (issue 17's note)."""
        looked_at, limit = self.standard(interrupting, confidence, louder, noisy)
        if interrupting and alternatives and not alternatives[0].strip():
            return False  # its best guess: no word was said
        return any(self.apart(alternative, phrase) <= limit
                   and self._added(alternative, phrase) <= self.sounds_added(interrupting, rank, noisy)
                   for rank, alternative in enumerate(alternatives[:looked_at]) for phrase in phrases)

    @staticmethod
    def sounds_added(interrupting: bool, rank: int, noisy: bool) -> float:
        """How many sounds beyond a phrase the open recognizer's alternative at `rank` (0 the first) may
        hold and confirm it. For an interrupting command, none below the first: the open recognizer
        heard a person's "...established..." first, then "stop us", "stop with", "stop it" or
        "stoppage", the command's sounds with something more; and in a noisy room NOISY_FIRST_ADDED
        in the first too."""
        if not interrupting:
            return math.inf
        if rank > 0:
            return 0
        return NOISY_FIRST_ADDED if noisy else math.inf

    def outscored(self, grammar_score: float, heard: "Alternatives", interrupting: bool,
                  noisy: bool = False, confidence: float = 1.0) -> bool:
        """Whether the grammar's hearing of a command scored OUTSCORED_BY above the open recognizer's
        best (`heard`): a step's command then stands whatever the open recognizer's words (outside a
        partner's turn: the listener asks only there). In a `noisy` room only by NOISY_OUTSCORED_BY,
        with the grammar's `confidence` at NOISY_OUTSCORED_CONFIDENCE or more and words heard
        openly. Never a command that interrupts."""
        if interrupting or not heard.scores:
            return False
        margin = grammar_score - heard.scores[0]
        if not noisy:
            return margin >= OUTSCORED_BY
        return (margin >= NOISY_OUTSCORED_BY and confidence >= NOISY_OUTSCORED_CONFIDENCE
                and bool(heard.texts) and bool(heard.texts[0].strip()))

    def _added(self, heard: str, phrase: str) -> int:
        """How many more sounds `heard` has than `phrase` (letters where espeak-ng cannot say)."""
        a, b = self._compared(heard, phrase)
        return len(a) - len(b)

    def _compared(self, heard: str, phrase: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The two as sounds, or as letters where espeak-ng cannot say how one of them sounds."""
        a, b = self._sounds(heard), self._sounds(phrase)
        if a is None or b is None:
            return _letters(heard), _letters(phrase)
        return a, b

    def _sounds(self, text: str) -> tuple[str, ...] | None:
        said = phrase_sounds(text, self.voice)
        return None if said is None else tuple(said)


def _letters(text: str) -> tuple[str, ...]:
    return tuple(ch for ch in text.lower() if ch.isalpha() or ch == "'")
