"""Reading any PCM WAV as engine audio (16 kHz mono int16) and writing engine audio to WAV."""

import wave
from pathlib import Path

import numpy as np
import soxr

from ..errors import AudioError
from .frames import RATE

_HOW_TO_CONVERT = "convert it with: sox IN -r 16000 -c 1 -b 16 OUT.wav"


def to_engine_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample mono audio (any dtype soxr takes) to 16 kHz int16."""
    if rate != RATE:
        samples = soxr.resample(samples.astype(np.float32), rate, RATE)
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def read_wav(path: Path) -> np.ndarray:
    """Any 8/16/24/32-bit PCM WAV, any rate and channel count, mixed to 16 kHz mono int16."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise AudioError(f"the input file {path} does not exist; check the path") from None
    except (wave.Error, EOFError, OSError) as error:
        detail = str(error) or "it ends before its header does"
        raise AudioError(f"{path} is not a readable PCM WAV file ({detail}); {_HOW_TO_CONVERT}") from None
    if rate < 8000:
        raise AudioError(f"{path} has a sample rate of {rate} Hz, too low for speech; {_HOW_TO_CONVERT}")
    samples = _pcm_to_float(raw, width, path)
    usable = len(samples) - len(samples) % channels
    mono = samples[:usable].reshape(-1, channels).mean(axis=1)
    return to_engine_rate(mono * 32768.0, rate)


def _pcm_to_float(raw: bytes, width: int, path: Path) -> np.ndarray:
    """PCM bytes to floats in [-1, 1]."""
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    if width == 2:
        return np.frombuffer(raw, "<i2").astype(np.float32) / 32768
    if width == 3:
        usable = len(raw) - len(raw) % 3
        bytes3 = np.frombuffer(raw[:usable], np.uint8).reshape(-1, 3).astype(np.int32)
        values = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return values.astype(np.float32) / (1 << 23)
    if width == 4:
        return np.frombuffer(raw, "<i4").astype(np.float32) / 2**31
    raise AudioError(f"{path} uses {8 * width}-bit samples, which are not supported; {_HOW_TO_CONVERT}")


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """Write mono int16 samples."""
    try:
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    except OSError as error:
        raise AudioError(
            f"cannot write {path} ({error.strerror}); choose a path in a folder you can write to"
        ) from None
