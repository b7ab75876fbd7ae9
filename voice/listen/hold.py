"""Safety and forgetting wait for the quiet after them: a request is acted on only once the sentence
has ended, and speech coming back first makes it a sentence's beginning, not a request.

Before requests were held, "I need help" + 200 ms + "with the dishes" gave the crisis message for
every tuning voice (issue 17's note). How long the hold is, is how long people pause inside a
sentence (`voice bench pauses`): every real request waits that long for its answer.

Over the speaker's own voice, what the echo canceller leaves of that voice can start an utterance
too, and it dropped real requests as "speech went on". There only speech near the request's own
level is its sentence going on (RESIDUE_BELOW_DB).
"""

import math
from dataclasses import replace

from ..audio.frames import frames_for
from .intents import EXACT_INTENTS, Match

# Quiet beyond the end of speech before a held request is acted on. The tuning speakers' recordings
# of one sentence (../shared/speech/en-talk) hold 634 pauses in the five room tones: 0.3 s joined
# 76.5 % of them, and "I need help" + 500 ms + "with the dishes" gave the crisis message for 29 of
# 30 tuning requests; 0.6 s, the shortest tenth of a second to join 95 % (96.2 %), costs every
# request 0.3 s more before its answer (issue 17's note).
HOLD_FRAMES = frames_for(0.6)
CONTINUED = "speech went on"  # the reason a held request was rejected
# Said over the speaker's voice through the echo canceller (the barge-in benchmark's four rooms, at
# 0 and -6 dB against the echo, the tuning voices), speech came back while a request was held 188
# times: 187 were the talker going on after 250 ms ("I need help ... with the dishes"), its first
# frame at most 10 dB below the request's loudest; 1 was the canceller's residue, 23 dB below, and
# dropped espeak-ng's "I need help" (issue 17's note). Quieter than this, it is not the talker.
RESIDUE_BELOW_DB = 18.0


class Hold:
    """At most one held request: `keep` it at the end of its utterance, then each frame `release`
    gives it back once the quiet has lasted, or rejected if speech came back first."""

    def __init__(self) -> None:
        self._held: Match | None = None
        self._quiet = 0  # frames of quiet since it was held
        self._going_on_db = -math.inf  # speech at least this loud is the sentence going on

    def keep(self, match: Match, loudest_db: float = 0.0,
             over_own_voice: bool = False) -> Match | None:
        """`match` at once, unless it is safety or forgetting: those are kept back (None given).
        `loudest_db`: its utterance's loudest frame, which speech going on from it is measured
        against where it was heard `over_own_voice` (the speaker's)."""
        if match.intent not in EXACT_INTENTS:
            return match
        self._held = match
        self._quiet = 0
        self._going_on_db = loudest_db - RESIDUE_BELOW_DB if over_own_voice else -math.inf
        return None

    def release(self, speaking: bool, level_db: float = 0.0) -> Match | None:
        """The request held, once HOLD_FRAMES of quiet have passed; rejected (CONTINUED) if this
        frame is `speaking` (at `level_db`, over the speaker's voice): it began a sentence."""
        if self._held is None:
            return None
        held = self._held
        if speaking and level_db >= self._going_on_db:
            self._held = None
            return replace(held, intent=None, reason=f"{CONTINUED} ({held.intent})")
        self._quiet += 1
        if self._quiet < HOLD_FRAMES:
            return None
        self._held = None
        return held

    def take(self) -> Match | None:
        """The request held now, if any, handed back and no longer held (listening stopped)."""
        held, self._held = self._held, None
        return held
