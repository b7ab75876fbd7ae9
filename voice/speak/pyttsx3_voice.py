"""pyttsx3 (espeak-ng) text-to-speech, rendered in a worker process that is restarted when it dies.

espeak-ng is native code: a crash in it would end the speaker, so it runs in pyttsx3_worker.py,
one line at a time. A worker that crashes, hangs or answers nonsense is killed and started afresh,
and the line tried again (RENDER_ATTEMPTS); the speaker only ever sees a SpeechError. Its temporary
folder is removed however the worker or the speaker ends.
"""

import atexit
import json
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from ..errors import SpeechError

log = logging.getLogger(__name__)
START_TIMEOUT_S = 30.0
RENDER_TIMEOUT_S = 30.0  # a sentence; espeak-ng renders one in a few milliseconds
RENDER_ATTEMPTS = 3
_ESPEAK_MISSING = "install espeak-ng with 'sudo apt-get install espeak-ng' (make run does this)"


class _WorkerDied(Exception):
    pass


class _Worker:
    """The parent's handle on the worker process: one request at a time, restarted on any fault."""

    _instance: "_Worker | None" = None
    _lock = threading.Lock()

    @classmethod
    def get(cls) -> "_Worker":
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._folder: str | None = None
        self.renders = self.restarts = 0
        atexit.register(self.close)
        self.voices = self._start()

    def render(self, text: str, voice: str, rate: int, volume: float) -> np.ndarray:
        request = json.dumps({"text": text, "voice": voice, "rate": rate, "volume": volume}) + "\n"
        with self._guard:
            for attempt in range(RENDER_ATTEMPTS):
                try:
                    if self._process is None:
                        self._start()
                    self._process.stdin.write(request.encode())
                    self._process.stdin.flush()
                    header = self._read_header(RENDER_TIMEOUT_S)
                    if "error" in header:
                        raise SpeechError(f"pyttsx3 could not speak {text!r} ({header['error']})")
                    samples = int(header["samples"])
                    audio = np.frombuffer(self._read(samples * 2, RENDER_TIMEOUT_S), "<i2").astype(np.int16)
                    self.renders += 1
                    return audio
                except (_WorkerDied, OSError, ValueError, KeyError, TypeError) as error:
                    self._stop(f"{error} (attempt {attempt + 1} of {RENDER_ATTEMPTS})")
        raise SpeechError(f"pyttsx3 could not speak {text!r}: its worker process failed {RENDER_ATTEMPTS} times")

    def close(self) -> None:
        with self._guard:
            self._stop(None)

    def _start(self) -> dict[str, str]:
        self._folder = tempfile.mkdtemp(prefix="voice-tts-")
        try:
            package_parent = str(Path(__file__).resolve().parents[2])
            path = os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))
            self._process = subprocess.Popen(
                [sys.executable, "-m", "voice.speak.pyttsx3_worker", self._folder],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": path},
                start_new_session=True)  # a Ctrl-C meant for the speaker reaches the speaker, which ends it
            header = self._read_header(START_TIMEOUT_S)
        except (_WorkerDied, OSError, ValueError) as error:
            self._stop(None)
            raise SpeechError(f"the text-to-speech engine could not start ({error}); {_ESPEAK_MISSING}") from None
        if "error" in header or not isinstance(header.get("voices"), dict):
            self._stop(None)
            raise SpeechError(f"{header.get('error', 'the text-to-speech engine could not start')}; {_ESPEAK_MISSING}")
        return header["voices"]

    def _stop(self, reason: str | None) -> None:
        """End the worker (it may be dead already) and remove its folder; `reason` is logged."""
        process, self._process = self._process, None
        if process is not None:
            for stream in (process.stdin, process.stdout):
                try:
                    stream.close()  # the worker sees the end of its input and exits
                except OSError:
                    pass
            try:
                code = process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                code = None
                process.kill()
                process.wait()
            if reason is not None:
                how = f"died (signal {-code})" if code is not None and code < 0 else (
                    f"exited ({code})" if code is not None else "stopped answering")
                log.warning("the espeak-ng worker %s: %s; restarting it", how, reason)
                self.restarts += 1
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _read_header(self, timeout: float) -> dict:
        line = bytearray()
        deadline = time.monotonic() + timeout
        while not line.endswith(b"\n"):
            line += self._read(1, deadline - time.monotonic())
            if len(line) > 1_000_000:
                raise ValueError("the worker's answer is not a line")
        header = json.loads(line)
        if not isinstance(header, dict):
            raise ValueError("the worker's answer is not a mapping")
        return header

    def _read(self, count: int, timeout: float) -> bytes:
        """Exactly `count` bytes from the worker, or _WorkerDied when it ends or `timeout` passes."""
        stream = self._process.stdout
        data = bytearray()
        deadline = time.monotonic() + timeout
        while len(data) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([stream], [], [], remaining)[0]:
                raise _WorkerDied(f"no answer within {timeout:.0f} s")
            chunk = os.read(stream.fileno(), count - len(data))
            if not chunk:
                raise _WorkerDied("it ended")
            data += chunk
        return bytes(data)


def espeak_voices() -> dict[str, str]:
    """espeak-ng's voices through pyttsx3: id -> name."""
    return dict(_Worker.get().voices)


class Pyttsx3Voice:
    """One espeak-ng voice at one rate and volume, rendering a sentence to 16 kHz int16 audio."""

    engine = "pyttsx3"

    def __init__(self, voice: str, rate: int = 150, volume: float = 1.0) -> None:
        self.voice, self.rate, self.volume = voice, rate, volume
        self._worker = _Worker.get()
        if voice not in self._worker.voices:
            raise SpeechError(
                f"espeak-ng has no voice '{voice}'; run 'voice voices' and pick one of its ids"
            )

    @property
    def cache_key(self) -> str:
        return f"{self.engine}|{self.voice}|{self.rate}|{self.volume}|embedded"  # renders before that: wrong rates

    def sentence(self, text: str) -> np.ndarray:
        return self._worker.render(text, self.voice, self.rate, self.volume)

    def scaled(self, factor: float) -> "Pyttsx3Voice":
        return Pyttsx3Voice(self.voice, round(self.rate * factor), self.volume)
