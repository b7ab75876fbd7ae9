"""The file driver: a WAV is the microphone; OUT.wav gets exactly what the speaker would play."""

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..engine import Engine
from ..events import Event
from .frames import SILENT_FRAME, frames_for, stream_frames
from .wavfile import WavWriter, read_blocks

log = logging.getLogger(__name__)
MAX_TAIL_FRAMES = frames_for(3600)  # after the input ends, run on until idle, at most an hour


def run_files(engine: Engine, input_path: Path, output_path: Path,
              on_events: Callable[[list[Event]], None]) -> int:
    """Feed every input frame, then silence until the session is idle; returns frames written.

    Output sample i is what the speaker plays while input sample i is heard. Both files stream, so
    an 8-hour recording runs in constant memory.
    """
    microphone = stream_frames(read_blocks(input_path))  # a bad input fails here, before any output
    speaker = WavWriter(output_path)
    engine.speech.wait_prepared()  # rendering in a fixed order, not racing the frames: the same run every time
    written = 0

    def step(frame: np.ndarray) -> None:
        nonlocal written
        out, events = engine.feed(frame)
        speaker.write(out)
        on_events(events)
        written += 1

    try:
        for frame in microphone:
            step(frame)
        for _ in range(MAX_TAIL_FRAMES):
            if engine.idle:
                break
            step(SILENT_FRAME)
        else:
            log.warning("the session was still running an hour after the input ended; output cut there")
    finally:
        speaker.close()
    return written
