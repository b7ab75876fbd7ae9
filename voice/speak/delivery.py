"""Calm delivery, the same for every engine: a line is spoken sentence by sentence, each one at the
same loudness with short fades, and a breath of silence between sentences (longer after a question)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..audio.frames import RATE
from .normalize import spoken

# A sentence runs to . ! ? … (or a full-width form), with any closing quote or bracket, before a space.
_SENTENCE = re.compile(r"\S.*?(?:[.!?…。！？]+[\"'”’)\]]*(?=\s|$)|$)", re.DOTALL)
FADE_MS = 8  # a raised-cosine fade in and out of every sentence: no clicks at the edges
PEAK_LIMIT = 0.89  # -1 dBFS
CLAUSE_PAUSE_MS = 120  # after a first clause given alone (see first_clause)
LONG_SENTENCE_WORDS = 8
LEAD_IN_SAMPLES = 160  # keep 10 ms of an engine's leading and trailing silence, drop the rest
SILENCE_LEVEL = 64  # samples below this count as silence when trimming


class Voice(Protocol):
    """A text-to-speech engine at one voice, rate and volume (pyttsx3_voice.py, piper_voice.py)."""

    engine: str
    cache_key: str  # changes whenever the audio for the same text would

    def sentence(self, text: str) -> np.ndarray:
        """One sentence as 16 kHz mono int16, leading and trailing silence trimmed."""
        ...

    def scaled(self, factor: float) -> "Voice":
        """The same voice speaking `factor` times as fast ("slower" / "faster")."""
        ...


@dataclass(frozen=True)
class Delivery:
    sentence_pause_ms: int = 350
    question_pause_ms: int = 700
    loudness_dbfs: float = -20.0  # every sentence of every engine is brought to this RMS level
    volume: float = 1.0  # the owner's volume on top (0..1)
    locale: str = "en"  # how numbers are said (normalize.py)

    @property
    def cache_key(self) -> str:
        return f"{self.sentence_pause_ms}|{self.question_pause_ms}|{self.loudness_dbfs}|{self.volume}"

    def spoken(self, text: str) -> str:
        """The words an engine is given for `text`: the one place numbers are written out."""
        return spoken(text, self.locale)

    def sentences(self, voice: Voice, text: str) -> Iterator[np.ndarray]:
        """The line's audio, one sentence at a time (each with the pause that follows it), so the
        first sentence can play while the rest render. A long first sentence gives its first clause
        alone, so the first audio of an uncached line comes sooner (Piper renders whole sentences)."""
        parts = split_sentences(self.spoken(text))
        parts[:1] = first_clause(parts[0]) if parts else []
        for index, part in enumerate(parts):
            audio = self.shape(voice.sentence(part))
            if index < len(parts) - 1:
                audio = np.concatenate([audio, np.zeros(RATE * self._pause_after(part) // 1000, np.int16)])
            yield audio

    def _pause_after(self, part: str) -> int:
        ending = part.rstrip("\"'”’)] ")
        if ending.endswith(("?", "？")):
            return self.question_pause_ms
        return CLAUSE_PAUSE_MS if ending.endswith(",") else self.sentence_pause_ms

    def shape(self, audio: np.ndarray) -> np.ndarray:
        """Loudness to the target (peaks limited), then fades."""
        if len(audio) == 0:
            return audio
        samples = audio.astype(np.float32) / 32768.0
        voiced = samples[np.abs(samples) > 0.01]  # the RMS of speech, not of the gaps between words
        rms = float(np.sqrt(np.mean(voiced**2))) if len(voiced) else 0.0
        if rms > 0:
            gain = 10 ** (self.loudness_dbfs / 20) / rms
            peak = float(np.max(np.abs(samples)))
            samples *= min(gain, PEAK_LIMIT / peak) * self.volume
        fade = min(RATE * FADE_MS // 1000, len(samples) // 2)
        if fade:
            ramp = np.sin(np.linspace(0, np.pi / 2, fade)) ** 2
            samples[:fade] *= ramp
            samples[-fade:] *= ramp[::-1]
        return np.round(samples * 32767).astype(np.int16)


def first_clause(sentence: str) -> list[str]:
    """A sentence of more than LONG_SENTENCE_WORDS words split after its first comma (if that clause
    has at least two words), else the sentence whole."""
    head, comma, rest = sentence.partition(", ")
    if comma and len(sentence.split()) > LONG_SENTENCE_WORDS and len(head.split()) >= 2 and rest:
        return [head + ",", rest]
    return [sentence]


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.findall(text.strip()) if part.strip()]


def trim(samples: np.ndarray) -> np.ndarray:
    """Drop an engine's leading and trailing silence so a sentence starts at once."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_LEVEL)
    if len(loud) == 0:
        return samples[:0]
    return samples[max(0, loud[0] - LEAD_IN_SAMPLES) : loud[-1] + LEAD_IN_SAMPLES]
