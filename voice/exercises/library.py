"""The script library of one locale: bundled and user folders, prompt decks, includes and choices
resolved into flat programs, every reference checked, and reloaded when a file changes."""

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScriptError
from ..listen.intents import expand, normalize
from ..yamlfile import load_yaml, where
from .script import (
    NAMES,
    ChooseSource,
    Include,
    Problems,
    RawStep,
    ScriptSource,
    check_text,
    parse_script,
    suggest,
)
from .length import stated_off, typical_minutes
from .start_phrases import check_start_phrases, start_intent
from .steps import Breathe, Choose, Jump, Option, Prompts, Say, Step, Timer, Turn

log = logging.getLogger(__name__)
# The speaker's own safety information and introduction: no user script replaces them or starts on
# their phrases, and the `scripts:` setting cannot switch them off (the safety line points to one).
PROTECTED_INTENTS = frozenset({"safety_info", "introduction"})
MAX_STEPS = 5000  # a script's steps once includes and choices are laid out (the longest bundled one has about 100)


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


class Library:
    """Every valid script and deck for a locale; a broken script is skipped with one logged error."""

    def __init__(self, folders: list[Path], locale: str, commands: dict[str, list[str]],
                 files: Iterable[Path] = ()) -> None:
        self.folders, self.locale, self.commands = folders, locale, commands
        self.files = list(files)  # extra script files, validated on top of the folders (`voice validate`)
        self.scripts: dict[str, Script] = {}
        self.enabled: frozenset[str] | None = None  # ids that can be started by voice; None: every script
        self.decks: dict[str, Deck] = {}
        self.problems: dict[Path, Problems] = {}
        self._signature: tuple = ()
        self.load()

    def load(self) -> None:
        self._signature = self._stat()
        self.problems = {}
        self.decks = {}
        for path in self._paths("decks/*.yaml"):
            deck = self._deck(path, self._problems(path))
            if deck is not None:
                self.decks[deck.name] = deck
        sources: dict[str, ScriptSource] = {}
        for path in [*self._paths("*.yaml"), *self.files]:
            source = parse_script(path, self._problems(path))
            if source is not None and self._may_replace(sources.get(source.id), source):
                sources[source.id] = source  # later folders override earlier ones by id
        self._announce_takeovers(sources)
        self.scripts = {}
        for source in sources.values():
            problems = self._problems(source.path)
            script = _Resolver(sources, self, problems).script(source)
            if problems.errors:
                log.error("skipping a broken script: %s", problems.errors[0])
            elif script is not None:
                self.scripts[script.id] = script
        for path, problems in self.problems.items():
            for warning in problems.warnings:
                log.debug("%s", warning)

    def refresh(self) -> bool:
        """Reload when a script or deck was added, changed or removed; True when it did."""
        if self._stat() == self._signature:
            return False
        log.info("scripts changed on disk; reloading them")
        self.load()
        return True

    def for_intent(self, intent: str) -> Script | None:
        found = [script for script in self.scripts.values() if intent in script.start_intents
                 and (self.enabled is None or script.id in self.enabled or intent in PROTECTED_INTENTS)]
        return found[-1] if found else None  # a user's script wins over a bundled one

    @property
    def starts(self) -> dict[str, list[str]]:
        """Intent templates of the scripts' own start phrases (`start_phrases`), as `start:ID`."""
        return {start_intent(script.id): list(script.start_phrases)
                for script in self.scripts.values() if script.start_phrases}

    @property
    def phrases(self) -> dict[str, list[str]]:
        """Every phrase the scripts add to the locale's commands: their choices and start phrases."""
        return {**self.options, **self.starts}

    def texts(self) -> list[str]:
        """Every fixed line of every script and deck."""
        lines = [text for script in self.scripts.values() for text in script.texts()]
        return lines + [prompt for deck in self.decks.values() for prompt in deck.prompts]

    @property
    def options(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for script in self.scripts.values():
            for intent, phrases in script.options.items():
                out.setdefault(intent, [])
                out[intent] += [p for p in phrases if p not in out[intent]]
        return out

    def _may_replace(self, bundled: ScriptSource | None, source: ScriptSource) -> bool:
        """A script from outside the package may add or replace exercises, never the protected ones."""
        if source.path.resolve().is_relative_to(bundled_scripts_dir()):
            return True
        protected = set(source.start_intents) & PROTECTED_INTENTS
        problems = self._problems(source.path)
        if bundled is not None and set(bundled.start_intents) & PROTECTED_INTENTS:
            problems.error(source.at.get("id", source.at[""]),
                           f"'{source.id}' is the speaker's own and cannot be replaced; give your script another id")
        elif protected:
            problems.error(source.at.get("start_intents", source.at[""]),
                           f"only the speaker's own script starts on '{sorted(protected)[0]}'; "
                           "remove it from start_intents")
        if bundled is not None and set(bundled.start_intents) & PROTECTED_INTENTS or protected:
            log.error("skipping a script: %s", problems.errors[-1])
            return False
        if bundled is not None:
            problems.warn(source.at.get("id", source.at[""]), f"replaces the bundled script '{source.id}'")
            log.warning("%s replaces the bundled script '%s'", source.path, source.id)
        return True

    def _announce_takeovers(self, sources: dict[str, ScriptSource]) -> None:
        """A script from outside the package that starts on a bundled script's intent is started in
        its place: said in `validate` and in the log, never silent."""
        bundled = {intent: source.id for source in sources.values()
                   if source.path.resolve().is_relative_to(bundled_scripts_dir()) for intent in source.start_intents}
        for source in sources.values():
            if source.path.resolve().is_relative_to(bundled_scripts_dir()):
                continue
            for intent in source.start_intents:
                if intent in bundled and bundled[intent] != source.id:
                    self._problems(source.path).warn(
                        source.at.get("start_intents", source.at[""]),
                        f"'{intent}' now starts this script instead of the bundled '{bundled[intent]}'; "
                        "give it start_phrases of its own to keep both")
                    log.warning("%s starts on '%s' instead of the bundled script '%s'", source.path, intent,
                                bundled[intent])

    def _problems(self, path: Path) -> Problems:
        return self.problems.setdefault(path, Problems())

    def _paths(self, pattern: str) -> list[Path]:
        return [path for folder in self.folders for path in sorted((folder / self.locale).glob(pattern))]

    def _stat(self) -> tuple:
        signature = []
        for path in [*self._paths("*.yaml"), *self._paths("decks/*.yaml"), *self.files]:
            try:
                stat = path.stat()
                signature.append((str(path), stat.st_mtime_ns, stat.st_size))
            except OSError:
                signature.append((str(path), 0, 0))
        return tuple(signature)

    def _deck(self, path: Path, problems: Problems) -> Deck | None:
        try:
            data = load_yaml(path)
        except ScriptError as error:  # bad YAML: located already
            problems.errors.append(str(error))
            return None
        if not isinstance(data, dict) or not isinstance(data.get("prompts"), list):
            problems.error(f"{path}:1:1", "a deck is a mapping with 'deck' (its name), 'title' and 'prompts'")
            return None
        for key in data:
            if key not in ("deck", "title", "prompts"):
                problems.error(where(data, str(key)), f"unknown key '{key}'{suggest(str(key), ('deck', 'title', 'prompts'))}")
        prompts = data["prompts"]
        if not prompts or not all(isinstance(p, str) and p.strip() for p in prompts):
            problems.error(where(data, "prompts"), "'prompts' must be a list of questions (text)")
            return None
        for prompt in prompts:
            check_text(prompt, where(data, "prompts"), problems, NAMES)
        if len(set(prompts)) < len(prompts):
            problems.error(where(data, "prompts"), "a prompt appears twice; remove the copy")
        if problems.errors:
            log.error("skipping a broken deck: %s", problems.errors[0])
            return None
        return Deck(str(data.get("deck", path.stem)), str(data.get("title", path.stem)), tuple(prompts), path)


class _TooLong(Exception):
    """Raised from deep inside the expansion, so includes that fan out are refused after MAX_STEPS steps."""


class _Resolver:
    """Inlines includes and lays choices out as jumps, checking every name a script refers to."""

    def __init__(self, sources: dict[str, ScriptSource], library: Library, problems: Problems) -> None:
        self.sources, self.library, self.problems = sources, library, problems
        self.command_phrases = {
            " ".join(normalize(p)): intent
            for intent, templates in library.commands.items() for t in templates for p in expand(t)
        }
        self.safety_phrases = [f" {phrase} " for phrase, intent in self.command_phrases.items() if intent == "safety"]

    def script(self, source: ScriptSource) -> Script | None:
        if source.locale != self.library.locale:
            self.problems.error(source.at.get("locale", source.at[""]),
                                f"locale '{source.locale}' does not match the folder '{self.library.locale}'; "
                                f"move the file or fix 'locale'")
        for intent in source.start_intents:
            if intent not in self.library.commands:
                self.problems.error(source.at.get("start_intents", source.at[""]),
                                    f"unknown intent '{intent}'{suggest(intent, self.library.commands)}; "
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
        targets, jumps = {}, []
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
        out[at] = Choose(step.ask, options, targets.get(step.otherwise, at + 1), step.silence)

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
        deck = self.library.decks.get(step.deck)
        at = step.at or source.at[""]
        if deck is None:
            self.problems.error(at, f"unknown prompt deck '{step.deck}'{suggest(step.deck, self.library.decks)}")
        elif step.count > len(deck.prompts):
            self.problems.error(at, f"deck '{step.deck}' has only {len(deck.prompts)} prompts, not {step.count}")


def bundled_scripts_dir() -> Path:
    """`voice/scripts` inside an installed wheel, or the repository's `scripts/` folder."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "scripts"
    return installed if installed.is_dir() else package.parent / "scripts"
