"""The open-vocabulary recognizer's hearing of one utterance, for `Listener`'s cross-check.

Its final result is the slow part of a short command's answer: 55 ms a command here (p50; 92 ms p95)
against 9 ms for the grammar's, and the answer waited for it (issue 17's note). So its final is begun
once the voice has stopped after a whole phrase, a few frames before the answer could commit (`end`;
listener.OPEN_VERDICT_LEAD), while the grammar's partial result is still settling: the answer then
finds it done or nearly. If the voice goes on, the utterance is heard again from its first frame
(`go_on`), so the verdict is always on everything said, up to OPEN_FRAMES.
"""

import numpy as np

from ..audio.frames import frames_for
from .recognizer import Alternatives, OpenRecognizer

OPEN_FRAMES = frames_for(3.0)  # heard by the open recognizer: far longer than a one-word command


class OpenHearing:
    def __init__(self, recognizer: OpenRecognizer) -> None:
        self._recognizer = recognizer
        self._frames: list[np.ndarray] = []  # the utterance's first OPEN_FRAMES, to hear again
        self._ended = False  # its final result is begun

    def begin(self) -> None:
        """A new utterance."""
        self._recognizer.reset()
        self._frames = []
        self._ended = False

    def hear(self, frame: np.ndarray) -> None:
        if len(self._frames) >= OPEN_FRAMES:
            return
        self._frames.append(frame)
        if not self._ended:
            self._recognizer.accept(frame)

    def go_on(self) -> None:
        """The voice came back after `end`: hear the utterance again, from its first frame."""
        if not self._ended:
            return
        self._recognizer.reset()
        self._ended = False
        for frame in self._frames:
            self._recognizer.accept(frame)

    def end(self) -> None:
        """The utterance ended, or the voice stopped after a whole phrase: begin the final result
        (every utterance ends so: `OpenRecognizer.begin_final`). Once an utterance, until `go_on`."""
        self._recognizer.begin_final()
        self._ended = True

    def verdict(self) -> Alternatives:
        """The open recognizer's alternatives for the utterance, best first (a ModelError if it failed)."""
        return self._recognizer.finish()

    def again(self, frames: list[np.ndarray]) -> Alternatives:
        """After `verdict`: the utterance heard once more as `frames` (the same frames, louder; up to
        OPEN_FRAMES), best first. The answer waits for this decode (a ModelError if it failed)."""
        self._recognizer.reset()
        for frame in frames[:OPEN_FRAMES]:
            self._recognizer.accept(frame)
        return self._recognizer.finish()
