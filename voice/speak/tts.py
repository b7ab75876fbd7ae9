"""pyttsx3 (espeak-ng) text-to-speech. pyttsx3 keeps one engine per process and its runAndWait()
hangs when shared across threads, so one worker thread owns that engine and renders every line."""

import logging
import queue
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.wavfile import read_wav
from ..errors import SpeechError

log = logging.getLogger(__name__)
RENDER_TIMEOUT_S = 60.0
LEAD_IN_SAMPLES = 160  # keep 10 ms of the engine's leading and trailing silence, drop the rest
SILENCE_LEVEL = 64  # samples below this count as silence when trimming
RENDER_ATTEMPTS = 4


@dataclass(frozen=True)
class _Job:
    text: str
    voice: str
    rate: int
    volume: float
    result: Future


class _Worker:
    """The one thread that owns pyttsx3's engine."""

    _instance: "_Worker | None" = None
    _lock = threading.Lock()

    @classmethod
    def get(cls) -> "_Worker":
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self) -> None:
        self._jobs: queue.Queue[_Job] = queue.Queue()
        started: Future[set[str]] = Future()
        threading.Thread(target=self._run, args=(started,), name="pyttsx3", daemon=True).start()
        self.voices = started.result(timeout=RENDER_TIMEOUT_S)  # raises SpeechError without espeak-ng

    def render(self, text: str, voice: str, rate: int, volume: float) -> np.ndarray:
        job = _Job(text, voice, rate, volume, Future())
        self._jobs.put(job)
        return job.result.result(timeout=RENDER_TIMEOUT_S)

    def _run(self, started: Future) -> None:
        try:
            import pyttsx3

            engine = pyttsx3.init()
            _silence_driver()
            started.set_result({voice.id for voice in engine.getProperty("voices")})
        except Exception as error:
            started.set_exception(SpeechError(
                f"the text-to-speech engine could not start ({error}); install espeak-ng "
                "with 'sudo apt-get install espeak-ng' (make run does this)"))
            return
        with tempfile.TemporaryDirectory(prefix="voice-tts-") as folder:
            path = Path(folder) / "line.wav"
            while True:
                job = self._jobs.get()
                try:
                    engine.setProperty("voice", job.voice)
                    engine.setProperty("rate", job.rate)
                    engine.setProperty("volume", job.volume)
                    job.result.set_result(_render_verified(engine, job.text, path))
                except Exception as error:  # one bad line must not kill the voice thread
                    job.result.set_exception(SpeechError(f"pyttsx3 could not speak {job.text!r} ({error})"))


def _render_verified(engine, text: str, path: Path) -> np.ndarray:
    """Render until two renders agree. pyttsx3 2.99's espeak driver now and then ends runAndWait()
    having written no file, or a truncated one (seen: 1 line in ~100); espeak itself is
    deterministic, and truncation only ever shortens, so agreement proves a whole line."""
    renders: list[np.ndarray] = []
    for _ in range(RENDER_ATTEMPTS):
        path.unlink(missing_ok=True)  # never read an earlier line's audio
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        if not path.exists():
            continue
        audio = _trim(read_wav(path))
        if any(len(audio) == len(earlier) for earlier in renders):
            return audio
        renders.append(audio)
    if not renders:
        raise SpeechError(f"pyttsx3 wrote no audio after {RENDER_ATTEMPTS} attempts")
    log.warning("pyttsx3 renders of one line disagreed; using the longest")
    return max(renders, key=len)


def _silence_driver() -> None:
    """The espeak driver print()s "Audio saved to ..." for every line. Redirecting sys.stdout around
    a render would swallow the rest of the program's output too (it is process-wide, and the engine
    prints while lines render), so only that module's print is replaced."""
    try:
        from pyttsx3.drivers import espeak

        espeak.print = lambda *args, **kwargs: None
    except ImportError:  # another platform's driver
        pass


def _trim(samples: np.ndarray) -> np.ndarray:
    """Drop the engine's leading and trailing silence so a line starts at once."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_LEVEL)
    if len(loud) == 0:
        return samples[:0]
    return samples[max(0, loud[0] - LEAD_IN_SAMPLES) : loud[-1] + LEAD_IN_SAMPLES]


class Pyttsx3Voice:
    """One espeak-ng voice at one rate and volume, rendering text to 16 kHz int16 audio."""

    engine_name = "pyttsx3"

    def __init__(self, voice: str, rate: int = 150, volume: float = 1.0) -> None:
        self.voice, self.rate, self.volume = voice, rate, volume
        self._worker = _Worker.get()
        if voice not in self._worker.voices:
            raise SpeechError(
                f"espeak-ng has no voice '{voice}'; run 'espeak-ng --voices' and pick one of its ids"
            )

    @property
    def cache_key(self) -> str:
        return f"{self.engine_name}|{self.voice}|{self.rate}|{self.volume}"

    def render(self, text: str) -> np.ndarray:
        return self._worker.render(text, self.voice, self.rate, self.volume)

    def scaled(self, factor: float) -> "Pyttsx3Voice":
        """The same voice speaking `factor` times as fast ("slower" / "faster")."""
        return Pyttsx3Voice(self.voice, round(self.rate * factor), self.volume)
