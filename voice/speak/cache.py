"""Rendered lines, kept on disk by a hash of (engine, voice, rate, volume, text) and reused across runs."""

import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from ..audio.wavfile import read_wav, write_wav
from ..errors import VoiceError

log = logging.getLogger(__name__)


class Voice(Protocol):
    cache_key: str

    def render(self, text: str) -> np.ndarray: ...

    def scaled(self, factor: float) -> "Voice": ...


class PromptCache:
    """Audio for a line of text: from memory, from disk, or rendered once and stored."""

    def __init__(self, voice: Voice, folder: Path) -> None:
        self.voice = voice
        self.folder = folder
        self._memory: dict[str, np.ndarray] = {}
        self.hits = self.misses = 0

    def path_for(self, text: str) -> Path:
        digest = hashlib.sha256(f"{self.voice.cache_key}|{text}".encode()).hexdigest()
        return self.folder / f"{digest[:32]}.wav"

    def audio(self, text: str) -> np.ndarray:
        if text in self._memory:
            self.hits += 1
            return self._memory[text]
        path = self.path_for(text)
        samples = self._read(path)
        if samples is None:
            self.misses += 1
            samples = self.voice.render(text)
            self._store(path, samples)
        else:
            self.hits += 1
        self._memory[text] = samples
        return samples

    def prepare(self, lines: list[str]) -> None:
        """Render every line not yet cached (at start-up, so speaking starts within a frame)."""
        for line in dict.fromkeys(lines):
            try:
                self.audio(line)
            except VoiceError as error:  # one line that cannot be spoken must not stop the others
                log.error("%s", error)

    def _read(self, path: Path) -> np.ndarray | None:
        if not path.exists():
            return None
        try:
            return read_wav(path)
        except VoiceError:
            log.warning("ignoring a damaged cached line %s", path.name)
            return None

    def _store(self, path: Path, samples: np.ndarray) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            write_wav(partial, samples)
            partial.replace(path)  # atomic: a crash never leaves a half-written line
        except (OSError, VoiceError) as error:
            log.warning("cannot cache a line in %s (%s); speaking it uncached", self.folder, error)
