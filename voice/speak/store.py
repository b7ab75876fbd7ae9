"""Rendered lines on disk, trusted only when they prove whole.

Each line is a WAV beside a small seal (`NAME.wav.seal`: its byte length and SHA-256). A line is
played from disk only if it is a regular file (not a link, FIFO or device) no larger than any line
can be, and its bytes match the seal; anything else is rendered again. Writing goes through a
`.part` file renamed into place, and any failure (a full disk, a read-only folder, libsndfile's
short write) is logged once and leaves nothing behind: the line is spoken from memory instead.
"""

import hashlib
import io
import logging
import os
import stat
import threading
from pathlib import Path

import numpy as np
import soundfile

from ..audio.frames import RATE

log = logging.getLogger(__name__)
MAX_LINE_BYTES = 32 * 1024 * 1024  # 17 minutes of 16 kHz speech: far longer than any line
SEAL = ".seal"


class LineStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._failing = False  # writes are failing: said once, then quiet until one works again
        self._lock = threading.Lock()

    def has(self, path: Path) -> bool:
        return path.is_file() and Path(f"{path}{SEAL}").is_file()

    def read(self, path: Path) -> np.ndarray | None:
        """The line's audio if the file on disk is exactly what was stored, else None."""
        seal = _read_small(Path(f"{path}{SEAL}"), 200)
        data = _read_small(path, MAX_LINE_BYTES) if seal is not None else None
        if seal is None or data is None:
            return None
        if seal.decode(errors="replace").split() != [str(len(data)), hashlib.sha256(data).hexdigest()]:
            log.warning("the cached line %s does not match its seal; rendering it again", path.name)
            return None
        try:
            samples, rate = soundfile.read(io.BytesIO(data), dtype="int16")
        except soundfile.LibsndfileError:
            rate = 0  # sealed but unreadable: render it again
        if rate != RATE or samples.ndim != 1:
            log.warning("the cached line %s cannot be read; rendering it again", path.name)
            return None
        return samples

    def write(self, path: Path, samples: np.ndarray) -> None:
        """Store a line and its seal, atomically each; a failure is logged, never raised."""
        buffer = io.BytesIO()
        soundfile.write(buffer, np.asarray(samples, np.int16), RATE, "PCM_16", format="WAV")
        data = buffer.getvalue()
        seal = f"{len(data)} {hashlib.sha256(data).hexdigest()}\n".encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _replace(path, data)
            _replace(Path(f"{path}{SEAL}"), seal)
        except OSError as error:
            with self._lock:
                if not self._failing:
                    log.error("cannot store spoken lines in %s (%s); speaking them from memory — free some "
                              "space or check the folder's permissions", self.folder, error.strerror or error)
                self._failing = True
            return
        with self._lock:
            self._failing = False


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        with open(partial, "wb") as file:
            file.write(data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _read_small(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes (not following a link, never blocking on a FIFO), or None."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            log.warning("ignoring %s in the prompt cache: not a line the speaker wrote", path.name)
            return None
        data = file.read(limit + 1)
    return data if len(data) <= limit else None
