"""The steps of a script as written (`- say: Hello`, `- breathe: box`) parsed into checked steps:
the fields each step type takes, their limits, and what is checked in breathing, turns, choices and
every line the speaker says. `include` and `choose` are left for the resolver."""

import re
from dataclasses import dataclass
from typing import Any

from ..particles import FORMS
from ..yamlfile import Mapping, where
from .problems import Problems, suggest
from .steps import (
    FIRST_TIME_CYCLES_478, MAX_BREATHING_MINUTES, MAX_CYCLES_478, MAX_HOLD_S, MIN_EXHALE_S, MIN_INHALE_S,
    PATTERNS, PHASES, Breathe, Pause, Prompts, Say, Step, Swap, Timer, Turn, Wait,
)

NAMES = {"partner_a", "partner_b", "first", "second"}  # usable in every line
TURN_NAMES = NAMES | {"speaker", "listener"}  # usable in turn prompts and prompt answers
MAX_SENTENCE_WORDS = 30  # longer than this is hard to say, and to follow, in one breath
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SENTENCE = re.compile(r"(?<=[.?!。])\s+")
WHO = ("each", "first", "second", "partner_a", "partner_b")
NUMBER = (int, float)


@dataclass(frozen=True)
class Include:
    ref: str  # "script-id", "section", or "script-id#section"
    at: str


@dataclass(frozen=True)
class ChooseSource:
    ask: str
    options: tuple[tuple[str, tuple[str, ...], list], ...]  # (name, phrase templates, raw steps)
    otherwise: str
    silence: float
    at: str


RawStep = Step | Include | ChooseSource


# Each step type: its fields as name -> (types, default); REQUIRED has no default. The scalar form
# (`say: text`, `pause: 3`, `breathe: box`, `include: closing`) fills the first field.
REQUIRED = object()
_FIELDS: dict[str, dict[str, tuple[tuple[type, ...], Any]]] = {
    "say": {"text": ((str,), REQUIRED), "pause": (NUMBER, 0.0)},
    "pause": {"seconds": (NUMBER, REQUIRED)},
    "breathe": {
        "pattern": ((str,), None), **{phase: (NUMBER, None) for phase in PHASES},
        "cycles": ((int,), None), "minutes": (NUMBER, None), "cues": ((str,), "both"),
        "voice_cycles": ((int,), 3), "words": ((dict,), None),
    },
    "wait": {"silence": (NUMBER, 10.0), "max": (NUMBER, 300.0)},
    "turn": {"who": ((str,), "each"), "prompt": ((str,), REQUIRED), "soft_limit": (NUMBER, 120.0),
             "hard_limit": (NUMBER, 240.0), "silence": (NUMBER, 15.0)},
    "prompts": {"deck": ((str,), REQUIRED), "count": ((int,), 1), "avoid_recent": ((int,), 10),
                "answer": ((str,), "each"), "soft_limit": (NUMBER, 90.0), "hard_limit": (NUMBER, 180.0),
                "silence": (NUMBER, 15.0)},
    "choose": {"ask": ((str,), REQUIRED), "options": ((dict,), REQUIRED), "otherwise": ((str,), None),
               "silence": (NUMBER, 20.0)},
    "include": {"ref": ((str,), REQUIRED)},
    "swap": {"order": ((str,), REQUIRED)},
    "timer": {"minutes": (NUMBER, REQUIRED), "start": ((str,), REQUIRED), "back": ((str,), REQUIRED),
              "more_minutes": (NUMBER, 10.0), "max_extensions": ((int,), 6), "silence": (NUMBER, 60.0)},
}
# The largest value each number may take (the smallest is 0): NaN, infinity and absurd sizes are
# refused where they are written, not found as a crash when the step runs.
UNITS = {"seconds": ("pause", "seconds", "silence", "soft_limit", "hard_limit", "max", *PHASES),
          "minutes": ("minutes", "more_minutes"), "": ("count", "avoid_recent", "cycles", "voice_cycles",
                                                           "max_extensions")}
