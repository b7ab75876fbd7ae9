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
"""

from dataclasses import dataclass

from .intents import edit_distance
from .phonemes import sounds


@dataclass(frozen=True)
class CrossCheck:
    limit: float  # how far apart (0 to 1) the open recognizer's words and a phrase may be
    voice: str  # the espeak-ng voice whose rules say how the locale's words sound ("gmw/en-us")
    interrupting_limit: float  # nearer still for a command that ends or starts an exercise

    def apart(self, heard: str, phrase: str) -> float:
        """IPA character edits between the two, over the longer one's length: 0 the same sounds,
        1 nothing shared. Letters instead where espeak-ng cannot say how one of them sounds."""
        a, b = self._sounds(heard), self._sounds(phrase)
        if a is None or b is None:
            a, b = _letters(heard), _letters(phrase)
        return edit_distance(a, b) / max(len(a), len(b), 1)

    def confirms(self, phrases: list[str], alternatives: list[str], interrupting: bool = False) -> bool:
        """Whether one of the open recognizer's alternatives is within `limit` (`interrupting_limit`
        for a command that ends or starts an exercise) of one of the command's phrases (word breaks
        aside: "help me" is near "helped me")."""
        limit = self.interrupting_limit if interrupting else self.limit
        return any(self.apart(alternative, phrase) <= limit for alternative in alternatives for phrase in phrases)

    def _sounds(self, text: str) -> tuple[str, ...] | None:
        said = [sounds(word, self.voice) for word in text.lower().split()]
        return None if None in said else tuple("".join(said))


def _letters(text: str) -> tuple[str, ...]:
    return tuple(ch for ch in text.lower() if ch.isalpha() or ch == "'")
