"""Safety and forgetting wait for the quiet after them: a request is acted on only once the sentence
has ended, and speech coming back first makes it a sentence's beginning, not a request.

Before requests were held, "I need help" + 200 ms + "with the dishes" gave the crisis message for
every tuning voice (issue 17's note). Now a pause of up to about half a second inside a sentence (the
endpointer's end of speech, then HOLD_FRAMES) joins it.
"""

from dataclasses import replace

from ..audio.frames import frames_for
from .intents import EXACT_INTENTS, Match

HOLD_FRAMES = frames_for(0.3)  # quiet beyond the end of speech before a held request is acted on
CONTINUED = "speech went on"  # the reason a held request was rejected


class Hold:
    """At most one held request: `keep` it at the end of its utterance, then each frame `release`
    gives it back once the quiet has lasted, or rejected if speech came back first."""

    def __init__(self) -> None:
        self._held: Match | None = None
        self._quiet = 0  # frames of quiet since it was held

    def keep(self, match: Match) -> Match | None:
        """`match` at once, unless it is safety or forgetting: those are kept back (None given)."""
        if match.intent not in EXACT_INTENTS:
            return match
        self._held = match
        self._quiet = 0
        return None

    def release(self, speaking: bool) -> Match | None:
        """The request held, once HOLD_FRAMES of quiet have passed; rejected (CONTINUED) if this
        frame is `speaking`: it began a sentence."""
        if self._held is None:
            return None
        held = self._held
        if speaking:
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
