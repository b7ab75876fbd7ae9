"""Generated earcons: soft sine tones with smooth fades, so no sound file ships with the speaker."""

import numpy as np

from .frames import RATE


def tone(frequencies: list[float], note_ms: int = 90, gap_ms: int = 20, level: float = 0.18) -> np.ndarray:
    """A short sequence of soft notes (raised-cosine envelope), as 16 kHz int16."""
    notes = []
    length = RATE * note_ms // 1000
    envelope = np.sin(np.linspace(0, np.pi, length)) ** 2
    t = np.arange(length) / RATE
    for frequency in frequencies:
        # A little of the octave above makes the note rounder than a pure sine.
        wave = np.sin(2 * np.pi * frequency * t) + 0.25 * np.sin(4 * np.pi * frequency * t)
        notes.append(wave / 1.25 * envelope)
        notes.append(np.zeros(RATE * gap_ms // 1000))
    return (np.concatenate(notes) * level * 32767).astype(np.int16)


def understood_chime() -> np.ndarray:
    """Two rising notes (G5, C6): a command was understood."""
    return tone([784.0, 1046.5], note_ms=70, gap_ms=10)


def glide(start_hz: float, end_hz: float, ms: int, level: float = 0.10) -> np.ndarray:
    """One soft note sliding in pitch: breathing phases (rising in, falling out)."""
    length = RATE * ms // 1000
    frequency = np.linspace(start_hz, end_hz, length)
    phase = 2 * np.pi * np.cumsum(frequency) / RATE
    envelope = np.sin(np.linspace(0, np.pi, length)) ** 2
    return (np.sin(phase) * envelope * level * 32767).astype(np.int16)


def earcons() -> dict[str, np.ndarray]:
    """Every earcon by name: soft, short, and never in the speech band's loudest range."""
    return {
        "understood": understood_chime(),
        "listening": tone([523.3, 784.0], note_ms=80, gap_ms=10, level=0.10),  # "your answer?": C5, G5
        "not_understood": tone([587.3, 440.0], note_ms=90, gap_ms=20, level=0.10),  # falling D5, A4
        "turn": tone([659.3, 784.0], note_ms=110, gap_ms=30, level=0.12),  # "your turn": E5, G5
        "return": tone([523.3, 659.3, 784.0], note_ms=220, gap_ms=60, level=0.14),  # break over
        "inhale": glide(330, 440, 400),
        "exhale": glide(440, 330, 400),
        "hold": tone([392.0], note_ms=200, level=0.06),
    }