LIMITS = {"pause": 600, "seconds": 3600, "silence": 3600, "soft_limit": 3600, "hard_limit": 3600, "max": 3600,
           **{phase: 60 for phase in PHASES}, "minutes": 24 * 60, "more_minutes": 120, "count": 50,
           "avoid_recent": 1000, "cycles": 1000, "voice_cycles": 1000, "max_extensions": 100}


def parse_steps(items: Any, at: str, problems: Problems, what: str) -> list[RawStep]:
    if not isinstance(items, list) or not items:
        problems.error(at, f"{what} must be a non-empty list of steps such as '- say: Hello'")
        return []
    steps: list[RawStep] = []
    for item in items:
        steps.extend(_step(item, at, problems))
    return steps


def _step(item: Any, at: str, problems: Problems) -> list[RawStep]:
    if not isinstance(item, Mapping) or not item:
        problems.error(at, f"each step must be a mapping such as '- say: Hello' or '- pause: 3', not {item!r}")
        return []
    kind = next((key for key in item if key in _FIELDS), None)
    if kind is None:
        first = str(next(iter(item)))
        problems.error(where(item, first), f"unknown step type '{first}'{suggest(first, _FIELDS)}")
        return []
    fields = _FIELDS[kind]
    value = item[kind]
    values = dict(value) if isinstance(value, dict) else {next(iter(fields)): value}
    values.update({k: v for k, v in item.items() if k != kind})
    spots = dict(item.key_where)
    if isinstance(value, Mapping):
        spots.update(value.key_where)
    here = spots.get(kind, item.where)

    def loc(key: str) -> str:
        return spots.get(key, here)

    count = len(problems.errors)
    for key in values:
        if key not in fields:
            problems.error(loc(str(key)), f"unknown key '{key}' in a '{kind}' step{suggest(str(key), fields)}")
    for name, (types, default) in fields.items():
        if name not in values:
            if default is REQUIRED:
                problems.error(here, f"the '{kind}' step needs '{name}'; add it")
            values[name] = default
            continue
        given = values[name]
        if isinstance(given, bool) or not isinstance(given, types):
            problems.error(loc(name), f"'{name}' must be {describe(types)}, not {given!r}")
            values[name] = default
        elif isinstance(given, NUMBER) and not 0 <= given <= LIMITS[name]:
            problems.error(loc(name), out_of_range(name, given))
    if len(problems.errors) > count:
        return []
    values = {name: values[name] for name in fields}
    return _build(kind, values, here, loc, problems)


def _build(kind: str, v: dict, here: str, loc, problems: Problems) -> list[RawStep]:
    if kind == "say":
        check_text(v["text"], loc("text") if "text" in v else here, problems, NAMES)
        return [Say(v["text"], float(v["pause"]))]
    if kind == "pause":
        return [Pause(float(v["seconds"]))]
    if kind == "swap":
        if v["order"] != "first and second":
            problems.error(loc("order"), f"write 'swap: first and second', not '{v['order']}'")
            return []
        return [Swap()]
    if kind == "wait":
        return [Wait(float(v["silence"]), float(v["max"]))]
    if kind == "breathe":
        breathe = _breathe(v, here, loc, problems)
        return [breathe] if breathe else []
    if kind == "turn":
        return _turns(v, here, loc, problems)
    if kind == "prompts":
        if v["answer"] not in ("each", "together"):
            problems.error(loc("answer"), f"'answer' must be each or together, not '{v['answer']}'")
        if v["count"] < 1:
            problems.error(loc("count"), "'count' must be at least 1")
        _check_limits(v, loc, problems)
        return [Prompts(v["deck"], v["count"], v["avoid_recent"], v["answer"], float(v["soft_limit"]),
                        float(v["hard_limit"]), float(v["silence"]), at=loc("deck"))]
    if kind == "choose":
        return _choose(v, here, loc, problems)
    if kind == "include":
        return [Include(v["ref"], here)]
    check_text(v["start"], loc("start"), problems, NAMES)
    check_text(v["back"], loc("back"), problems, NAMES)
    if not 1 <= v["minutes"] <= 24 * 60:
        problems.error(loc("minutes"), "a timer runs from 1 minute to 24 hours (1440 minutes)")
    return [Timer(float(v["minutes"]), v["start"], v["back"], float(v["more_minutes"]), v["max_extensions"],
                  float(v["silence"]))]


