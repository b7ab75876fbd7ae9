"""`voice validate`: every problem in the scripts, located and with its fix, before anything is spoken."""

from collections.abc import Callable
from pathlib import Path

import yaml

from .assemble import script_folders
from .config import Settings
from .exercises.library import Library
from .locale import LOCALES_DIR, Locale


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
            say(f"ok  {code}  {script.id:18s} {script.step_count:3d} steps  ~{script.minutes:3g} min  {script.title}")
        if not paths:
            steps = sum(s.step_count for s in library.scripts.values())
            prompts = sum(len(d.prompts) for d in library.decks.values())
            minutes = sum(s.minutes for s in library.scripts.values())
            say(f"{code}: {len(library.scripts)} scripts, {steps} steps, {prompts} prompts in "
                f"{len(library.decks)} decks, about {minutes:g} minutes in all")
    return 1 if failed else 0


def _locale_of(path: Path) -> str:
    if path.parent.name in {p.stem for p in LOCALES_DIR.glob("*.yaml")}:
        return path.parent.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return "en"
    return str(data.get("locale", "en")) if isinstance(data, dict) else "en"
