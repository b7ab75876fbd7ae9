"""Includes inlined and choices laid out as jumps: a script's source becomes a flat program, with
every name it refers to checked (scripts, sections, decks, intents, option phrases)."""

from ..listen.intents import expand, normalize
from .length import stated_off, typical_minutes
from .problems import Problems, suggest
from .program import Deck, Script
from .script import ScriptSource
from .start_phrases import check_start_phrases, start_intent
from .step_parser import ChooseSource, Include, RawStep
from .steps import Choose, Jump, Option, Prompts, Step

MAX_STEPS = 5000  # a script's steps once includes and choices are laid out (the longest bundled one has about 100)


class _TooLong(Exception):
    """Raised from deep inside the expansion, so includes that fan out are refused after MAX_STEPS steps."""


class Resolver:
    """Inlines includes and lays choices out as jumps, checking every name a script refers to."""

    def __init__(self, sources: dict[str, ScriptSource], locale: str, commands: dict[str, list[str]],
                 decks: dict[str, Deck], problems: Problems) -> None:
        self.sources = sources
        self.locale = locale
        self.commands = commands
        self.decks = decks
        self.problems = problems
        self.command_phrases = {
            " ".join(normalize(p)): intent
            for intent, templates in commands.items() for t in templates for p in expand(t)
        }
        self.safety_phrases = [f" {phrase} " for phrase, intent in self.command_phrases.items() if intent == "safety"]

    def script(self, source: ScriptSource) -> Script | None:
        if source.locale != self.locale:
            self.problems.error(source.at.get("locale", source.at[""]),
                                f"locale '{source.locale}' does not match the folder '{self.locale}'; "
                                f"move the file or fix 'locale'")
        for intent in source.start_intents:
            if intent not in self.commands:
                self.problems.error(source.at.get("start_intents", source.at[""]),
                                    f"unknown intent '{intent}'{suggest(intent, self.commands)}; "
                                    "or give the script start_phrases of its own")
        others = {other.id: other.start_phrases for other in self.sources.values() if other.id != source.id}
        check_start_phrases(source, self.command_phrases, others, self.problems)
        out: list[Step | None] = []
        try:
            self._emit(source, source.steps, out, ((source.id, ""),))
        except _TooLong as too_long:
            self.problems.error(str(too_long), f"with its includes the script has more than {MAX_STEPS:,} steps; "
                                               "include fewer sections, or each one fewer times")
            return None
        if self.problems.errors or not out:
            return None
        self._check_minutes(source, tuple(out))
        starts = source.start_intents + ((start_intent(source.id),) if source.start_phrases else ())
        return Script(source.id, source.title, source.locale, source.summary, source.minutes,
                      starts, tuple(out), source.path, source.start_phrases,  # type: ignore[arg-type]
                      source.at.get("start_phrases", ""))

    def _check_minutes(self, source: ScriptSource, steps: tuple) -> None:
        """The stated length against a typical run's (exercises/length.py)."""
        shortest, longest = typical_minutes(steps)
        if stated_off(source.minutes, shortest, longest):
            runs = f"{shortest:.0f}" if round(shortest) == round(longest) else f"{shortest:.0f} to {longest:.0f}"
            self.problems.warn(source.at.get("minutes", source.at[""]),
                               f"'minutes: {source.minutes:g}' but a typical run takes about {runs} minutes; "
                               "state that instead")

    def _emit(self, source: ScriptSource, steps: list[RawStep], out: list, stack: tuple) -> None:
        for step in steps:
            if len(out) > MAX_STEPS:
                raise _TooLong(step.at if isinstance(step, Include) else source.at[""])
            if isinstance(step, Include):
                found = self._find(source, step)
                if found is None:
                    continue
                target, section, body = found
                key = (target.id, section)
                if key in stack:
                    chain = " -> ".join(f"{s}#{n}" if n else s for s, n in (*stack, key))
                    self.problems.error(step.at, f"include cycle {chain}; remove one of these includes")
                    continue
                self._emit(target, body, out, (*stack, key))
            elif isinstance(step, ChooseSource):
                self._choose(source, step, out, stack)
            else:
                if isinstance(step, Prompts):
                    self._check_deck(step, source)
                out.append(step)

    def _choose(self, source: ScriptSource, step: ChooseSource, out: list, stack: tuple) -> None:
        at = len(out)
        out.append(None)
        targets: dict[str, int] = {}  # each option's first step
        jumps: list[int] = []  # where each option's steps end: a jump past the others
        for name, phrases, body in step.options:
            for phrase in phrases:
                self._check_phrase(phrase, name, step.at)
            targets[name] = len(out)
            self._emit(source, body, out, stack)
            jumps.append(len(out))
            out.append(None)
        for index in jumps:
            out[index] = Jump(len(out))
        options = tuple(Option(name, f"option:{name}", phrases, targets[name]) for name, phrases, _ in step.options)
        out[at] = Choose(step.ask, options, targets.get(step.otherwise, at + 1), step.silence, step.at)

    def _check_phrase(self, template: str, option: str, at: str) -> None:
        try:
            phrases = expand(template)
        except ValueError as error:
            self.problems.error(at, f"option '{option}': {error}; balance the brackets")
            return
        for phrase in phrases:
            words = " ".join(normalize(phrase))
            if any(f" {words} " in safety or safety in f" {words} " for safety in self.safety_phrases):
                self.problems.error(at, f"option '{option}': '{phrase}' sounds like a request for safety help, "
                                        "which always gives the safety response; choose other words")
                continue
            clash = self.command_phrases.get(words)
            if clash:
                self.problems.error(at, f"option '{option}': '{phrase}' is also the command '{clash}'; "
                                        "choose other words")

    def _find(self, source: ScriptSource, include: Include) -> tuple[ScriptSource, str, list] | None:
        script_id, _, section = include.ref.partition("#")
        if not section and script_id in source.sections:
            return source, script_id, source.sections[script_id]
        target = self.sources.get(script_id) if script_id else source
        if target is None:
            choices = [*self.sources, *source.sections]
            self.problems.error(include.at, f"include '{include.ref}': no script or section has that name"
                                            f"{suggest(script_id, choices)}")
            return None
        if not section:
            return target, "", target.steps
        if section not in target.sections:
            self.problems.error(include.at, f"include '{include.ref}': '{target.id}' has no section '{section}'"
                                            f"{suggest(section, target.sections)}")
            return None
        return target, section, target.sections[section]

    def _check_deck(self, step: Prompts, source: ScriptSource) -> None:
        deck = self.decks.get(step.deck)
        at = step.at or source.at[""]
        if deck is None:
            self.problems.error(at, f"unknown prompt deck '{step.deck}'{suggest(step.deck, self.decks)}")
        elif step.count > len(deck.prompts):
            self.problems.error(at, f"deck '{step.deck}' has only {len(deck.prompts)} prompts, not {step.count}")
