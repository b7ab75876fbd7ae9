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