def _breathe(v: dict, here: str, loc, problems: Problems) -> Breathe | None:
    pattern = v["pattern"]
    seconds: dict[str, float] = {}
    if pattern is not None:
        if pattern not in PATTERNS:
            problems.error(loc("pattern"), f"unknown breathing pattern '{pattern}'{suggest(pattern, PATTERNS)}")
            return None
        seconds.update(PATTERNS[pattern])
    seconds.update({phase: float(v[phase]) for phase in PHASES if v[phase] is not None})
    if not seconds.get("inhale") or not seconds.get("exhale"):
        problems.error(here, f"name a pattern ({', '.join(PATTERNS)}) or give 'inhale' and 'exhale' seconds")
        return None
    is_478 = pattern == "4-7-8" or seconds.get("hold_in", 0) >= 7
    for phase, length in seconds.items():
        spot = loc(phase) if v[phase] is not None else loc("pattern")
        if phase.startswith("hold") and length > MAX_HOLD_S:
            problems.error(spot, f"a {length:g} s hold is breath retention; keep holds at {MAX_HOLD_S:g} s or less")
        if phase == "exhale" and length < MIN_EXHALE_S:
            problems.error(spot, f"an exhale under {MIN_EXHALE_S:g} s is rushed; make it {MIN_EXHALE_S:g} s or more")
        if phase in ("inhale", "top_up") and 0 < length < MIN_INHALE_S:
            problems.error(spot, f"a {phase} under {MIN_INHALE_S:g} s is a gasp; make it longer")
    phases = tuple((phase, seconds[phase]) for phase in PHASES if seconds.get(phase))
    cycle = sum(length for _, length in phases)
    if (v["cycles"] is None) == (v["minutes"] is None):
        problems.error(here, "give the breathing either 'cycles' or 'minutes' (one of them)")
        return None
    cycles = v["cycles"] if v["cycles"] is not None else max(1, round(v["minutes"] * 60 / cycle))
    if cycles < 1:
        problems.error(loc("cycles"), "'cycles' must be at least 1")
    if is_478 and cycles > MAX_CYCLES_478:
        problems.error(loc("cycles") if v["cycles"] is not None else loc("minutes"),
                       f"4-7-8 breathing is never more than {MAX_CYCLES_478} cycles; this is {cycles}")
    elif is_478 and cycles > FIRST_TIME_CYCLES_478:
        problems.warn(loc("cycles"), f"4-7-8 is at most {FIRST_TIME_CYCLES_478} cycles for a first-timer")
    if cycles * cycle > MAX_BREATHING_MINUTES * 60:
        problems.error(here, f"{cycles * cycle / 60:.0f} minutes of breathing is too long; "
                             f"keep it to {MAX_BREATHING_MINUTES:g} minutes or less")
    if v["cues"] not in ("voice", "tones", "both"):
        problems.error(loc("cues"), f"'cues' must be voice, tones or both, not '{v['cues']}'")
    words = v["words"] or {}
    for phase, text in words.items():
        if phase not in PHASES:
            problems.error(loc("words"), f"unknown breathing phase '{phase}'{suggest(str(phase), PHASES)}")
        elif not isinstance(text, str):
            problems.error(loc("words"), f"the cue for '{phase}' must be text")
        else:
            check_text(text, loc("words"), problems, NAMES)
    return Breathe(pattern or "custom", phases, cycles, v["cues"], v["voice_cycles"],
                   {str(k): str(t) for k, t in words.items()})


