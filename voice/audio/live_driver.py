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
from ..status import StatusBoard, process_age
from .devices import find_device, supported_rate
from .frames import FRAME_MS, FRAME_SAMPLES, RATE, frames_for

log = logging.getLogger(__name__)
QUEUE_TIMEOUT_S = 2.0  # no microphone block for this long means the device stalled
POLL_S = 0.25  # how often a quiet stream is checked for having died
RETRY_DELAYS_S = (0.2, 0.5, 1.0)  # looking for lost devices again: then once a second until they are back
FLAP_S = 5.0  # a stream that dies sooner than this after opening is failing, not unplugged: back off
FLAP_MAX_S = 30.0
MOST_SKIPPED_S = 1.0  # of late output: a longer stall is a failure, and what it held is better heard late
DRAIN_TIMEOUT_S = 1.0  # on stopping, let already-produced output play out for at most this long


class _OutputBuffer:
    """Samples waiting to be played; written by the engine thread, read by the callback.

    When the engine falls behind (a recognizer's burst of work), the callback plays silence and the
    microphone's blocks pile up; the engine's answers to them then arrive late. Played in full, each
    such stall would delay the speaker (and move its echo) for the rest of the evening. So as much of
    the late output as the silence that stood in for it is skipped. Silence played while the engine
    was not behind (a device that takes its blocks in bursts) is owed nothing."""

    def __init__(self, most_owed: int) -> None:
        self._chunks: deque[np.ndarray] = deque()
        self._lock = threading.Lock()  # held for a few deque operations, never while waiting
        self._owed = 0  # samples of silence played in place of output the engine had yet to make ...
        self._most_owed = most_owed  # ... up to this: after a longer stall, late beats never
        self.skipped = 0  # samples of late output skipped

    @property
    def empty(self) -> bool:
        return not self._chunks

    def write(self, samples: np.ndarray) -> None:
        with self._lock:
            skip = min(self._owed, len(samples))
            self._owed -= skip
            self.skipped += skip
            if skip < len(samples):
                self._chunks.append(samples[skip:])

    def read_into(self, out: np.ndarray, behind: bool = False) -> None:
        """Fill `out`; `behind`: microphone blocks are waiting for the engine, so any shortfall is
        late output, to be skipped when it comes."""
        filled = 0
        with self._lock:
            while filled < len(out) and self._chunks:
                chunk = self._chunks[0]
                take = min(len(out) - filled, len(chunk))
                out[filled : filled + take] = chunk[:take]
                filled += take
                if take == len(chunk):
                    self._chunks.popleft()
                else:
                    self._chunks[0] = chunk[take:]
            if behind:
                self._owed = min(self._owed + len(out) - filled, self._most_owed)
        out[filled:] = 0


