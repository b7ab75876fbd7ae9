"""The engine's one audio format: 16 kHz mono int16, in frames of 20 ms. Frames are the clock."""

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


def rms_dbfs(frame: np.ndarray) -> float:
    """Loudness of a frame in dB relative to full scale (silence is -100 dBFS)."""
    mean_square = float(np.mean(np.square(frame.astype(np.float64))))
    return -100.0 if mean_square < 1.0 else 10 * np.log10(mean_square / 32768.0**2)
