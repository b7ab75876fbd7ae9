"""The debug recording: the one exception to "nothing said is kept", off unless asked for.

`voice run --record FOLDER` keeps what the microphone heard (microphone.wav) and every recognized
phrase with its intent (heard.jsonl), to find out why a command was missed or misheard on a real
speaker. It is announced in the log at start and at stop, so nobody records by accident.
"""

import logging
from pathlib import Path

import numpy as np
import soundfile

from .audio.frames import RATE
from .errors import ConfigError
from .events import Event, EventFile

log = logging.getLogger(__name__)
HEARD = {"intent", "rejected", "ignored"}


class DebugRecording:
    def __init__(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._audio = soundfile.SoundFile(folder / "microphone.wav", "w", RATE, 1, "PCM_16", format="WAV")
        except (OSError, soundfile.LibsndfileError) as error:
            raise ConfigError(f"cannot record into {folder} ({error}); choose a folder you can write to") from None
        self._heard = EventFile(folder / "heard.jsonl", keep_recognized=True)
        self.folder = folder
        log.warning("DEBUG RECORDING IS ON: everything the microphone hears and every recognized phrase is "
                    "being kept in %s; delete that folder when done, and run without --record to stop", folder)

    def microphone(self, frame: np.ndarray) -> None:
        self._audio.write(frame)

    def events(self, events: list[Event]) -> None:
        self._heard.write([event for event in events if event.type in HEARD])

    def close(self) -> None:
        self._audio.close()
        self._heard.close()
        log.warning("debug recording stopped; what was heard is in %s", self.folder)
