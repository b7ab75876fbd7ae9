"""Reading any sound file as engine audio (16 kHz mono int16) and writing engine audio to WAV.

libsndfile (through soundfile) reads what a recorder may hand us: 8- to 32-bit and float PCM,
WAVE_FORMAT_EXTENSIBLE (what sox and most tools write for 24-bit or more than two channels),
A-law and u-law, FLAC. We only mix to mono, resample, and explain what cannot be used.
"""

import logging
import struct
from pathlib import Path

import numpy as np
import soundfile
import soxr

from ..errors import AudioError
from .frames import RATE

log = logging.getLogger(__name__)
_HOW_TO_CONVERT = "convert it with: sox IN -r 16000 -c 1 -b 16 OUT.wav"
MIN_RATE = 8000  # below this, speech loses the formants the recognizer needs


def to_engine_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample mono audio (any dtype soxr takes) to 16 kHz int16."""
    if rate != RATE:
        samples = soxr.resample(samples.astype(np.float32), rate, RATE)
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def read_wav(path: Path) -> np.ndarray:
    """Any sound file libsndfile reads, any rate and channel count, mixed to 16 kHz mono int16."""
    try:
        with open(path, "rb") as file, soundfile.SoundFile(file) as sound:
            rate, channels = sound.samplerate, sound.channels
            if rate < MIN_RATE:
                raise AudioError(f"{path} has a sample rate of {rate} Hz, too low for speech; "
                                 f"{_HOW_TO_CONVERT}")
            samples = sound.read(dtype="float32", always_2d=True)
    except FileNotFoundError:
        raise AudioError(f"the input file {path} does not exist; check the path") from None
    except soundfile.LibsndfileError as error:
        reason = error.error_string.rstrip(".")
        raise AudioError(f"{path} is not a sound file that can be read ({reason}); "
                         f"{_HOW_TO_CONVERT}") from None
    except OSError as error:
        raise AudioError(f"cannot read {path} ({error.strerror}); check the path and its "
                         f"permissions") from None
    if len(samples) == 0:
        raise AudioError(f"{path} holds no audio (0 samples); record or choose another file")
    _warn_if_truncated(path, len(samples), channels, rate)
    return to_engine_rate(samples.mean(axis=1) * 32768.0, rate)


def _warn_if_truncated(path: Path, frames: int, channels: int, rate: int) -> None:
    """A WAV whose RIFF header promises more bytes than the file has was cut short (a recorder
    killed mid-write); libsndfile reads what is there, and the user should know."""
    with open(path, "rb") as file:
        head = file.read(12)
        size = file.seek(0, 2)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return
    declared = struct.unpack("<I", head[4:8])[0] + 8
    if size < declared < 0xFFFFFFFF:  # 0xFFFFFFFF: written as a stream that never knew its length
        log.warning("%s ends early (%d of the %d bytes its header promises); using the %.2f s "
                    "it holds", path, size, declared, frames / rate)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """Write mono int16 samples as a 16-bit PCM WAV (whatever the file name's suffix)."""
    try:
        with open(path, "wb") as file:
            soundfile.write(file, np.asarray(samples, dtype=np.int16), rate,
                            format="WAV", subtype="PCM_16")
    except OSError as error:
        raise AudioError(f"cannot write {path} ({error.strerror}); choose a path in a folder "
                         f"you can write to") from None
