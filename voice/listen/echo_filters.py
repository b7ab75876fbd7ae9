"""The adaptive filters the echo canceller can run, each behind one call: a microphone frame and the
frame played in the room (16-bit, 20 ms) in, the microphone frame without that echo out.

- `speexdsp` (the speaker's): Speex's linear canceller (`mdf.c`) through the `speexdsp` package, a
  2018 SWIG wrapper built from source against Debian's libspeexdsp (floating point); it needs an
  `imp` shim on Python 3.12+.
- `pyaec`: the same canceller as `pyaec` 1.0.1 ships it, compiled into wheels for x86-64 and aarch64
  (nothing to build), with its preprocessor (noise and residual-echo suppression) off.
- `webrtc`: WebRTC's AEC3 through `livekit` 1.2.1 (30 MB), noise suppression off; AEC3's own
  residual-echo suppressor has no switch.

Measured (issue 21; `voice bench bargein [--people] --canceller NAME`, the 4 rooms of
`bench/speaking.py`): echo removed from espeak speech 28-36 dB by speexdsp, 22-30 dB by pyaec, 31-39
dB by AEC3; espeak "stop" over the speaker's voice at 0 / -6 dB 40+40 of 80 with speexdsp, 39+38
with pyaec, 36+28 with AEC3 (its suppressor takes the couple's voice with the echo); held-out
people's "stop" 39/40 with both Speex builds. speexdsp stays: 6 dB more echo removed and no stop
lost. The others are not dependencies: install them to measure.
"""

import ctypes
import importlib
import importlib.machinery
import importlib.util
import sys
import types
from typing import Protocol

import numpy as np

DEFAULT = "speexdsp"


class EchoFilter(Protocol):
    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray: ...


class PyaecFilter:
    """Speex's echo canceller as `pyaec` ships it, called through its ctypes declarations with the
    frames' own buffers (its `cancel_echo` copies through Python lists: 3x the time)."""

    def __init__(self, frame_samples: int, filter_samples: int, rate: int) -> None:
        try:
            import pyaec
        except (OSError, AttributeError) as error:  # its library did not load: pyaec prints why
            raise ImportError(f"pyaec's compiled library could not be loaded ({error})") from error
        self._lib = pyaec.lib
        self._state = pyaec.Aec(frame_samples, filter_samples, rate, False)
        self._out = np.zeros(frame_samples, np.int16)

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        mic = np.ascontiguousarray(mic, np.int16)
        reference = np.ascontiguousarray(reference, np.int16)
        samples = ctypes.POINTER(ctypes.c_int16)
        self._lib.AecCancelEcho(self._state._aec, mic.ctypes.data_as(samples), reference.ctypes.data_as(samples),
                                self._out.ctypes.data_as(samples), len(mic))
        return self._out.copy()


class SpeexdspFilter:
    def __init__(self, frame_samples: int, filter_samples: int, rate: int) -> None:
        self._state = _speexdsp().EchoCanceller.create(frame_samples, filter_samples, rate)

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        out = self._state.process(mic.astype(np.int16).tobytes(), reference.astype(np.int16).tobytes())
        return np.frombuffer(out, np.int16)


class WebrtcFilter:
    """AEC3 works on 10 ms: each 20 ms frame is two calls. It finds its own delay; the filter length
    is its own."""

    def __init__(self, frame_samples: int, filter_samples: int, rate: int) -> None:
        from livekit import rtc

        self._rtc = rtc
        self._rate = rate
        self._apm = rtc.AudioProcessingModule(echo_cancellation=True)

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        half = self._rate // 100
        out = []
        for start in range(0, len(mic), half):
            played = self._rtc.AudioFrame(reference[start : start + half].astype(np.int16).tobytes(), self._rate, 1, half)
            self._apm.process_reverse_stream(played)
            heard = self._rtc.AudioFrame(bytearray(mic[start : start + half].astype(np.int16).tobytes()), self._rate, 1, half)
            self._apm.process_stream(heard)
            out.append(np.frombuffer(bytes(heard.data), np.int16))
        return np.concatenate(out)


FILTERS: dict[str, type] = {"speexdsp": SpeexdspFilter, "pyaec": PyaecFilter, "webrtc": WebrtcFilter}


def _speexdsp() -> types.ModuleType:
    """speexdsp 0.1.1's SWIG 2 wrapper loads its compiled part with `imp`, which Python 3.12 removed
    (Debian trixie has 3.13). It is given the two calls it makes, through importlib, for the length of
    its own import only."""
    if sys.version_info < (3, 12) or "speexdsp" in sys.modules:
        return importlib.import_module("speexdsp")

    def find_module(name: str, paths: list[str]) -> tuple:
        spec = importlib.machinery.PathFinder.find_spec(name, paths)
        if spec is None or spec.origin is None:
            raise ImportError(f"no module named {name}")
        return open(spec.origin, "rb"), spec.origin, None  # the wrapper closes it

    def load_module(name: str, file: object, path: str, description: object) -> types.ModuleType:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    shim = types.ModuleType("imp")
    shim.find_module, shim.load_module = find_module, load_module
    sys.modules["imp"] = shim
    try:
        return importlib.import_module("speexdsp")
    finally:
        del sys.modules["imp"]