class _Stream:
    """One open full-duplex stream: the devices, their rate, and the resamplers to and from 16 kHz."""

    def __init__(self, input_device: str | None, output_device: str | None) -> None:
        mic, speaker = find_device(input_device, "input"), find_device(output_device, "output")
        self.rate = supported_rate(mic, "input", RATE)
        if supported_rate(speaker, "output", self.rate) != self.rate:
            raise AudioError(
                f"the microphone and speaker share no sample rate ({self.rate} Hz); use a plug device in ALSA "
                "(see hardware/) so both run at one rate"
            )
        self.names = mic["name"], speaker["name"]
        self.blocks: queue.Queue[np.ndarray] = queue.Queue()
        self.output = _OutputBuffer(most_owed=round(self.rate * MOST_SKIPPED_S))
        self.given = 0  # microphone blocks handed to the engine (callback thread) ...
        self.answered = 0  # ... and those it has answered (engine thread): fewer means it is behind
        self.problems: list[str] = []
        self.to_engine = soxr.ResampleStream(self.rate, RATE, 1, dtype="int16") if self.rate != RATE else None
        self.to_device = soxr.ResampleStream(RATE, self.rate, 1, dtype="int16") if self.rate != RATE else None
        try:
            self.stream = sd.Stream(device=(mic["index"], speaker["index"]), samplerate=self.rate,
                                    blocksize=self.rate * FRAME_MS // 1000, dtype="int16", channels=1,
                                    callback=self._callback)
            self._started = time.monotonic()  # the device's clock, as far as we can see it
            self.stream.start()
        except (sd.PortAudioError, ValueError) as error:
            raise AudioError(f"cannot open the audio devices ({error}); check them with 'voice devices'") from None

    def _callback(self, indata: np.ndarray, outdata: np.ndarray, frames: int, time, status) -> None:
        if status:
            self.problems.append(str(status))
        self.output.read_into(outdata[:, 0], behind=self.answered < self.given and self._in_real_time(frames))
        self.blocks.put_nowait(indata[:, 0].copy())
        self.given += 1

    def _in_real_time(self, frames: int) -> bool:
        """Whether the device takes its blocks no faster than its clock (a sound card does; ALSA's file
        plugin on a null device, as in the tests, runs as fast as it is asked and is never late)."""
        return time.monotonic() - self._started >= 0.9 * self.given * frames / self.rate

    def read(self) -> np.ndarray:
        """The next microphone block at 16 kHz; AudioError when the stream died or went silent."""
        waited = 0.0
        while True:
            try:
                samples = self.blocks.get(timeout=POLL_S)
                break
            except queue.Empty:
                waited += POLL_S
                if not self.stream.active:
                    raise AudioError("the audio stream stopped (was a device unplugged?)") from None
                if waited >= QUEUE_TIMEOUT_S:
                    raise AudioError("the microphone stopped sending audio; check its cable") from None
        while self.problems:
            log.debug("audio stream: %s", self.problems.pop())
        return self.to_engine.resample_chunk(samples) if self.to_engine is not None else samples

    def write(self, speaker: np.ndarray) -> None:
        self.output.write(self.to_device.resample_chunk(speaker) if self.to_device is not None else speaker)

    def devices(self) -> dict[str, object]:
        latency = self.stream.latency
        return {"input": self.names[0], "output": self.names[1], "rate": self.rate,
                "input_latency_ms": round(latency[0] * 1000), "output_latency_ms": round(latency[1] * 1000)}

    def close(self, drain: bool = False) -> None:
        """Stop the stream; with `drain`, first let what was already produced reach the speaker."""
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while drain and not self.output.empty and self.stream.active and time.monotonic() < deadline:
            time.sleep(FRAME_MS / 1000)
        try:
            self.stream.abort()
            self.stream.close()
        except sd.PortAudioError as error:  # the device is already gone
            log.debug("closing the audio stream: %s", error)


def _rescan() -> None:
    """Make PortAudio list devices afresh, so an unplugged one is seen to come back."""
    try:
        sd._terminate()
        sd._initialize()
    except sd.PortAudioError as error:
        log.debug("PortAudio re-initialization: %s", error)


