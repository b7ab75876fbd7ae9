"""Test voices closer to people: several engines and variants per locale, split into a tuning half
(what phrases and thresholds were chosen on) and a held-out half (the headline figures).

A voice is `ENGINE:NAME`: `espeak:en-us+f2` (espeak-ng), `piper:en_US-joe-medium` (Piper, the
natural English voice), `flite:slt` (Debian's flite; kal, kal16, awb, rms, slt). Korean has only
espeak-ng's variants, which the Korean model hears poorly: Korean figures are a floor.
"""

import io
import shutil
import subprocess
import tempfile
import wave
from functools import cache
from pathlib import Path

import numpy as np

from ..audio.wavfile import to_engine_rate
from ..errors import VoiceError
from .speech import espeak, trim_silence

VOICE_SETS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "tuning": ("espeak:en-us", "espeak:en-us+f2", "espeak:en-us+m3", "piper:en_US-joe-medium", "flite:slt"),
        "held-out": ("espeak:en-us+f4", "espeak:en-us+m7", "flite:rms", "flite:awb", "flite:kal16"),
    },
    "ko": {  # the tuning half is the three variants the Korean commands were chosen on (issue 4)
        "tuning": ("espeak:ko+f2", "espeak:ko+f4", "espeak:ko+f1", "espeak:ko+m1"),
        "held-out": ("espeak:ko+f3", "espeak:ko+f5", "espeak:ko+m2", "espeak:ko+m3"),
    },
}
BASE_RATE = 150  # words per minute at which every engine speaks at its own pace


def speak(text: str, voice: str, rate: int = BASE_RATE) -> np.ndarray:
    """`text` in `voice` at about `rate` words a minute: 16 kHz int16, trimmed of silence."""
    engine, _, name = voice.partition(":")
    if engine == "espeak":
        return espeak(text, name, rate)
    if engine == "piper":
        return _piper(name, rate / BASE_RATE).sentence(text)
    if engine == "flite":
        return trim_silence(_flite(text, name, rate))
    raise VoiceError(f"unknown test voice '{voice}'; use espeak:NAME, piper:NAME or flite:NAME")


def available(voices: tuple[str, ...]) -> tuple[str, ...]:
    """Those of `voices` whose engine is installed here (Piper is an extra; flite a Debian package)."""
    from ..speak.piper_voice import piper_installed

    have = {"espeak": shutil.which("espeak-ng") is not None, "flite": shutil.which("flite") is not None,
            "piper": piper_installed()}
    return tuple(voice for voice in voices if have.get(voice.partition(":")[0], False))


@cache
def _piper(name: str, speed: float):
    from ..speak.piper_voice import PiperVoice

    return PiperVoice(name, speed=speed)


def _flite(text: str, voice: str, rate: int) -> np.ndarray:
    with tempfile.TemporaryDirectory(prefix="voice-flite-") as folder:
        out = Path(folder) / "said.wav"
        stretch = f"{BASE_RATE / rate:.3f}"
        subprocess.run(["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}", "-t", text, "-o", str(out)],
                       capture_output=True, check=True, timeout=60)
        with wave.open(io.BytesIO(out.read_bytes())) as wav:
            samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
            return to_engine_rate(samples, wav.getframerate())

