"""`voice validate`: every problem in the scripts, located and with its fix, before anything is spoken."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from .assemble import script_folders
from .config import Settings
from .errors import ScriptError, VoiceError
from .exercises.library import Library
from .exercises.library import log as library_log
from .exercises.program import Script
from .exercises.steps import Choose
from .listen.intents import expand, normalize
from .locale import LOCALES_DIR, Locale
from .yamlfile import load_yaml


def validate(paths: list[Path], only_locale: str | None, settings: Settings, say: Callable[[str], None]) -> int:
    """Print problems and one summary line per valid script; 1 when any script has an error."""
    locales = [only_locale] if only_locale else sorted(p.stem for p in LOCALES_DIR.glob("*.yaml"))
    roots, files = [], []
    for path in paths:
        if not path.exists():
            say(f"{path}: no such file or folder")
            return 1
        if path.is_dir() and any((path / code).is_dir() for code in locales):
            roots.append(path)  # a scripts folder laid out as LOCALE/*.yaml
        elif path.is_dir():
            files += sorted(path.glob("*.yaml"))
        else:
            files.append(path)
    failed = False
    for code in locales:
        locale = Locale.load(code)
        mine = [f for f in files if _locale_of(f) == code]
        if paths and not mine and not roots:
            continue
        with _quiet(library_log):  # each problem is printed below, once
            library = Library([*script_folders(settings), *roots], code, locale.intents, mine)
        wanted = {p.resolve() for p in mine} | {p.resolve() for r in roots for p in (r / code).rglob("*.yaml")}
        for path, problems in library.problems.items():
            if paths and path.resolve() not in wanted:
                continue
            for line in problems.errors + problems.warnings:
                say(line)
            failed |= bool(problems.errors)
        for script in library.scripts.values():
            if paths and script.path.resolve() not in wanted:
                continue
            unheard = _unheard_words(script, settings, code)
            for problem in unheard:
                say(problem)
            if unheard:
                failed = True
                continue
            say(f"ok  {code}  {script.id:18s} {script.step_count:3d} steps  ~{script.minutes:3g} min  {script.title}")
        if not paths:
            steps = sum(s.step_count for s in library.scripts.values())
            prompts = sum(len(d.prompts) for d in library.decks.values())
            minutes = sum(s.minutes for s in library.scripts.values())
            say(f"{code}: {len(library.scripts)} scripts, {steps} steps, {prompts} prompts in "
                f"{len(library.decks)} decks, about {minutes:g} minutes in all")
    return 1 if failed else 0


def _unheard_words(script: Script, settings: Settings, code: str) -> list[str]:
    """A problem for each of the script's start phrases and spoken choices that has a word the speech
    model cannot hear (Vosk leaves such a word out of its grammar unasked, so that phrase is never
    heard). No problems when no model is there to ask: `voice run` names missing words at start-up too."""
    model = _model(settings.model, code)
    if model is None:
        return []
    from .listen.recognizer import missing_words

    problems = []
    start = missing_words(model, _words(script.start_phrases))
    if start:
        problems.append(f"{script.start_phrases_at}: the speech model does not know {', '.join(start)}, so the "
                        "script could never be started by voice; use other words in start_phrases")
    for choice in (step for step in script.steps if isinstance(step, Choose)):
        for option in choice.options:
            missing = missing_words(model, _words(option.phrases))
            if missing:
                problems.append(f"{choice.at}: option '{option.name}': the speech model does not know "
                                f"{', '.join(missing)}, so it is never heard that way; use other words in its phrases")
    return problems


def _words(templates: tuple[str, ...]) -> set[str]:
    return {word for template in templates for phrase in expand(template) for word in normalize(phrase)}


@cache
def _model(path: Path | None, code: str):
    """The locale's speech model (`path`, else its default), loaded once; None when there is none."""
    from .listen.recognizer import load_model
    from .models import default_model

    try:
        return load_model(path or default_model(code), code)
    except VoiceError:
        return None


def _locale_of(path: Path) -> str:
    if path.parent.name in {p.stem for p in LOCALES_DIR.glob("*.yaml")}:
        return path.parent.name
    try:
        data = load_yaml(path)  # a FIFO or a device is refused here too (and reported by the library)
    except ScriptError:
        return "en"
    return str(data.get("locale", "en")) if isinstance(data, dict) else "en"


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    disabled, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = disabled
