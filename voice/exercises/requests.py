"""What a running exercise asks of the engine, frame by frame, and what the engine answers: the
requests a step makes (say, play a tone, wait, listen), their results, and the outputs of a session.
"""

from collections.abc import Generator
from dataclasses import dataclass

from ..events import Event


@dataclass(frozen=True)
class Speak:
    text: str
    wait: bool = True  # hold the step until the line has played


@dataclass(frozen=True)
class Tone:
    name: str  # an earcon: inhale, exhale, hold, turn, return


@dataclass(frozen=True)
class Note:
    kind: str  # an event for the log
    data: dict


@dataclass(frozen=True)
class Until:
    frame: int


@dataclass(frozen=True)
class Quiet:
    """Wait until the speaker is not talking (a breath begins on its own, never under another line)."""


@dataclass(frozen=True)
class Listen:
    """Wait for one of `accepts`, for `silence_frames` of quiet, or until frame `until`. Before
    anyone has spoken, the quiet may last `first_words_frames` (a person gathering their thoughts)."""

    accepts: frozenset[str]
    since: int
    silence_frames: int
    until: int
    first_words_frames: int = 0


@dataclass(frozen=True)
class Result:
    frame: int
    heard: str | None = None  # Listen: an intent, "silence" or "timeout"


Request = Speak | Tone | Note | Until | Quiet | Listen
StepRun = Generator[Request, Result, None]


@dataclass(frozen=True)
class Tick:
    frame: int
    speaking: bool  # the speaker is still playing something
    quiet_frames: int  # consecutive frames with no voice in the room


@dataclass(frozen=True)
class Output:
    """One thing for the engine to do: say a line, play a tone, stop what plays, or log an event."""

    say: str | None = None
    tone: str | None = None
    stop_audio: bool = False
    event: Event | None = None