def _turns(v: dict, here: str, loc, problems: Problems) -> list[RawStep]:
    if v["who"] not in WHO:
        problems.error(loc("who"), f"'who' must be one of {', '.join(WHO)}, not '{v['who']}'")
        return []
    check_text(v["prompt"], loc("prompt"), problems, TURN_NAMES)
    _check_limits(v, loc, problems)
    limits = float(v["soft_limit"]), float(v["hard_limit"]), float(v["silence"])
    order = ("first", "second") if v["who"] == "each" else (v["who"],)
    return [Turn(who, v["prompt"], *limits) for who in order]


def _choose(v: dict, here: str, loc, problems: Problems) -> list[RawStep]:
    check_text(v["ask"], loc("ask"), problems, NAMES)
    options = []
    for name, body in v["options"].items():
        spot = where(v["options"], name)
        phrases: Any = [str(name)]
        steps: Any = body
        if isinstance(body, dict):
            unknown = set(body) - {"phrases", "steps"}
            if unknown:
                key = str(unknown.pop())
                problems.error(where(body, key), f"unknown key '{key}' in an option{suggest(key, ('phrases', 'steps'))}")
            phrases, steps = body.get("phrases", phrases), body.get("steps")
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) for p in phrases):
            problems.error(spot, f"option '{name}': 'phrases' must be a list of things to say")
            continue
        options.append((str(name), tuple(phrases), parse_steps(steps, spot, problems, f"option '{name}'")))
    if len(options) < 2:
        problems.error(loc("options"), "a choice needs at least two options")
    names = [name for name, _, _ in options]
    otherwise = v["otherwise"] or (names[0] if names else "")
    if names and otherwise not in names:
        problems.error(loc("otherwise"), f"'otherwise' must name an option{suggest(otherwise, names)}")
    return [ChooseSource(v["ask"], tuple(options), otherwise, float(v["silence"]), here)]


def _check_limits(v: dict, loc, problems: Problems) -> None:
    if v["soft_limit"] > v["hard_limit"]:
        problems.error(loc("soft_limit"), "'soft_limit' (a gentle reminder) must come before 'hard_limit'")
    if v["silence"] < 2:
        problems.error(loc("silence"), "'silence' under 2 s would end a turn at a breath; make it longer")


def check_text(text: str, at: str, problems: Problems, allowed: set[str]) -> None:
    if not text.strip():
        problems.error(at, "the line is empty; write what the speaker says")
        return
    for placeholder in _PLACEHOLDER.findall(text):
        name, _, form = placeholder.partition(":")
        if form and form not in FORMS:
            problems.error(at, f"unknown particle in {{{placeholder}}}; after a colon write one of "
                               + ", ".join(sorted(FORMS)))
        if name not in allowed:
            hint = " ({speaker} and {listener} work only in turns)" if name in TURN_NAMES else ""
            problems.error(at, f"unknown placeholder {{{name}}}{hint}; use "
                               + ", ".join("{" + n + "}" for n in sorted(allowed)))
    for sentence in _SENTENCE.split(text):
        if len(sentence.split()) > MAX_SENTENCE_WORDS:
            problems.warn(at, f"a sentence of {len(sentence.split())} words is long to say in one breath; "
                              "split it")


def out_of_range(name: str, value: float) -> str:
    unit = next(unit for unit, names in UNITS.items() if name in names)
    shown = value if isinstance(value, float) or abs(value) < 10**12 else f"a {len(str(abs(value)))}-digit number"
    return f"'{name}' must be from 0 to {LIMITS[name]:g}{' ' + unit if unit else ''}, not {shown}"


def describe(types: tuple[type, ...]) -> str:
    names = {int: "a whole number", float: "a number", str: "text", list: "a list", dict: "a mapping"}
    if types == NUMBER:
        return "a number"
    return " or ".join(names.get(t, t.__name__) for t in types)
