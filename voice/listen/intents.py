"""Intent phrase templates -> expanded phrases -> the nearest intent for what was heard.

Vosk's grammar mode does not force whole phrases (it may return any sequence of grammar words), so a
hypothesis is matched to the nearest phrase by word edit distance, and rejected above a cost threshold.
"""

import re
from dataclasses import dataclass

from ..errors import ScriptError

MAX_COST = 0.34  # at most one word in three may differ from the phrase
_TOKEN = re.compile(r"\(|\)|\[|\]|\||[^\s()\[\]|]+")


def expand(template: str) -> list[str]:
    """All phrases a template stands for: `(a | b)` picks one, `[x]` is optional."""
    tokens = _TOKEN.findall(template)
    position = 0

    def alternatives(closing: str | None) -> list[list[str]]:
        nonlocal position
        options, current = [], [[]]
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == "|":
                options += current
                current = [[]]
            elif token in ("(", "["):
                inner = alternatives(")" if token == "(" else "]")
                if token == "[":
                    inner = inner + [[]]
                current = [head + tail for head in current for tail in inner]
            elif token in (")", "]"):
                if token != closing:
                    raise ValueError(f"unexpected '{token}'")
                return options + current
            else:
                current = [head + [token] for head in current]
        if closing is not None:
            raise ValueError(f"missing '{closing}'")
        return options + current

    try:
        phrases = alternatives(None)
    except ValueError as error:
        raise ValueError(f"bad phrase template '{template}': {error}") from None
    return list(dict.fromkeys(" ".join(words) for words in phrases if words))


def normalize(text: str) -> list[str]:
    """Lower-case words without punctuation; 'check-in' is 'check in'."""
    text = text.lower().replace("-", " ").replace("’", "'")
    return "".join(ch if ch.isalnum() or ch in "' " else " " for ch in text).split()


@dataclass(frozen=True)
class Match:
    intent: str | None  # None when rejected
    text: str  # the hypothesis that matched best
    phrase: str  # the phrase it matched
    cost: float  # word edits / phrase length, 0 is exact
    reason: str = ""  # why it was rejected

    @property
    def confidence(self) -> float:
        return round(max(0.0, 1.0 - self.cost), 3)


class IntentMatcher:
    """Maps recognized or typed text to the nearest intent phrase, or rejects it."""

    def __init__(self, templates: dict[str, list[str]], max_cost: float = MAX_COST) -> None:
        self.max_cost = max_cost
        self.templates = templates
        self.phrases: list[tuple[tuple[str, ...], str]] = []
        for intent, intent_templates in templates.items():
            for template in intent_templates:
                for phrase in expand(template):
                    self.phrases.append((tuple(normalize(phrase)), intent))

    @property
    def grammar(self) -> list[str]:
        """The phrase list for Vosk's grammar mode."""
        return list(dict.fromkeys(" ".join(words) for words, _ in self.phrases))

    @property
    def words(self) -> set[str]:
        return {word for words, _ in self.phrases for word in words}

    def match(self, hypotheses: list[str]) -> Match:
        """The first hypothesis, in n-best order, that is near one intent's phrase and no other's."""
        matches = [self._match_one(text) for text in hypotheses if normalize(text)]
        for match in matches:
            if match.intent is not None:
                return match
        return matches[0] if matches else Match(None, "", "", 1.0, "nothing heard")

    def _match_one(self, text: str) -> Match:
        heard = tuple(normalize(text))
        best: dict[str, Match] = {}
        for words, intent in self.phrases:
            cost = _edit_distance(heard, words) / max(len(words), len(heard))
            if intent not in best or cost < best[intent].cost:
                best[intent] = Match(intent, text, " ".join(words), cost)
        first, *others = sorted(best.values(), key=lambda m: m.cost)
        if first.cost > self.max_cost:
            return Match(None, text, first.phrase, first.cost, f"too far from any phrase (cost {first.cost:.2f})")
        if others and others[0].cost == first.cost:
            return Match(None, text, first.phrase, first.cost, f"ambiguous: {first.intent} or {others[0].intent}")
        return first


def _edit_distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Word-level Levenshtein distance."""
    previous = list(range(len(b) + 1))
    for i, word_a in enumerate(a, 1):
        current = [i]
        for j, word_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word_a != word_b)))
        previous = current
    return previous[-1]


def check_templates(templates: object, where: str) -> dict[str, list[str]]:
    """Validate the `intents:` mapping of a locale file."""
    if not isinstance(templates, dict) or not templates:
        raise ScriptError(f"{where}: 'intents' must map intent names to lists of phrase templates")
    for name, phrases in templates.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise ScriptError(f"{where}: intent '{name}' must be a list of phrase templates (strings)")
        for phrase in phrases:
            try:
                expand(phrase)
            except ValueError as error:
                raise ScriptError(f"{where}: intent '{name}': {error}; balance the brackets") from None
    return templates
