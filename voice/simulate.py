"""The text driver: each input line is an utterance; `:wait S` lets S seconds of silence pass and
`:talk S` is S seconds of a partner talking (a turn stays open while someone talks)."""

from collections.abc import Callable, Iterable

import numpy as np

from .audio.frames import RATE, SILENT_FRAME, frames_for
from .engine import Engine
from .errors import ConfigError
from .events import Event

MAX_SETTLE_FRAMES = frames_for(3600)
TALK_DBFS = -26.0  # a partner's voice at the microphone, about a metre away


def talk_frames(seconds: float) -> list[np.ndarray]:
    """Voice-like sound for the endpointer (a buzz in syllables and words); no words to recognize."""
    t = np.arange(int(seconds * RATE)) / RATE
    buzz = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 0.5
    words = (np.sin(2 * np.pi * 0.4 * t) > -0.8).astype(float)  # a short breath now and then
    audio = buzz * syllables * words
    audio *= 32767 * 10 ** (TALK_DBFS / 20) / (np.sqrt(np.mean(audio**2)) + 1e-12)
    samples = np.clip(audio, -32768, 32767).astype(np.int16)
    frame = len(SILENT_FRAME)
    return [samples[i : i + frame] for i in range(0, len(samples) - frame + 1, frame)]


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
        if line.startswith((":wait", ":talk")):
            try:
                seconds = _seconds(line, number)
            except ConfigError as error:
                on_events([Event(engine.frame, "error", {"message": str(error)})])
                continue
            sound = talk_frames(seconds) if line.startswith(":talk") else [SILENT_FRAME] * frames_for(seconds)
            for frame in sound:
                on_events(engine.feed(frame)[1])
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
        raise ConfigError(f"line {number}: write ':wait SECONDS' or ':talk SECONDS', for example ':wait 5'") from None
    if not 0 <= seconds <= 86_400:  # also refuses nan
        raise ConfigError(f"line {number}: give a number of seconds from 0 to 86400, for example ':wait 5'")
    return seconds


def printed(event: Event) -> str | None:
    """What a rehearsal prints: each line the speaker says, with its time, and each utterance it did
    not take as a command (a "not understood" tone follows those that answer a question)."""
    if event.type == "said":
        minutes, seconds = divmod(event.seconds, 60)
        return f"[{int(minutes):02d}:{seconds:04.1f}] {event.data['text']}"
    if event.type == "rejected":
        return f"  (not understood: {event.data['reason']})"
    return None
