"""A script and a prompt deck as the speaker runs them: resolved, checked, immutable."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .steps import Breathe, Choose, Jump, Say, Step, Timer, Turn


@dataclass(frozen=True)
class Script:
    id: str
    title: str
    locale: str
    summary: str
    minutes: float
    start_intents: tuple[str, ...]
    steps: tuple[Step, ...]  # a flat program: choices jump, includes are inlined
    path: Path
    start_phrases: tuple[str, ...] = ()  # its own phrases, heard as the intent `start:ID`
    start_phrases_at: str = ""  # file:line of `start_phrases`, for problems found later (`voice validate`)

    def texts(self) -> list[str]:
        """Every fixed line the script can say, placeholders left in."""
        out: list[str] = []
        for step in self.steps:
            if isinstance(step, Say):
                out.append(step.text)
            elif isinstance(step, Breathe):
                out.extend(step.words.values())
            elif isinstance(step, Turn):
                out.append(step.prompt)
            elif isinstance(step, Choose):
                out.append(step.ask)
            elif isinstance(step, Timer):
                out += [step.start, step.back]
        return out

    @property
    def options(self) -> dict[str, list[str]]:
        """Intent templates for the spoken choices of this script."""
        out: dict[str, list[str]] = {}
        for step in self.steps:
            if isinstance(step, Choose):
                for option in step.options:
                    out.setdefault(option.intent, [])
                    out[option.intent] += [p for p in option.phrases if p not in out[option.intent]]
        return out

    @property
    def step_count(self) -> int:
        return sum(not isinstance(step, Jump) for step in self.steps)


@dataclass(frozen=True)
class Deck:
    name: str
    title: str
    prompts: tuple[str, ...]
    path: Path

    @staticmethod
    def key(prompt: str) -> str:
        """A short stable id for a prompt, for the session log."""
        return hashlib.sha256(prompt.encode()).hexdigest()[:12]
