"""Problems found in a script or deck, each with its file:line:column and the fix: errors (it
cannot run) and warnings (it can, but should change)."""

import difflib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Problems:
    """Errors (the script cannot run) and warnings (it can, but should change), each located."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, at: str, message: str) -> None:
        self.errors.append(f"{at}: {message}")

    def warn(self, at: str, message: str) -> None:
        self.warnings.append(f"{at}: warning: {message}")


def suggest(word: str, choices: Any) -> str:
    """The end of a message about an unknown name: the likely intended one, else every choice."""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1)
    return f"; did you mean '{close[0]}'?" if close else f"; use one of: {', '.join(sorted(map(str, choices)))}"
