"""The live driver: one full-duplex sounddevice stream; the callback only moves samples.

The callback copies microphone blocks into a queue and plays what the engine thread left in the
output buffer (silence when it is late). All work happens in the engine thread.
"""

import logging
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np
import sounddevice as sd
import soxr

from ..engine import Engine
from ..errors import AudioError
from ..events import Event
from .devices import find_device, supported_rate
from .frames import FRAME_MS, FRAME_SAMPLES, RATE, frames_for

log = logging.getLogger(__name__)
QUEUE_TIMEOUT_S = 2.0  # no microphone block for this long means the stream died
DRAIN_TIMEOUT_S = 1.0  # on stopping, let already-produced output play out for at most this long


class _OutputBuffer:
    """Samples waiting to be played; written by the engine thread, read by the callback."""

    def __init__(self) -> None:
        self._chunks: deque[np.ndarray] = deque()

    @property
    def empty(self) -> bool:
        return not self._chunks

    def write(self, samples: np.ndarray) -> None:
        if len(samples):
            self._chunks.append(samples)

    def read_into(self, out: np.ndarray) -> None:
        filled = 0
        while filled < len(out) and self._chunks:
            chunk = self._chunks[0]
            take = min(len(out) - filled, len(chunk))
            out[filled : filled + take] = chunk[:take]
            filled += take
            if take == len(chunk):
                self._chunks.popleft()
            else:
                self._chunks[0] = chunk[take:]
        out[filled:] = 0


def run_live(engine: Engine, input_device: str | None, output_device: str | None,
             on_events: Callable[[list[Event]], None], max_seconds: float | None = None) -> None:
    """Run until interrupted (Ctrl-C, SIGTERM) or `max_seconds` of audio have passed."""
    mic_device, speaker_device = find_device(input_device, "input"), find_device(output_device, "output")
    rate = supported_rate(mic_device, "input", RATE)
    if supported_rate(speaker_device, "output", rate) != rate:
        raise AudioError(
            f"the microphone and speaker share no sample rate ({rate} Hz); use a plug device in ALSA "
            "(see hardware/) so both run at one rate"
        )
    block = rate * FRAME_MS // 1000
    mic_blocks: queue.Queue[np.ndarray] = queue.Queue()
    output = _OutputBuffer()
    problems: list[str] = []

    def callback(indata: np.ndarray, outdata: np.ndarray, frames: int, time, status) -> None:
        if status:
            problems.append(str(status))
        mic_blocks.put_nowait(indata[:, 0].copy())
        output.read_into(outdata[:, 0])

    to_engine = soxr.ResampleStream(rate, RATE, 1, dtype="int16") if rate != RATE else None
    to_device = soxr.ResampleStream(RATE, rate, 1, dtype="int16") if rate != RATE else None
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if threading.current_thread() is threading.main_thread() else None
    limit = frames_for(max_seconds) if max_seconds is not None else None
    log.info("listening on '%s', speaking on '%s' at %d Hz", mic_device["name"], speaker_device["name"], rate)
    try:
        stream = sd.Stream(device=(mic_device["index"], speaker_device["index"]), samplerate=rate,
                           blocksize=block, dtype="int16", channels=1, callback=callback)
    except (sd.PortAudioError, ValueError) as error:
        raise AudioError(f"cannot open the audio devices ({error}); check them with 'voice devices'") from None
    pending = np.zeros(0, dtype=np.int16)
    engine.player.wait = False  # a line still rendering streams in; the audio thread never waits for it
    try:
        with stream:
            latency = stream.latency
            log.info("device latency: input %.0f ms, output %.0f ms", latency[0] * 1000, latency[1] * 1000)
            while not stop.is_set() and (limit is None or engine.frame < limit):
                try:
                    samples = mic_blocks.get(timeout=QUEUE_TIMEOUT_S)
                except queue.Empty:
                    raise AudioError("the microphone stopped sending audio; check its cable and 'voice devices'") from None
                if to_engine is not None:
                    samples = to_engine.resample_chunk(samples)
                pending = np.concatenate([pending, samples])
                while len(pending) >= FRAME_SAMPLES and (limit is None or engine.frame < limit):
                    speaker, events = engine.feed(pending[:FRAME_SAMPLES])
                    pending = pending[FRAME_SAMPLES:]
                    output.write(to_device.resample_chunk(speaker) if to_device is not None else speaker)
                    on_events(events)
                while problems:
                    log.warning("audio stream: %s", problems.pop())
            # Let what was already produced reach the speaker instead of cutting it off mid-sound.
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            while not output.empty and time.monotonic() < deadline:
                time.sleep(FRAME_MS / 1000)
    except KeyboardInterrupt:
        pass
    except sd.PortAudioError as error:
        raise AudioError(f"the audio stream failed ({error}); check the devices with 'voice devices'") from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
