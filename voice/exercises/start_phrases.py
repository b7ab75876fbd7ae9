"""A script's own start phrases (`start_phrases:`), heard as the intent `start:ID`: checked against
the commands and the other scripts' phrases before anything is spoken."""

import difflib

from ..listen.intents import edit_distance, expand, normalize
from .problems import Problems
from .script import ScriptSource


def start_intent(script_id: str) -> str:
    """The intent a script's own start phrases are heard as."""
    return f"start:{script_id}"


def check_start_phrases(source: ScriptSource, commands: dict[str, str], others: dict[str, tuple[str, ...]],
                        problems: Problems) -> None:
    """A start phrase must not be a command's (`commands`: normalized phrase -> intent) or another
    script's (`others`: id -> templates); one close to either is likely heard as it (by ear:
    `voice bench phrases --candidates`; the model's words: `voice validate`)."""
    at = source.at.get("start_phrases", source.at[""])
    known = dict(commands)
    for other, templates in others.items():
        known.update({" ".join(normalize(phrase)): start_intent(other) for t in templates for phrase in expand(t)})
    for template in source.start_phrases:
        for phrase in expand(template):
            words = tuple(normalize(phrase))
            if " ".join(words) in known:
                problems.error(at, f"start phrase '{phrase}' is already the phrase of '{known[' '.join(words)]}'; "
                                   "choose other words")
                continue
            near = [f"'{text}' ({intent})" for text, intent in known.items() if close(words, tuple(text.split()))]
            if near:
                problems.warn(at, f"start phrase '{phrase}' may be heard as {', '.join(near[:3])}"
                                  f"{' and others' if len(near) > 3 else ''}; measure them with "
                                  "'voice bench phrases --candidates'")


def close(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One phrase inside the other, or phrases of three words or more a small word apart ("start our
    check in", "start a check in") or a like-sounding one: easily heard as each other. A word that
    carries the meaning ("start a dream conversation", "start a repair conversation") keeps them apart."""
    if min(len(a), len(b)) == 0:
        return False
    inside = any(b[i : i + len(a)] == a for i in range(len(b) - len(a) + 1)) or \
        any(a[i : i + len(b)] == b for i in range(len(a) - len(b) + 1))
    if inside:
        return True
    if min(len(a), len(b)) < 3 or edit_distance(a, b) != 1:
        return False
    differ = list(set(a) ^ set(b))
    return any(len(word) <= 3 for word in differ) or (
        len(differ) == 2 and difflib.SequenceMatcher(None, *differ).ratio() >= 0.6)
