"""Reading any sound file as engine audio (16 kHz mono int16) and writing engine audio to WAV.

libsndfile (through soundfile) reads what a recorder may hand us: 8- to 32-bit and float PCM,
WAVE_FORMAT_EXTENSIBLE (what sox and most tools write for 24-bit or more than two channels),
A-law and u-law, FLAC. We only mix to mono, resample, and explain what cannot be used. Both
directions stream, so an 8-hour file costs the same memory as a short one.
"""

import logging
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile
import soxr

from ..errors import AudioError
from .frames import RATE

log = logging.getLogger(__name__)
_HOW_TO_CONVERT = "convert it with: sox IN -r 16000 -c 1 -b 16 OUT.wav"
MIN_RATE = 8000  # below this, speech loses the formants the recognizer needs
BLOCK_S = 10.0  # seconds read at a time


def to_engine_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample mono audio (any dtype soxr takes) to 16 kHz int16."""
    if rate != RATE:
        samples = soxr.resample(samples.astype(np.float32), rate, RATE)
    return _int16(samples)


def read_wav(path: Path) -> np.ndarray:
    """Any sound file libsndfile reads, any rate and channel count, mixed to 16 kHz mono int16."""
    return np.concatenate(list(read_blocks(path)))


def read_blocks(path: Path, seconds: float = BLOCK_S) -> Iterator[np.ndarray]:
    """The file as engine audio, `seconds` at a time. Opening problems raise here, at once."""
    try:
        file = open(path, "rb")
    except FileNotFoundError:
        raise AudioError(f"the input file {path} does not exist; check the path") from None
    except OSError as error:
        raise AudioError(f"cannot read {path} ({error.strerror}); check the path and its permissions") from None
    try:
        sound = soundfile.SoundFile(file)
    except soundfile.LibsndfileError as error:
        file.close()
        raise AudioError(f"{path} is not a sound file that can be read ({error.error_string.rstrip('.')}); "
                         f"{_HOW_TO_CONVERT}") from None
    problem = (f"has a sample rate of {sound.samplerate} Hz, too low for speech; {_HOW_TO_CONVERT}"
               if sound.samplerate < MIN_RATE else
               "holds no audio (0 samples); record or choose another file" if sound.frames == 0 else None)
    if problem is not None:
        sound.close()
        file.close()
        raise AudioError(f"{path} {problem}")
    _warn_if_truncated(path, sound)
    return _blocks(file, sound, seconds)


def _blocks(file, sound: soundfile.SoundFile, seconds: float) -> Iterator[np.ndarray]:
    rate = sound.samplerate
    resampler = soxr.ResampleStream(rate, RATE, 1, dtype="float32") if rate != RATE else None
    with file, sound:
        for block in sound.blocks(blocksize=max(1, int(seconds * rate)), dtype="float32", always_2d=True):
            mono = block.mean(axis=1) * 32768.0
            yield _int16(resampler.resample_chunk(mono) if resampler else mono)
        if resampler is not None:
            yield _int16(resampler.resample_chunk(np.zeros(0, np.float32), last=True))


def _int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def _warn_if_truncated(path: Path, sound: soundfile.SoundFile) -> None:
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
                    "it holds", path, size, declared, sound.frames / sound.samplerate)


class WavWriter:
    """Engine audio appended to a 16-bit PCM WAV as it is made (whatever the file name's suffix).

    libsndfile writes the file itself (not through a Python file object, whose errors it could only
    print), so a full disk is one AudioError, and `close` always leaves a header with the true length."""

    def __init__(self, path: Path, rate: int = RATE) -> None:
        self.path = path
        try:
            open(path, "ab").close()  # for the system's own reason when the path cannot be written at all
            self._sound = soundfile.SoundFile(str(path), "w", rate, 1, "PCM_16", format="WAV")
        except OSError as error:
            raise AudioError(f"cannot write {path} ({error.strerror}); choose a path in a folder you can "
                             "write to") from None
        except soundfile.LibsndfileError:
            raise AudioError(f"cannot write {path}: the disk is full or the file cannot hold a WAV; "
                             "free some space or choose another path") from None

    def write(self, samples: np.ndarray) -> None:
        try:
            self._sound.write(np.asarray(samples, dtype=np.int16))
        except (AssertionError, soundfile.LibsndfileError, OSError):  # soundfile asserts on a short write
            raise AudioError(f"cannot write {self.path}: the disk is full or the file cannot grow; "
                             "free some space or choose another path") from None

    def close(self) -> None:
        """Finish the header (its length fields) and close; safe to call twice."""
        try:
            if not self._sound.closed:
                self._sound.close()
        except (AssertionError, soundfile.LibsndfileError, OSError):
            pass  # the write that failed has said so


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """Write mono int16 samples."""
    writer = WavWriter(path, rate)
    try:
        writer.write(samples)
    finally:
        writer.close()
