"""Microphone frames in, a matched (or rejected) intent out at the end of each utterance."""

import numpy as np

from .endpoint import Endpointer
from .intents import IntentMatcher, Match
from .recognizer import GrammarRecognizer


class Listener:
    """Endpointing + Vosk + intent matching. Without a recognizer it only tracks voice activity,
    and typed text (`voice simulate`) goes through the same matcher via `hear_text`."""

    def __init__(self, matcher: IntentMatcher, recognizer: GrammarRecognizer | None = None) -> None:
        self.matcher = matcher
        self._recognizer = recognizer
        self._endpointer = Endpointer()
        self._collecting = False

    @property
    def quiet_frames(self) -> int:
        """Consecutive frames without voice, for silence timeouts."""
        return self._endpointer.quiet_frames

    def feed(self, frame: np.ndarray) -> Match | None:
        segment = self._endpointer.feed(frame)
        if self._recognizer is None:
            return None
        for piece in segment.frames:
            self._recognizer.accept(piece)
            self._collecting = True
        if segment.ended:
            self._collecting = False
            return self.matcher.match(self._recognizer.finish())
        return None

    def set_phrases(self, templates: dict[str, list[str]]) -> None:
        """New intent templates (the locale's commands plus the scripts' spoken choices)."""
        if templates == self.matcher.templates:
            return  # compiling a Vosk grammar again is not free
        self.matcher = IntentMatcher(templates)
        if self._recognizer is not None:
            self._recognizer.set_grammar(self.matcher.grammar)

    def hear_text(self, text: str) -> Match:
        return self.matcher.match([text])

    def reset(self) -> None:
        """Drop any utterance in progress: it overlapped the speaker's own voice."""
        self._endpointer.reset()
        if self._collecting and self._recognizer is not None:
            self._recognizer.finish()
        self._collecting = False
