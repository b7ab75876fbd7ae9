"""pyttsx3 (espeak-ng) text-to-speech, owned by one thread: its runAndWait() hangs when shared."""

import contextlib
import io
import logging
import queue
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from ..audio.wavfile import read_wav
from ..errors import SpeechError, VoiceError

log = logging.getLogger(__name__)
RENDER_TIMEOUT_S = 60.0
LEAD_IN_SAMPLES = 160  # keep 10 ms of the engine's leading silence, drop the rest
SILENCE_LEVEL = 64  # samples below this count as silence when trimming


class Pyttsx3Voice:
    """Renders text to 16 kHz int16 audio with pyttsx3, in its own thread."""

    engine_name = "pyttsx3"

    def __init__(self, voice: str, rate: int = 150, volume: float = 1.0) -> None:
        self.voice, self.rate, self.volume = voice, rate, volume
        self._jobs: queue.Queue[tuple[str, Future[np.ndarray]] | None] = queue.Queue()
        self._started: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, name="pyttsx3", daemon=True)
        self._thread.start()
        self._started.result(timeout=RENDER_TIMEOUT_S)  # raises SpeechError when espeak-ng is missing

    @property
    def cache_key(self) -> str:
        return f"{self.engine_name}|{self.voice}|{self.rate}|{self.volume}"

    def render(self, text: str) -> np.ndarray:
        future: Future[np.ndarray] = Future()
        self._jobs.put((text, future))
        return future.result(timeout=RENDER_TIMEOUT_S)

    def close(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        try:
            engine = self._init_engine()
        except VoiceError as error:
            self._started.set_exception(error)
            return
        self._started.set_result(None)
        with tempfile.TemporaryDirectory(prefix="voice-tts-") as folder:
            path = Path(folder) / "line.wav"
            while (job := self._jobs.get()) is not None:
                text, future = job
                try:
                    # pyttsx3's espeak driver prints "Audio saved to ..." on stdout; keep stdout clean.
                    with contextlib.redirect_stdout(io.StringIO()):
                        engine.save_to_file(text, str(path))
                        engine.runAndWait()
                    future.set_result(_trim(read_wav(path)))
                except Exception as error:  # one bad line must not kill the voice thread
                    future.set_exception(SpeechError(f"pyttsx3 could not speak {text!r} ({error})"))

    def _init_engine(self):  # -> pyttsx3.Engine
        try:
            import pyttsx3

            engine = pyttsx3.init()
        except Exception as error:
            raise SpeechError(
                f"the text-to-speech engine could not start ({error}); install espeak-ng "
                "with 'sudo apt-get install espeak-ng' (make run does this)"
            ) from None
        known = {voice.id for voice in engine.getProperty("voices")}
        if self.voice not in known:
            raise SpeechError(
                f"espeak-ng has no voice '{self.voice}'; run 'espeak-ng --voices' and pick one of its ids"
            )
        engine.setProperty("voice", self.voice)
        engine.setProperty("rate", self.rate)
        engine.setProperty("volume", self.volume)
        return engine


def _trim(samples: np.ndarray) -> np.ndarray:
    """Drop the engine's leading and trailing silence so a line starts at once."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_LEVEL)
    if len(loud) == 0:
        return samples[:0]
    start = max(0, loud[0] - LEAD_IN_SAMPLES)
    return samples[start : loud[-1] + LEAD_IN_SAMPLES]
