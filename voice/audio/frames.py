"""The engine's one audio format: 16 kHz mono int16, in frames of 20 ms. Frames are the clock."""

from collections.abc import Iterable, Iterator

import numpy as np

RATE = 16_000  # Hz
FRAME_MS = 20  # milliseconds per frame
FRAME_SAMPLES = RATE * FRAME_MS // 1000  # 320 samples = 20 ms
SILENT_FRAME = np.zeros(FRAME_SAMPLES, dtype=np.int16)
SILENT_FRAME.setflags(write=False)


def frames_for(seconds: float) -> int:
    """Whole frames covering `seconds` of audio (rounded to the nearest frame)."""
    return max(0, round(seconds * 1000 / FRAME_MS))


def seconds_of(frames: int) -> float:
    return frames * FRAME_MS / 1000


def split_frames(samples: np.ndarray) -> list[np.ndarray]:
    """Cut 16 kHz int16 samples into 20 ms frames, padding the last one with silence."""
    samples = np.asarray(samples, dtype=np.int16)
    remainder = len(samples) % FRAME_SAMPLES
    if remainder:
        samples = np.concatenate([samples, np.zeros(FRAME_SAMPLES - remainder, dtype=np.int16)])
    return list(samples.reshape(-1, FRAME_SAMPLES))


def stream_frames(chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    """20 ms frames from chunks of any length, the last one padded: hours of audio in constant memory."""
    carry = np.zeros(0, np.int16)
    for chunk in chunks:
        samples = np.concatenate([carry, np.asarray(chunk, np.int16)])
        whole = len(samples) // FRAME_SAMPLES * FRAME_SAMPLES
        yield from samples[:whole].reshape(-1, FRAME_SAMPLES)
        carry = samples[whole:]
    if len(carry):
        yield from split_frames(carry)


def rms_dbfs(frame: np.ndarray) -> float:
    """Loudness of a frame in dB relative to full scale (silence is -100 dBFS)."""
    mean_square = float(np.mean(np.square(frame.astype(np.float64))))
    return -100.0 if mean_square < 1.0 else 10 * np.log10(mean_square / 32768.0**2)