def run_live(engine: Engine, input_device: str | None, output_device: str | None,
             on_events: Callable[[list[Event]], None], max_seconds: float | None = None,
             status: StatusBoard | None = None, wait_for_devices: bool = False,
             reload: threading.Event | None = None, stop: threading.Event | None = None) -> bool:
    """Run until interrupted (Ctrl-C, SIGTERM) or `max_seconds` of audio have passed; or, once SIGHUP
    has set `reload`, until no session is running or set aside (then True: the caller rebuilds).

    Devices that fail to open at start are an AudioError for the person starting it, unless
    `wait_for_devices` (the service at boot, before a USB device is ready). Once running, a lost
    device never ends the process: the session pauses, the devices are looked for again with a
    short backoff, and listening resumes as soon as they are back.
    """
    stop = stop if stop is not None else threading.Event()
    in_main = threading.current_thread() is threading.main_thread()
    reload = reload if reload is not None else threading.Event()
    previous = {sig: signal.signal(sig, handler) for sig, handler in
                ((signal.SIGTERM, lambda *_: stop.set()),
                 (signal.SIGHUP, lambda *_: reload.set()),
                 (signal.SIGUSR1, lambda *_: status.log() if status else None))} if in_main else {}
    limit = frames_for(max_seconds) if max_seconds is not None else None

    def reloading() -> bool:
        return reload.is_set() and engine.running() is None and engine.suspended is None and not engine.player.playing

    done = lambda: stop.is_set() or (limit is not None and engine.frame >= limit) or reloading()
    engine.player.wait = False  # a line still rendering streams in; the audio thread never waits for it
    lost_at: float | None = None
    attempt, flaps, first_start = 0, 0, True
    try:
        while not done():
            try:
                stream = _Stream(input_device, output_device)
            except AudioError as error:
                if lost_at is None and not wait_for_devices:
                    raise
                if lost_at is None:
                    log.warning("%s; waiting for it", error)
                    lost_at = time.monotonic()
                if status is not None and not status.audio.startswith("lost"):
                    status.audio = f"waiting: {error}"
                if status is not None:
                    status.tick()
                log.debug("still waiting for the audio devices: %s", error)
                stop.wait(RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)])
                attempt += 1
                _rescan()
                continue
            if lost_at is not None:
                log.info("audio is back after %.1f s", time.monotonic() - lost_at)
                engine.audio_back()
                lost_at = None
            log.info("listening on '%s', speaking on '%s' at %d Hz", *stream.names, stream.rate)
            _expect_echo_delay(engine, stream)
            if first_start:
                first_start = False
                age = process_age()
                log.info("listening %s after the process started", f"{age:.2f} s" if age is not None else "")
            if status is not None:
                status.devices = stream.devices()
                status.audio = "ok"
            opened = time.monotonic()
            try:
                _stream_frames(engine, stream, on_events, done, status)
                stream.close(drain=True)
            except AudioError as error:
                stream.close()
                flaps = flaps + 1 if time.monotonic() - opened < FLAP_S else 0
                (log.warning if flaps <= 3 else log.debug)(
                    "%s; the session is paused, looking for the devices again", error)
                engine.audio_lost(str(error))
                if status is not None:
                    status.audio = f"lost: {error}"
                    status.tick()
                lost_at, attempt = time.monotonic(), 0
                stop.wait(min(FLAP_MAX_S, 2.0 ** flaps) if flaps else 0)  # a device that opens, then fails
                _rescan()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return reloading() and not stop.is_set()


def _expect_echo_delay(engine: Engine, stream: _Stream) -> None:
    """The device's reported round trip, plus the block waiting in our output buffer: how late the
    speaker's echo reaches the microphone, until the echo canceller measures it."""
    seconds = sum(stream.stream.latency) + FRAME_MS / 1000
    engine.device_delay_frames = frames_for(seconds)
    if engine.echo is not None:
        engine.echo.expect_delay(seconds)


def _stream_frames(engine: Engine, stream: _Stream, on_events: Callable[[list[Event]], None],
                   done: Callable[[], bool], status: StatusBoard | None) -> None:
    pending = np.zeros(0, dtype=np.int16)
    while not done():
        try:
            pending = np.concatenate([pending, stream.read()])
        except sd.PortAudioError as error:
            raise AudioError(f"the audio stream failed ({error})") from None
        while len(pending) >= FRAME_SAMPLES and not done():
            speaker, events = engine.feed(pending[:FRAME_SAMPLES])
            pending = pending[FRAME_SAMPLES:]
            skipped = stream.output.skipped
            stream.write(speaker)
            if stream.output.skipped > skipped:
                log.debug("the engine fell behind; %d ms of late output skipped",
                          (stream.output.skipped - skipped) * 1000 // stream.rate)
            on_events(events)
        stream.answered += 1
        if status is not None:
            status.tick()
