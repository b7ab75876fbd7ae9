"""One YAML script file parsed: its id, title, locale, start phrases, sections and steps (the steps
by `step_parser.py`); `include` and `choose` are resolved by the library.

Every problem is collected with its file:line:column and the fix, so `voice validate` can list them
all; warnings (a very long sentence, more 4-7-8 cycles than a first-timer should do) do not fail.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScriptError
from ..listen.intents import expand
from ..yamlfile import load_yaml, where
from .problems import Problems, suggest
from .step_parser import LIMITS, NUMBER, RawStep, describe, out_of_range, parse_steps

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class ScriptSource:
    """A script as written: metadata and steps, includes and choices not yet resolved."""

    id: str
    title: str
    locale: str
    summary: str
    minutes: float
    start_intents: tuple[str, ...]
    steps: list[RawStep]
    sections: dict[str, list[RawStep]]
    path: Path
    at: dict[str, str]  # where each top-level key is, for errors found later
    start_phrases: tuple[str, ...] = ()  # the script's own phrases (templates) that start it


_SCRIPT_KEYS = {"id": (str,), "title": (str,), "locale": (str,), "summary": (str,), "minutes": NUMBER,
                "start_intents": (list,), "start_phrases": (list,), "sections": (dict,), "steps": (list,)}
_REQUIRED_KEYS = ("id", "title", "locale", "steps")


def parse_script(path: Path, problems: Problems) -> ScriptSource | None:
    """The script in `path`, or None when it is too broken to read further (problems say why)."""
    try:
        data = load_yaml(path)
    except ScriptError as error:  # bad YAML: the message already names file:line:column
        problems.errors.append(str(error))
        return None
    if not isinstance(data, dict):
        problems.error(f"{path}:1:1", "a script must be a mapping with id, title, locale and steps")
        return None
    for key, value in data.items():
        if key not in _SCRIPT_KEYS:
            problems.error(where(data, str(key)), f"unknown key '{key}'{suggest(str(key), _SCRIPT_KEYS)}")
        elif isinstance(value, bool) or not isinstance(value, _SCRIPT_KEYS[key]):
            problems.error(where(data, key), f"'{key}' must be {describe(_SCRIPT_KEYS[key])}, not {value!r}")
        elif isinstance(value, NUMBER) and not 0 <= value <= LIMITS[key]:
            problems.error(where(data, key), out_of_range(key, value))
    missing = [key for key in _REQUIRED_KEYS if key not in data]
    if missing:
        problems.error(where(data), f"the script has no {', '.join(repr(k) for k in missing)}; add it")
    if any(not isinstance(data.get(k), _SCRIPT_KEYS[k]) for k in _REQUIRED_KEYS):
        return None
    if not _ID.match(data["id"]):
        problems.error(where(data, "id"), f"id '{data['id']}' must be lower-case letters, digits and dashes")
    intents = data.get("start_intents", [])
    if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
        problems.error(where(data, "start_intents"), "'start_intents' must be a list of intent names")
        intents = []
    phrases = _start_phrases(data, problems)
    sections = data.get("sections") if isinstance(data.get("sections"), dict) else {}
    parsed_sections = {}
    for name, steps in sections.items():
        parsed_sections[str(name)] = parse_steps(steps, where(sections, name), problems, f"section '{name}'")
    minutes = data.get("minutes", 0)
    return ScriptSource(
        id=data["id"], title=data["title"], locale=data["locale"], summary=str(data.get("summary", "")),
        minutes=float(minutes) if isinstance(minutes, NUMBER) else 0.0, start_intents=tuple(intents),
        steps=parse_steps(data["steps"], where(data, "steps"), problems, "'steps'"),
        sections=parsed_sections, path=path,
        at={str(key): where(data, str(key)) for key in data} | {"": where(data)}, start_phrases=phrases,
    )


def _start_phrases(data: dict, problems: Problems) -> tuple[str, ...]:
    """`start_phrases`: what the couple says to start this script, as phrase templates ("(a | b)" one
    of, "[word]" optional), in the script's own locale."""
    phrases = data.get("start_phrases", [])
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
        problems.error(where(data, "start_phrases"), "'start_phrases' must be a list of phrases, "
                                                     "such as [\"start our gratitude\"]")
        return ()
    kept = []
    for phrase in phrases:
        try:
            expand(phrase)
        except ValueError as error:
            problems.error(where(data, "start_phrases"), f"start phrase '{phrase}': {error}; balance the brackets")
        else:
            kept.append(phrase)
    return tuple(kept)
