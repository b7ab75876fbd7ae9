"""Hearing the couple over the speaker's own voice: Speex's echo canceller (`speexdsp`; the filters
compared with it are in `echo_filters.py`).

The engine knows, frame by frame, what it played; the canceller learns the room's echo path from that
(an adaptive filter 256 ms long: the delay plus most of a living room's reverb) and subtracts it from
the microphone. Chosen by measurement over WebRTC's AEC3 (`pywebrtc-audio`): AEC3 removed as much echo
(38 dB) but its suppressor also cut "stop" said over the speaker by 5 to 30 dB per block, and Vosk
heard nothing; Speex's linear canceller leaves the couple's voice intact. It runs only while the
speaker talks and for its echo tail (0.09 ms a frame here), so an idle speaker pays nothing.

Until the canceller has heard the speaker for a few seconds it has not learned the room, and the echo
would come through: barge-in waits for that (`ready`), and until then the engine gates as before.
Without the package the engine always gates, and says so once.

A real sound card adds its buffers to the path: the echo of a frame reaches the microphone tens to
hundreds of milliseconds after the engine made it, beyond what the filter spans. `EchoDelay` finds
that delay in the signals themselves (the device's reported latency is only the first guess), and
the reference is delayed to match, so the filter only has the room left to learn.
"""

import logging
from collections import deque

import numpy as np

from ..audio.frames import FRAME_SAMPLES, RATE, frames_for
from .echo_filters import DEFAULT, FILTERS, EchoFilter

log = logging.getLogger(__name__)
FILTER_SAMPLES = 4096  # 256 ms at 16 kHz
LEARNING_FRAMES = frames_for(5.0)  # of the speaker's voice before barge-in is trusted
VOICED_LEVEL = 100  # a played frame louder than this (peak) teaches the canceller the room
WINDOW_SAMPLES = frames_for(2.0) * FRAME_SAMPLES  # played and heard sound compared to find the delay
MAX_DELAY_S = 0.8  # the longest path looked for: a sound card's buffers both ways, and the room
ESTIMATE_EVERY = frames_for(2.0)  # of the speaker's voice between two looks at the delay
CLEAR_PEAK = 30.0  # deviations above the rest: the echo measured 90-340; talk with no echo up to 49,
# at random lags, so a new delay must also be found twice running
LEAD_SAMPLES = FRAME_SAMPLES // 2  # the reference stays this far ahead of its echo: never behind it


class EchoDelay:
    """Where the echo of what was played lands in the microphone, in samples: the peak of their
    phase-transform cross-correlation (GCC-PHAT) over the last 2 s, looked at every 2 s of the
    speaker's voice. Only a clear peak counts: the couple talking over the speaker blurs it."""

    def __init__(self) -> None:
        self._played = np.zeros(WINDOW_SAMPLES)
        self._heard = np.zeros(WINDOW_SAMPLES)
        self._at = 0  # where the next frame is written in both rings
        self._voiced = 0  # voiced frames played since the last look

    def observe(self, mic: np.ndarray, played: np.ndarray, voiced: bool) -> int | None:
        """Record one frame of each; the delay when it was just found, else None."""
        self._played[self._at : self._at + FRAME_SAMPLES] = played
        self._heard[self._at : self._at + FRAME_SAMPLES] = mic
        self._at = (self._at + FRAME_SAMPLES) % WINDOW_SAMPLES
        self._voiced += voiced
        if self._voiced < ESTIMATE_EVERY:
            return None
        self._voiced = 0
        return self.estimate()

    def estimate(self) -> int | None:
        played, heard = np.roll(self._played, -self._at), np.roll(self._heard, -self._at)
        size = 2 * WINDOW_SAMPLES
        cross = np.fft.rfft(heard, size) * np.conj(np.fft.rfft(played, size))
        correlation = np.fft.irfft(cross / (np.abs(cross) + 1e-9), size)[: int(MAX_DELAY_S * RATE)]
        lag = int(np.argmax(correlation))
        rest = np.delete(correlation, np.s_[max(0, lag - 80) : lag + 80])  # all but the peak's 10 ms
        if correlation[lag] < rest.mean() + CLEAR_PEAK * rest.std():
            return None
        return lag


class EchoCanceller:
    def __init__(self, rate: int = RATE, linear: str = DEFAULT) -> None:
        self._rate = rate
        self._linear = FILTERS[linear]
        self._filter: EchoFilter = self._linear(FRAME_SAMPLES, FILTER_SAMPLES, rate)
        self._learned = 0  # frames of the speaker's voice heard so far
        self._reference: deque[np.ndarray] = deque([np.zeros(FRAME_SAMPLES, np.int16)], maxlen=1)
        self._delay = EchoDelay()
        self._candidate: int | None = None  # a new delay, seen once: it must be seen again to count

    @property
    def ready(self) -> bool:
        return self._learned >= LEARNING_FRAMES

    @property
    def delay_frames(self) -> int:
        """Frames the reference is held back: the sound card's part of the echo path."""
        return self._reference.maxlen - 1

    def expect_delay(self, seconds: float) -> None:
        """The device's reported round trip: the first guess, until the echo itself is measured."""
        self._align(int(seconds * RATE))

    def clean(self, mic: np.ndarray, played: np.ndarray) -> np.ndarray:
        """The microphone frame without the echo of what the speaker played."""
        voiced = bool(np.abs(played).max(initial=0) > VOICED_LEVEL)
        self._learned += voiced
        self._reference.append(played.astype(np.int16))
        reference = self._reference[0]
        out = self._filter.process(mic.astype(np.int16), reference)
        lag = self._delay.observe(mic, played, voiced)
        if lag is not None:
            frames = _frames_behind(lag)
            if frames != self.delay_frames and frames == self._candidate:
                log.info("the echo arrives %d ms after it is played; the canceller follows it", lag * 1000 // RATE)
                self._align(lag)
            self._candidate = frames
        return out

    def _align(self, lag: int) -> None:
        """Hold the reference back by `lag` (less a margin), and learn the room again from there."""
        frames = _frames_behind(lag)
        if frames == self.delay_frames:
            return
        history = list(self._reference)[-(frames + 1) :]
        padding = [np.zeros(FRAME_SAMPLES, np.int16)] * (frames + 1 - len(history))
        self._reference = deque(padding + history, maxlen=frames + 1)
        self._filter = self._linear(FRAME_SAMPLES, FILTER_SAMPLES, self._rate)
        self._learned = 0


def _frames_behind(lag: int) -> int:
    return max(0, (lag - LEAD_SAMPLES) // FRAME_SAMPLES)


def echo_canceller() -> EchoCanceller | None:
    try:
        return EchoCanceller()
    except ImportError:
        log.warning("speexdsp is not installed, so the speaker cannot hear 'stop' while it talks; "
                    "install it with 'make run' (it needs the Debian packages libspeexdsp-dev and swig)")
        return None
