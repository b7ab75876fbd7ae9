"""Exercise scripts: YAML files validated into typed steps before anything is spoken."""

import difflib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ScriptError
from ..yamlfile import load_yaml, where

log = logging.getLogger(__name__)
PLACEHOLDERS = {"partner_a", "partner_b"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Say:
    text: str
    pause: float = 0.0  # seconds of quiet after the line


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Breathe:
    inhale: float
    exhale: float
    cycles: int
    hold_in: float = 0.0
    hold_out: float = 0.0
    cues: dict[str, str] = field(default_factory=dict)  # phase (inhale, hold_in, ...) -> spoken cue

    def phases(self) -> list[tuple[str, float]]:
        return [
            (name, seconds)
            for name, seconds in (
                ("inhale", self.inhale), ("hold_in", self.hold_in),
                ("exhale", self.exhale), ("hold_out", self.hold_out),
            )
            if seconds > 0
        ]


@dataclass(frozen=True)
class Wait:
    """Wait for "next", or until nobody has spoken for `silence` seconds, or at most `max` seconds."""

    silence: float = 10.0
    max: float = 300.0


Step = Say | Pause | Breathe | Wait


@dataclass(frozen=True)
class Script:
    id: str
    title: str
    locale: str
    start_intents: tuple[str, ...]
    steps: tuple[Step, ...]
    path: Path

    def lines(self) -> list[str]:
        """Every fixed line the script can say, placeholders left in."""
        out: list[str] = []
        for step in self.steps:
            if isinstance(step, Say):
                out.append(step.text)
            elif isinstance(step, Breathe):
                out.extend(step.cues.values())
        return out


# Each step type: its fields, their types, and which are required. A scalar form (`say: text`,
# `pause: 3`) fills the first field.
_STEP_FIELDS: dict[str, tuple[type, dict[str, tuple[tuple[type, ...], bool]]]] = {
    "say": (Say, {"text": ((str,), True), "pause": ((int, float), False)}),
    "pause": (Pause, {"seconds": ((int, float), True)}),
    "breathe": (Breathe, {
        "inhale": ((int, float), True), "exhale": ((int, float), True), "cycles": ((int,), True),
        "hold_in": ((int, float), False), "hold_out": ((int, float), False), "cues": ((dict,), False),
    }),
    "wait": (Wait, {"silence": ((int, float), False), "max": ((int, float), False)}),
}
_SCRIPT_KEYS = {"id", "title", "locale", "summary", "minutes", "start_intents", "steps"}


def load_script(path: Path) -> Script:
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ScriptError(f"{path}:1:1: a script must be a mapping with id, title, locale and steps")
    _check_keys(data, _SCRIPT_KEYS, "script")
    for key in ("id", "title", "locale", "steps"):
        if key not in data:
            raise ScriptError(f"{where(data)}: the script has no '{key}'; add it")
    steps = data["steps"]
    if not isinstance(steps, list) or not steps:
        raise ScriptError(f"{where(data, 'steps')}: 'steps' must be a non-empty list of steps")
    intents = data.get("start_intents", [])
    if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
        raise ScriptError(f"{where(data, 'start_intents')}: 'start_intents' must be a list of intent names")
    return Script(
        id=str(data["id"]), title=str(data["title"]), locale=str(data["locale"]),
        start_intents=tuple(intents), steps=tuple(_step(item, data) for item in steps), path=path,
    )


def _step(item: Any, script: dict) -> Step:
    if not isinstance(item, dict) or not item:
        raise ScriptError(
            f"{where(script, 'steps')}: each step must be a mapping such as 'say: Hello' or 'pause: 3'"
        )
    kind = next(iter(item))
    if kind not in _STEP_FIELDS:
        raise ScriptError(f"{where(item, kind)}: unknown step type '{kind}'{_suggest(kind, _STEP_FIELDS)}")
    cls, fields = _STEP_FIELDS[kind]
    value = item[kind]
    first = next(iter(fields))
    # `say: text` with siblings such as `pause: 1`, or `breathe: {inhale: 5, ...}`
    values = dict(value) if isinstance(value, dict) else {first: value}
    values.update({k: v for k, v in item.items() if k != kind})
    if isinstance(value, dict) and hasattr(value, "key_where"):
        item.key_where.update(value.key_where)
    _check_keys(values, set(fields), f"'{kind}' step", at=item)
    for name, (types, required) in fields.items():
        if name not in values:
            if required:
                raise ScriptError(f"{where(item, kind)}: the '{kind}' step needs '{name}'; add it")
            continue
        if isinstance(values[name], bool) or not isinstance(values[name], types):
            expected = " or ".join(t.__name__ for t in types).replace("dict", "mapping")
            raise ScriptError(f"{where(item, name)}: '{name}' must be a {expected}, not {values[name]!r}")
        if isinstance(values[name], (int, float)) and values[name] < 0:
            raise ScriptError(f"{where(item, name)}: '{name}' cannot be negative")
    for text in _texts(values):
        unknown = set(_PLACEHOLDER.findall(text)) - PLACEHOLDERS
        if unknown:
            raise ScriptError(
                f"{where(item, kind)}: unknown placeholder {{{unknown.pop()}}}; use {{partner_a}} or {{partner_b}}"
            )
    if "cues" in values:
        values["cues"] = {str(k): str(v) for k, v in values["cues"].items()}
        _check_keys(values["cues"], {"inhale", "hold_in", "exhale", "hold_out"}, "breathing cue", at=item)
    return cls(**values)


def _texts(values: dict) -> list[str]:
    texts = [v for v in values.values() if isinstance(v, str)]
    texts += [str(v) for v in values.get("cues", {}).values()] if isinstance(values.get("cues"), dict) else []
    return texts


def _check_keys(values: dict, allowed: set[str], what: str, at: Any = None) -> None:
    for key in values:
        if key not in allowed:
            raise ScriptError(
                f"{where(at if at is not None else values, str(key))}: unknown key '{key}' in {what}"
                f"{_suggest(str(key), allowed)}"
            )


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else f"; use one of: {', '.join(sorted(choices))}"


def load_scripts(folders: list[Path], locale: str) -> list[Script]:
    """Every valid script for a locale; a broken one is skipped with one logged error."""
    scripts: dict[str, Script] = {}
    for folder in folders:
        for path in sorted((folder / locale).glob("*.yaml")):
            try:
                script = load_script(path)
            except ScriptError as error:
                log.error("skipping a broken script: %s", error)
                continue
            scripts[script.id] = script  # later folders override earlier ones by id
    return list(scripts.values())


def bundled_scripts_dir() -> Path:
    """`voice/scripts` inside an installed wheel, or the repository's `scripts/` folder."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "scripts"
    return installed if installed.is_dir() else package.parent / "scripts"
