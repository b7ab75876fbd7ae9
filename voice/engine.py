"""The speaker's core: a deterministic state machine fed 20 ms microphone frames.

`feed(mic_frame)` returns the speaker's 20 ms for the same moment plus the events of that frame.
Time is the number of frames consumed; nothing here reads a clock or sleeps, so the same engine
runs live, over WAV files, and from typed text.
"""

import logging

import numpy as np

from .audio.frames import frames_for
from .audio.tones import understood_chime
from .errors import VoiceError
from .events import Event
from .exercises.script import Script
from .exercises.session import Output, Session, Tick, fill
from .listen.intents import Match
from .listen.listener import Listener
from .locale import Locale
from .speak.cache import PromptCache
from .speak.player import Player

log = logging.getLogger(__name__)
ECHO_TAIL_FRAMES = frames_for(0.5)  # after the speaker stops, its echo may still reach the mic
SESSION_COMMANDS = {"pause", "resume", "next", "repeat", "stop"}


class Engine:
    def __init__(
        self,
        locale: Locale,
        scripts: list[Script],
        speech: PromptCache,
        listener: Listener,
        names: dict[str, str],
    ) -> None:
        self.locale, self.scripts, self.speech, self.listener = locale, scripts, speech, listener
        self.names = names
        self.frame = 0
        self.session: Session | None = None
        self.player = Player()
        self._chime = understood_chime()
        self._gate_until = 0  # listening resumes at this frame
        self._gated = False
        self._events: list[Event] = [Event(0, "listening")]

    @property
    def listening(self) -> bool:
        """Nothing playing and the echo tail over: speech in the room can be heard."""
        return not self.player.playing and self.frame >= self._gate_until

    @property
    def idle(self) -> bool:
        """Listening with nothing scheduled: no session, or one paused waiting for a person."""
        waiting = self.session is None or self.session.finished or self.session.paused
        return waiting and self.listening

    def lines(self) -> list[str]:
        """Every fixed line the speaker can say, names filled in: what the prompt cache pre-renders."""
        texts = [line for script in self.scripts for line in script.lines()]
        return [fill(text, self.names) for text in texts + list(self.locale.lines.values())]

    def feed(self, mic: np.ndarray) -> tuple[np.ndarray, list[Event]]:
        """One 20 ms frame in, the speaker's 20 ms for the same moment out, with this frame's events."""
        self._listen(mic)
        self._run_session()
        sounding = self.player.playing
        out, started = self.player.next_frame()
        for text in started:
            self._emit("said", text=text)
        if sounding:
            self._gate_until = self.frame + 1 + ECHO_TAIL_FRAMES
        self.frame += 1
        if self._gated and self.listening:
            self._gated = False
            self._emit("listening")
        events, self._events = self._events, []
        return out, events

    def hear_text(self, text: str) -> None:
        """A typed utterance (`voice simulate`), matched exactly as recognized speech is."""
        self._on_match(self.listener.hear_text(text))

    def _listen(self, mic: np.ndarray) -> None:
        if not self.listening:
            if not self._gated:
                self.listener.reset()  # what was being said overlaps our own voice
            self._gated = True
            return
        match = self.listener.feed(mic)
        if match is not None:
            self._on_match(match)

    def _on_match(self, match: Match) -> None:
        if match.intent is None:
            # The reason only: rejected speech may be the couple's own conversation.
            self._emit("rejected", reason=match.reason)
            return
        self._emit("intent", name=match.intent, text=match.text, confidence=match.confidence)
        log.info("intent %s (confidence %.2f)", match.intent, match.confidence)
        outputs = self._dispatch(match.intent)
        if any(output.stop_audio for output in outputs):
            self.player.stop()
        self.player.play(self._chime)
        self._apply(outputs)

    def _dispatch(self, intent: str) -> list[Output]:
        script = self._script_for(intent)
        running = self.session if self.session is not None and not self.session.finished else None
        if script is not None and (running is None or script.id != running.script.id):
            replaced = running.end(self.frame, "replaced") if running else []
            self.session = Session(script, self.names, self.locale.lines, self.frame)
            return [Output(stop_audio=True), *replaced]
        if running is not None and intent in SESSION_COMMANDS:
            return running.command(intent, self.frame)
        if running is None and intent in ("pause", "resume", "next"):
            return [Output(say=self.locale.lines["not_running"])]
        return []

    def _run_session(self) -> None:
        if self.session is None or self.session.finished:
            return
        tick = Tick(self.frame, self.player.playing, self.listener.quiet_frames)
        self._apply(self.session.advance(tick))

    def _apply(self, outputs: list[Output]) -> None:
        for output in outputs:
            if output.event is not None:
                self._events.append(output.event)
            if output.say is not None:
                self._say(output.say)

    def _say(self, text: str) -> None:
        try:
            self.player.play(self.speech.audio(text), label=text)
        except VoiceError as error:
            self._emit("error", message=str(error))
            log.error("%s", error)

    def _script_for(self, intent: str) -> Script | None:
        return next((s for s in self.scripts if intent in s.start_intents), None)

    def _emit(self, kind: str, **data: object) -> None:
        self._events.append(Event(self.frame, kind, data))
