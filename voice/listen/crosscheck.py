"""A short command heard in a small grammar, checked against what the open-vocabulary model heard.

In a grammar of a few commands, Vosk must put every short word somewhere: people's recorded "happy",
"up" and "house" were "help" at confidence 1.0, "no" was "next" and "right" was "repeat" (issue 17's
note). The same frames decoded with the model's whole vocabulary and language model say "happy". So a
command that can be one word stands only if one of the open alternatives is spelled near one of its
phrases. Spelling is a rough stand-in for sound, and measured as good as espeak-ng's phonemes here
(on the tuning half): "hell" is near "help", "happy" is not.
"""

from .intents import edit_distance


def spelled_apart(heard: str, word: str) -> float:
    """Letter edits between the two, over the longer one's length: 0 is the same word, 1 nothing shared."""
    a, b = _letters(heard), _letters(word)
    return edit_distance(a, b) / max(len(a), len(b), 1)


def confirmed(phrases: list[str], alternatives: list[str], limit: float) -> bool:
    """Whether one of the open recognizer's alternatives is spelled within `limit` of one of the
    command's phrases (spaces aside: "helpme" is near "help me")."""
    return any(spelled_apart(alternative, phrase) <= limit for alternative in alternatives for phrase in phrases)


def _letters(text: str) -> tuple[str, ...]:
    return tuple(ch for ch in text.lower() if ch.isalpha() or ch == "'")
