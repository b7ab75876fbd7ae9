"""The file driver: a WAV is the microphone; OUT.wav gets exactly what the speaker would play."""

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..engine import Engine
from ..events import Event
from .frames import FRAME_SAMPLES, SILENT_FRAME, frames_for, split_frames
from .wavfile import read_wav, write_wav

log = logging.getLogger(__name__)
MAX_TAIL_FRAMES = frames_for(3600)  # after the input ends, run on until idle, at most an hour


def run_files(engine: Engine, input_path: Path, output_path: Path,
              on_events: Callable[[list[Event]], None]) -> int:
    """Feed every input frame, then silence until the session is idle; returns frames written.

    Output sample i is what the speaker plays while input sample i is heard.
    """
    mic = split_frames(read_wav(input_path))
    out: list[np.ndarray] = []
    for frame in mic:
        speaker, events = engine.feed(frame)
        out.append(speaker)
        on_events(events)
    for _ in range(MAX_TAIL_FRAMES):
        if engine.idle:
            break
        speaker, events = engine.feed(SILENT_FRAME)
        out.append(speaker)
        on_events(events)
    else:
        log.warning("the session was still running an hour after the input ended; output cut there")
    write_wav(output_path, np.concatenate(out) if out else np.zeros(FRAME_SAMPLES, np.int16))
    return len(out)
