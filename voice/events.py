"""Events the engine emits for logs, tests and the simulate printout; written as JSON lines."""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .audio.frames import seconds_of
from .errors import ConfigError

log = logging.getLogger("voice.state")
STATES = {"script_started", "script_finished", "paused", "resumed", "reminder", "audio_lost", "audio_back",
          "muted", "unmuted"}  # logged at INFO; intents are logged by the engine, by name only
DETAILS = {"step_started", "rejected", "ignored", "decided", "pace", "listening", "said", "error"}  # at DEBUG
PRIVATE = {"text"}  # what was recognized is never logged, even with --debug


def log_events(events: list["Event"]) -> None:
    """States at INFO for journald; with --debug also steps, rejections and the speaker's own lines."""
    for event in events:
        if event.type in STATES or (event.type in DETAILS and log.isEnabledFor(logging.DEBUG)):
            shown = {key: value for key, value in event.data.items() if key not in PRIVATE or event.type == "said"}
            level = logging.INFO if event.type in STATES else logging.DEBUG
            log.log(level, "%s %s", event.type, " ".join(f"{key}={value}" for key, value in shown.items()))


@dataclass(frozen=True)
class Event:
    frame: int
    type: str  # listening, intent, rejected, script_started, step_started, said, paused, ...
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return seconds_of(self.frame)

    def to_json(self) -> str:
        return json.dumps(
            {"t": round(self.seconds, 3), "frame": self.frame, "type": self.type, **self.data},
            ensure_ascii=False,
        )


class EventFile:
    """Appends events to a JSON-lines file, flushed per event so a crash loses nothing."""

    def __init__(self, path: Path | None, keep_recognized: bool = False) -> None:
        """Recognized text is left out unless `keep_recognized` (only the debug recording sets it)."""
        self._file: IO[str] | None = None
        self._keep_recognized = keep_recognized
        if path is not None:
            try:
                self._file = open(path, "w", encoding="utf-8")
            except OSError as error:
                raise ConfigError(
                    f"cannot write the events file {path} ({error.strerror}); "
                    "choose a path in a folder you can write to"
                ) from None

    def write(self, events: list[Event]) -> None:
        if self._file is None:
            return
        try:
            for event in events:
                if not self._keep_recognized and event.type != "said" and PRIVATE & event.data.keys():
                    event = Event(event.frame, event.type, {k: v for k, v in event.data.items() if k not in PRIVATE})
                self._file.write(event.to_json() + "\n")
            if events:
                self._file.flush()
        except OSError as error:  # a full disk: the speaker carries on without its events file
            log.error("cannot write the events file %s (%s); no more events are written to it",
                      self._file.name, error.strerror or error)
            self.close()

    def close(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            try:
                file.close()
            except OSError:
                pass  # what could not be flushed was reported by write
