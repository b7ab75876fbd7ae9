"""Hearing the couple over the speaker's own voice: Speex's echo canceller (`speexdsp`).

The engine knows, frame by frame, what it played; the canceller learns the room's echo path from that
(an adaptive filter 256 ms long: the delay plus most of a living room's reverb) and subtracts it from
the microphone. Chosen by measurement over WebRTC's AEC3 (`pywebrtc-audio`): AEC3 removed as much echo
(38 dB) but its suppressor also cut "stop" said over the speaker by 5 to 30 dB per block, and Vosk
heard nothing; Speex's linear canceller leaves the couple's voice intact. It runs only while the
speaker talks and for its echo tail (0.09 ms a frame here), so an idle speaker pays nothing.

Until the canceller has heard the speaker for a few seconds it has not learned the room, and the echo
would come through: barge-in waits for that (`ready`), and until then the engine gates as before.
Without the package the engine always gates, and says so once.
"""

import importlib
import importlib.machinery
import importlib.util
import logging
import sys
import types

import numpy as np

from ..audio.frames import FRAME_SAMPLES, RATE, frames_for

log = logging.getLogger(__name__)
FILTER_SAMPLES = 4096  # 256 ms at 16 kHz
LEARNING_FRAMES = frames_for(5.0)  # of the speaker's voice before barge-in is trusted
VOICED_LEVEL = 100  # a played frame louder than this (peak) teaches the canceller the room


class EchoCanceller:
    def __init__(self, rate: int = RATE) -> None:
        self._speex = _speex().EchoCanceller.create(FRAME_SAMPLES, FILTER_SAMPLES, rate)
        self._learned = 0  # frames of the speaker's voice heard so far

    @property
    def ready(self) -> bool:
        return self._learned >= LEARNING_FRAMES

    def clean(self, mic: np.ndarray, played: np.ndarray) -> np.ndarray:
        """The microphone frame without the echo of what the speaker played."""
        if np.abs(played).max(initial=0) > VOICED_LEVEL:
            self._learned += 1
        out = self._speex.process(mic.astype(np.int16).tobytes(), played.astype(np.int16).tobytes())
        return np.frombuffer(out, np.int16)


def _speex() -> types.ModuleType:
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


def echo_canceller() -> EchoCanceller | None:
    try:
        return EchoCanceller()
    except ImportError:
        log.warning("speexdsp is not installed, so the speaker cannot hear 'stop' while it talks; "
                    "install it with 'make run' (it needs the Debian packages libspeexdsp-dev and swig)")
        return None
