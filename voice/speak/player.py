"""Playback owned by the engine, frame by frame: what the speaker plays in each 20 ms."""

from collections import deque

import numpy as np

from ..audio.frames import FRAME_SAMPLES, SILENT_FRAME


class Player:
    """A queue of clips played back to back; `stop()` silences it from the next frame."""

    def __init__(self) -> None:
        self._clips: deque[tuple[np.ndarray, str | None]] = deque()
        self._position = 0  # samples of the first clip already played

    @property
    def playing(self) -> bool:
        return bool(self._clips)

    def play(self, clip: np.ndarray, label: str | None = None) -> None:
        """Queue a clip; `label` is reported by `next_frame` in the frame the clip starts."""
        self._clips.append((clip, label))

    def stop(self) -> None:
        self._clips.clear()
        self._position = 0

    def next_frame(self) -> tuple[np.ndarray, list[str]]:
        """The next 20 ms of output, and the labels of clips that started in it."""
        if not self._clips:
            return SILENT_FRAME, []
        frame = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        filled, started = 0, []
        while filled < FRAME_SAMPLES and self._clips:
            clip, label = self._clips[0]
            if self._position == 0 and label is not None:
                started.append(label)
            take = min(FRAME_SAMPLES - filled, len(clip) - self._position)
            frame[filled : filled + take] = clip[self._position : self._position + take]
            filled += take
            self._position += take
            if self._position >= len(clip):
                self._clips.popleft()
                self._position = 0
        return frame, started
