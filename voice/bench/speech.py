"""Test speech and room sound: espeak-ng utterances (several voices and rates), room noise, mixing."""

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import yaml

from ..audio.frames import RATE
from ..audio.wavfile import to_engine_rate
from ..errors import VoiceError

# espeak-ng's Korean voice in the variants the Korean model recognizes best (measured: plain `ko` and the
# male variants are recognized far worse), at a natural and a brisk rate.
VOICES = {"ko": ("ko+f2", "ko+f4", "ko+f1"), "en": ("en-us", "en-us+f2", "en-us+m3")}
RATES = (150, 175)
LEAD_S, TAIL_S = 1.0, 1.5  # room sound around each utterance: the endpointer learns the floor first


@dataclass(frozen=True)
class Utterance:
    text: str
    voice: str
    rate: int
    audio: np.ndarray  # 16 kHz int16, trimmed of espeak's own silence


def espeak(text: str, voice: str, rate: int = 150) -> np.ndarray:
    """Real speech from espeak-ng at 16 kHz, trimmed of its leading and trailing silence."""
    if shutil.which("espeak-ng") is None:
        raise VoiceError("espeak-ng is not installed; run 'make test' or 'apt-get install espeak-ng'")
    out = subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "--stdout", text],
                         capture_output=True, check=True).stdout
    with wave.open(io.BytesIO(out)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
        return trim_silence(to_engine_rate(samples, wav.getframerate()))


def trim_silence(speech: np.ndarray) -> np.ndarray:
    """A synthesizer's leading and trailing silence cut off: the room around it is added later."""
    loud = np.flatnonzero(np.abs(speech) > 300)
    return speech[loud[0] : loud[-1] + 1] if len(loud) else speech


def utterances(texts: list[str], locale: str, voices: int = 3, rates: tuple[int, ...] = RATES) -> list[Utterance]:
    return [Utterance(text, voice, rate, espeak(text, voice, rate))
            for voice in VOICES[locale][:voices] for rate in rates for text in texts]


def talk(locale: str, part: str | None = None) -> dict[str, list[str]]:
    """The talk corpus (talk.yaml): sentences (the talk near a safety phrase last) and short
    everyday utterances; `part` "tuning" (even lines) or "held-out" (odd lines), None for all of
    it."""
    corpus = _bundled("talk.yaml")[locale]
    said = {"sentences": corpus["sentences"] + corpus["near_safety"], "short": corpus["short"]}
    return {kind: _half(texts, part) for kind, texts in said.items()}


def near_safety(locale: str, part: str | None = None) -> list[str]:
    """The talk that holds a safety phrase's words or sounds near one (talk.yaml), or its `part`."""
    return _half(_bundled("talk.yaml")[locale]["near_safety"], part)


def _half(texts: list[str], part: str | None) -> list[str]:
    start = {"tuning": 0, "held-out": 1, None: 0}[part]
    return texts[start :: 1 if part is None else 2]


def requests_in_words(locale: str) -> list[str]:
    """Safety requests said among other words (requests_in_words.yaml): "please, I need help"."""
    return _bundled("requests_in_words.yaml")[locale]


def _bundled(name: str) -> dict:
    """A YAML file of this package's own test speech, per locale."""
    return yaml.safe_load((files(__package__) / name).read_text(encoding="utf-8"))


def ordinary_sentences(locale: str) -> list[str]:
    """Everyday sentences between partners that hold no command: what must never trigger one."""
    return talk(locale)["sentences"]


def room_noise(seconds: float, rng: np.random.Generator, level_dbfs: float = -55.0) -> np.ndarray:
    """A quiet living room: pink-ish hiss (fridge, traffic) with a faint mains hum, as int16."""
    n = int(seconds * RATE)
    white = rng.standard_normal(n)
    spectrum = np.fft.rfft(white)
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))  # 1/f power: pink
    pink = np.fft.irfft(spectrum, n)
    hum = 0.05 * np.sin(2 * np.pi * 50 * np.arange(n) / RATE)
    noise = pink / (np.sqrt(np.mean(pink**2)) + 1e-12) + hum
    return (noise * 32768 * 10 ** (level_dbfs / 20)).astype(np.int16)


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float | None) -> np.ndarray:
    """Speech placed after LEAD_S of `noise`, scaled so the noise sits `snr_db` below the speech;
    `None` is silence instead of noise."""
    lead, tail = int(LEAD_S * RATE), int(TAIL_S * RATE)
    total = lead + len(speech) + tail
    out = np.zeros(total)
    out[lead : lead + len(speech)] = speech
    if snr_db is not None:
        bed = np.resize(noise, total).astype(np.float64)
        speech_rms = np.sqrt(np.mean(speech.astype(np.float64) ** 2))
        bed *= speech_rms / (np.sqrt(np.mean(bed**2)) + 1e-12) / 10 ** (snr_db / 20)
        out += bed
    return np.clip(out, -32768, 32767).astype(np.int16)


def paused_requests(locale: str) -> list[tuple[str, str]]:
    """A safety phrase that begins a sentence, and the sentence's rest (talk.yaml: paused)."""
    return [(request, rest) for request, rest in _bundled("talk.yaml")[locale]["paused"]]
