"""Listening conditions in a room: room tone (pink or brown noise, a fan's hum) from -65 to -45 dBFS,
a reverberant room response, and the talker's level varied by ±10 dB; and a slower talker. Digital
silence, which no microphone gives, is kept only as a reference row.
"""

from dataclasses import dataclass

import numpy as np

from ..audio.frames import RATE
from .room import impulse_response
from .speech import LEAD_S, TAIL_S

SPEECH_DBFS = -26.0  # a partner about a metre from a USB microphone


@dataclass(frozen=True)
class Condition:
    name: str
    tone: str | None  # "pink", "brown", "fan"; None: digital silence
    tone_dbfs: float = -60.0
    reverb_ms: float = 0.0  # RT60 of the room response; 0: none
    talker_db: float = 0.0  # the talker's level relative to SPEECH_DBFS
    snr_db: float | None = None  # instead of tone_dbfs: the tone this far below the speech
    words_a_minute: int | None = None  # the talker's pace; None: each voice's own (voices.BASE_RATE)


CONDITIONS = (
    Condition("digital silence (reference)", None),
    Condition("quiet room, pink -65", "pink", -65.0),
    Condition("fan hum -50", "fan", -50.0),
    Condition("brown -45, reverberant", "brown", -45.0, reverb_ms=400.0),
    Condition("pink -55, talker -10 dB", "pink", -55.0, talker_db=-10.0),
    Condition("pink -55, talker +10 dB, reverberant", "pink", -55.0, reverb_ms=300.0, talker_db=10.0),
    Condition("pink at 6 dB SNR", "pink", snr_db=6.0),
)
ROOM_TONE = CONDITIONS[1:6]  # the room-tone conditions the "with room tone" targets are measured over
AT_6DB = CONDITIONS[6]
# A tired partner may speak a fifth slower than the test voices do: a row of its own, outside the
# headline figures. At this pace the tuning voices' clustered start phrases ("start stress talk") were
# once longer than a command could be (listen/saying.py; issue 17's note).
SLOWER_TALKER = Condition("quiet room, talker at 120 words a minute", "pink", -65.0, words_a_minute=120)


def room_tone(kind: str, samples: int, rng: np.random.Generator, dbfs: float) -> np.ndarray:
    """`samples` of a room's steady sound at an RMS of `dbfs`, as float."""
    white = rng.standard_normal(samples)
    spectrum = np.fft.rfft(white)
    bins = np.arange(1, len(spectrum))
    if kind == "pink":
        spectrum[1:] /= np.sqrt(bins)  # 1/f power
    else:  # brown (1/f^2 power), also under a fan's hum
        spectrum[1:] /= bins
    noise = np.fft.irfft(spectrum, samples)
    noise /= np.sqrt(np.mean(noise**2)) + 1e-12
    if kind == "fan":
        t = np.arange(samples) / RATE
        wobble = 1 + 0.2 * np.sin(2 * np.pi * 0.7 * t)  # blades beating
        hum = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) / k for k, f in enumerate((100, 200, 300), 1))
        noise = 0.5 * noise + wobble * hum / np.sqrt(np.mean(hum**2))
        noise /= np.sqrt(np.mean(noise**2))
    return noise * 32768 * 10 ** (dbfs / 20)


def in_room(speech: np.ndarray, condition: Condition, rng: np.random.Generator) -> np.ndarray:
    """The utterance as the microphone hears it in `condition`, with LEAD_S before and TAIL_S after."""
    voiced = speech.astype(np.float64)
    voiced *= 32768 * 10 ** ((SPEECH_DBFS + condition.talker_db) / 20) / (np.sqrt(np.mean(voiced**2)) + 1e-12)
    if condition.reverb_ms:
        response = impulse_response(0.0, 0.0, rng, rt60_ms=condition.reverb_ms, reverb_db=-6.0)
        voiced = np.convolve(voiced, response)[: len(voiced) + len(response) // 2]
    lead, tail = int(LEAD_S * RATE), int(TAIL_S * RATE)
    out = np.zeros(lead + len(voiced) + tail)
    out[lead : lead + len(voiced)] = voiced
    if condition.tone is not None:
        level = condition.tone_dbfs
        speech_rms = float(np.sqrt(np.mean(voiced**2))) if len(voiced) else 0.0
        if condition.snr_db is not None and speech_rms > 0:  # (silence alone: the room at tone_dbfs)
            level = 20 * np.log10(speech_rms / 32768) - condition.snr_db
        out += room_tone(condition.tone, len(out), rng, level)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)
