"""How long a command can take to say: speech longer than that is not the command.

Vosk's grammar mode can fit a whole sentence onto one short phrase; a command is short. A phrase's
length is counted two ways, and the longer stands: its syllables (Hangul syllables, or vowel groups)
and its sounds (espeak-ng's phonemes). Syllables alone short a phrase of clustered consonants: "start
stress talk" is three vowel groups and thirteen sounds. On the English tuning voices, sounds predict
how long a phrase takes better than syllables do (a line fitted through each phrase's longest saying
misses by 0.10 s, against 0.19 s; Korean 0.11 against 0.15), and "start short check in" took 93 % of
its syllables' limit, "start stress talk" 92 %. Said a fifth slower, as a tired partner may, 9 of
their 355 commands in a quiet room were turned away as too long by syllables alone; none are by
the longer of the two counts (`voice bench accuracy`'s slower talker; issue 17's note). A sound takes them 0.07 s at their
own pace.
"""

import re

from .phonemes import phrase_sounds
from .recognizer import Word

SECONDS_PER_SYLLABLE, SLACK_S = 0.3, 0.5  # the slowest a phrase is said: 1.4 s for a 3-syllable word
SECONDS_PER_SOUND = 0.1  # ... and 0.1 s a sound, where that is longer: 1.8 s for "start stress talk"
_SYLLABLE = re.compile(r"[\uac00-\ud7a3]|[aeiouy]+")
_NOT_A_SOUND = str.maketrans("", "", "ː")  # a long vowel is one sound


def longest_saying(phrase: str, voice: str | None = None) -> float:
    """Seconds beyond which speech is too long to be `phrase`; with no espeak-ng `voice` ("gmw/en-us")
    or where espeak-ng cannot say, by syllables alone."""
    syllables = max(1, len(_SYLLABLE.findall(phrase.lower())))
    by_syllables = SLACK_S + SECONDS_PER_SYLLABLE * syllables
    said = phrase_sounds(phrase, voice) if voice else None
    if said is None:
        return by_syllables
    return max(by_syllables, SLACK_S + SECONDS_PER_SOUND * len(said.translate(_NOT_A_SOUND)))


def words_within(spoken_s: float, words: list[Word]) -> tuple[float, float]:
    """How long the matched `words` took of an utterance `spoken_s` long (never longer than it: a
    breath, a clip's hiss or a room's tail is no word), and their share of it (the rest: other
    words, or a breath). Without word times, the whole utterance."""
    words_s = words[-1].end - words[0].start if words else spoken_s
    share = words_s / spoken_s if spoken_s > 0 else 1.0
    return min(spoken_s, words_s), share
