"""Playback owned by the engine, frame by frame: what the speaker plays in each 20 ms.

Lines may still be rendering when they start (see cache.py). Live, a frame plays what has rendered
and the rest follows (the speaker never blocks the audio thread); in frame time (`wait=True`) the
player waits for the audio, so a run over files is the same every time.
"""

from collections import deque

import numpy as np

from ..audio.frames import FRAME_SAMPLES, SILENT_FRAME
from .cache import SpokenLine


class Player:
    """A queue of clips played back to back, with earcons mixed on top; `stop()` silences it from
    the next frame."""

    def __init__(self, wait: bool = True) -> None:
        self.wait = wait
        self._clips: deque[tuple[SpokenLine, str | None]] = deque()
        self._position = 0  # samples of the first clip already played
        self._earcon = np.zeros(0, np.int16)
        self.errors: list[Exception] = []  # lines that could not be rendered, for the engine to report

    @property
    def playing(self) -> bool:
        return bool(self._clips) or len(self._earcon) > 0

    def play(self, clip: SpokenLine | np.ndarray, label: str | None = None) -> None:
        """Queue a clip; `label` is reported by `next_frame` in the frame the clip starts."""
        if isinstance(clip, np.ndarray):
            clip = SpokenLine.ready(label or "", clip)
        self._clips.append((clip, label))

    def chime(self, earcon: np.ndarray) -> None:
        """An earcon, mixed over whatever plays, so it never delays speech."""
        self._earcon = earcon

    def stop(self) -> None:
        self._clips.clear()
        self._position = 0

    def next_frame(self) -> tuple[np.ndarray, list[str]]:
        """The next 20 ms of output, and the labels of clips that started in it."""
        if not self.playing:
            return SILENT_FRAME, []
        frame = np.zeros(FRAME_SAMPLES, dtype=np.int32)
        filled, started = 0, []
        while filled < FRAME_SAMPLES and self._clips:
            clip, label = self._clips[0]
            if self._position == 0 and label is not None:
                started.append(label)
            samples = clip.read(self._position, FRAME_SAMPLES - filled, self.wait)
            frame[filled : filled + len(samples)] = samples
            filled += len(samples)
            self._position += len(samples)
            if clip.complete and self._position >= clip.rendered:
                if clip.error is not None:
                    self.errors.append(clip.error)
                self._clips.popleft()
                self._position = 0
            elif not samples.size:
                break  # still rendering: the rest of this line comes in a later frame
        if len(self._earcon):
            mixed = self._earcon[:FRAME_SAMPLES]
            frame[: len(mixed)] += mixed
            self._earcon = self._earcon[FRAME_SAMPLES:]
        return np.clip(frame, -32768, 32767).astype(np.int16), started
