"""The text driver: each input line is an utterance; `:wait S` lets S seconds of silence pass."""

from collections.abc import Callable, Iterable

from .audio.frames import SILENT_FRAME, frames_for
from .engine import Engine
from .errors import ConfigError
from .events import Event

MAX_SETTLE_FRAMES = frames_for(3600)


def run_simulation(engine: Engine, lines: Iterable[str], on_events: Callable[[list[Event]], None]) -> None:
    """Each utterance is spoken once the speaker has finished talking, as a person would."""

    def step() -> None:
        on_events(engine.feed(SILENT_FRAME)[1])

    def settle() -> None:  # run until nothing plays and listening has reopened
        for _ in range(MAX_SETTLE_FRAMES):
            if engine.listening:
                return
            step()

    step()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(":wait"):
            try:
                seconds = _seconds(line, number)
            except ConfigError as error:
                on_events([Event(engine.frame, "error", {"message": str(error)})])
                continue
            for _ in range(frames_for(seconds)):
                step()
            continue
        settle()
        engine.hear_text(line)
        step()
    for _ in range(MAX_SETTLE_FRAMES):  # the input ended: let the session run to idle
        if engine.idle:
            break
        step()


def _seconds(line: str, number: int) -> float:
    try:
        seconds = float(line.split(maxsplit=1)[1])
    except (IndexError, ValueError):
        raise ConfigError(f"line {number}: write ':wait SECONDS', for example ':wait 5'") from None
    if seconds < 0:
        raise ConfigError(f"line {number}: ':wait' needs a positive number of seconds")
    return seconds


def format_said(event: Event) -> str:
    minutes, seconds = divmod(event.seconds, 60)
    return f"[{int(minutes):02d}:{seconds:04.1f}] {event.data['text']}"
