"""The script library of one locale: bundled and user folders, prompt decks, which script starts on
which intent, and a reload when a file changes. Each script is resolved by `resolver.py`."""

import logging
from collections.abc import Iterable
from pathlib import Path

from ..errors import ScriptError
from ..yamlfile import load_yaml, where
from .problems import Problems, suggest
from .program import Deck, Script
from .resolver import Resolver
from .script import ScriptSource, parse_script
from .start_phrases import start_intent
from .step_parser import NAMES, check_text

log = logging.getLogger(__name__)
# The speaker's own safety information and introduction: no user script replaces them or starts on
# their phrases, and the `scripts:` setting cannot switch them off (the safety line points to one).
PROTECTED_INTENTS = frozenset({"safety_info", "introduction"})


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
            script = Resolver(sources, self.locale, self.commands, self.decks, problems).script(source)
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


def bundled_scripts_dir() -> Path:
    """`voice/scripts` inside an installed wheel, or the repository's `scripts/` folder."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "scripts"
    return installed if installed.is_dir() else package.parent / "scripts"
