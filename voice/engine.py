"""The speaker's core: a deterministic state machine fed 20 ms microphone frames.

`feed(mic_frame)` returns the speaker's 20 ms for the same moment plus the events of that frame.
Time is the number of frames consumed; nothing here sleeps, so the same engine runs live, over WAV
files, and from typed text. (The wall clock is read only to date entries in the session log.)
"""

import logging
import queue
import random
import time
from collections.abc import Callable

import numpy as np

from .audio.frames import SILENT_FRAME, frames_for
from .audio.tones import earcons
from .commands import Commands
from .events import Event
from .exercises.history import SessionLog, start_of_today
from .exercises.library import Library
from .exercises.lines import every_line, held_lines, names
from .exercises.program import Deck
from .exercises.requests import Output, Tick
from .exercises.session import DONE, Session
from .exercises.steps import Prompts
from .listen import context
from .listen.context import Context
from .listen.echo import EchoCanceller
from .listen.intents import Match
from .listen.listener import Listener
from .locale import Locale
from .particles import fill
from .schedule import Daily, QuietHours, Weekly, reminder_due
from .speak.cache import PromptCache
from .speak.player import Player

log = logging.getLogger(__name__)
ECHO_TAIL_FRAMES = frames_for(0.5)  # after the speaker stops, its echo may still reach the mic
SPEECH_RATE_STEP = 0.15  # "slower" / "faster" outside breathing change the speaking rate by 15 %
SPEECH_RATE_STEPS = (-2, 2)
REMINDER_CHECK_FRAMES = frames_for(1.0)
REQUESTS = {"mute", "unmute", "toggle_mute", "stop"}  # from other threads (the GPIO button)


class Engine:
    def __init__(self, locale: Locale, library: Library, speech: PromptCache, listener: Listener,
                 partners: tuple[str, str], history: SessionLog | None = None, clock: Callable[[], float] = time.time,
                 seed: int | None = None, echo: EchoCanceller | None = None, reminder: Weekly | None = None,
                 quiet_hours: QuietHours | None = None, daily_reminder: Daily | None = None) -> None:
        self.locale, self.library, self.listener, self.partners = locale, library, listener, partners
        self.echo = echo  # with it, safety/stop/pause are heard while the speaker talks; without, a gate
        self.history, self.clock = history, clock
        self.frame = 0
        self.session: Session | None = None
        self.suspended: Session | None = None  # the exercise waiting while the couple takes a break
        self.player = Player(wait=True)  # the live driver sets wait=False: never block the audio thread
        self._speech = {0: speech}  # speaking-rate step -> prompt cache at that rate
        self._rate_step = 0
        self._earcons = earcons()
        self._random = random.Random(seed)
        self._log_ids: dict[int, int | None] = {}  # id(session) -> its row in the session log
        self._gate_until = 0  # listening resumes at this frame
        self._gated = False
        self._played = SILENT_FRAME  # what the speaker played last frame: the echo canceller's reference
        self.device_delay_frames = 0  # the sound card's round trip, as the live driver reports it
        self.quiet_hours = quiet_hours
        # (schedule, its line and mark in the log): the weekly check-in's, and the daily connection's
        self.reminders = [(when, name) for when, name in ((reminder, "reminder"), (daily_reminder, "daily_reminder"))
                          if when is not None]
        self._reminded = {name: history.marked(name) if history is not None else 0.0 for _, name in self.reminders}
        self.muted = False  # the button's mute: the microphone is ignored, the speaker still talks
        self._requests: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._paused_for_audio = False
        self._events: list[Event] = [Event(0, "listening")]
        self.microphone_tap: Callable[[np.ndarray], None] = lambda frame: None  # `voice run --record`
        speech.hold(held_lines(locale))  # first of all: these play even if the disk fills or the voice fails
        self.listener.set_phrases({**locale.intents, **library.phrases})
        self.listener.follow(self.context)
        self.commands = Commands(self)

    @property
    def speech(self) -> PromptCache:
        return self._speech[self._rate_step]

    @property
    def listening(self) -> bool:
        """Nothing playing and the echo tail over: speech in the room can be heard."""
        return not self.player.playing and self.frame >= self._gate_until

    @property
    def barge_in(self) -> bool:
        """Safety, stop and pause are heard while the speaker talks: the echo canceller knows the room."""
        return self.echo is not None and self.echo.ready

    @property
    def echo_delay_frames(self) -> int:
        """Frames the sound card holds what was played before its echo is heard (measured if it can be)."""
        return self.echo.delay_frames if self.echo is not None else self.device_delay_frames

    @property
    def idle(self) -> bool:
        """Listening with nothing scheduled: no session, or one paused waiting for a person."""
        running = self.running()
        return (running is None or running.paused) and self.listening

    def lines(self) -> list[str]:
        """Every fixed line the speaker can say, names filled in: what the prompt cache pre-renders."""
        return every_line(self.library, self.locale, self.partners)

    def feed(self, mic: np.ndarray) -> tuple[np.ndarray, list[Event]]:
        """One 20 ms frame in, the speaker's 20 ms for the same moment out, with this frame's events."""
        while not self._requests.empty():
            self._handle(self._requests.get())
        if self.reminders and self.frame % REMINDER_CHECK_FRAMES == 0:
            self._remind()
        self.microphone_tap(mic)
        self._listen(mic)
        self._run_session()
        sounding = self.player.playing
        out, started = self.player.next_frame()
        for text in started:
            self.emit("said", text=text)
        for error in self.player.errors:
            self.emit("error", message=str(error))
        self.player.errors.clear()
        if sounding:
            self._gate_until = self.frame + 1 + ECHO_TAIL_FRAMES + self.echo_delay_frames
        self._played = out
        self.frame += 1
        if self._gated and self.listening:
            self._gated = False
            self.emit("listening")
        events, self._events = self._events, []
        return out, events

    def hear_text(self, text: str) -> None:
        """A typed utterance (`voice simulate`), matched exactly as recognized speech is."""
        self._on_match(self.listener.hear_text(text))

    def introduce_once(self) -> None:
        """The first live start plays the introduction: what the speaker is and is not, and privacy."""
        script = self.library.for_intent("introduction")
        if script is not None and self.history is not None and not self.history.marked("introduced"):
            self.history.mark("introduced", self.clock())
            self.start(script)  # it begins on the next frame, as a spoken start would

    def request(self, action: str) -> None:
        """Thread-safe: `action` (one of REQUESTS) is carried out at the start of the next frame."""
        assert action in REQUESTS, action
        self._requests.put(action)

    def audio_lost(self, reason: str) -> None:
        """The microphone or speaker went away: the session is paused, not lost, and nothing plays."""
        running = self.running()
        if running is not None and not running.paused:
            pause = running.command("pause", self.frame) or []
            self.apply([output for output in pause if output.say is None], running)  # no one would hear it
            self._paused_for_audio = True
        self.player.stop()
        self.listener.reset()
        self.emit("audio_lost", reason=reason)

    def audio_back(self) -> None:
        """The devices work again: a session that the loss paused carries on."""
        self.emit("audio_back")
        running = self.running()
        if self._paused_for_audio and running is not None and running.paused:
            self.say(self.locale.lines["audio_back"])
            self.apply(running.command("resume", self.frame) or [], running)
        self._paused_for_audio = False

    def context(self) -> Context:
        """The commands that mean something right now (see voice/listen/context.py)."""
        if not self.listening:
            return context.over_speech()
        running = self.running()
        if running is None:
            commands = frozenset(self.listener.matcher.templates) - frozenset(self.library.options)
            return context.idle(commands, suspended=self.suspended is not None)
        if running.paused:
            return context.paused()
        if running.accepts == DONE:
            return context.turn()
        return context.session(running.accepts)

    def close(self) -> None:
        """At shutdown a running session becomes resumable ("continue our check-in"), not lost."""
        if self.history is not None:
            self.history.interrupt_open(self.clock())
            self.history.close()
        for cache in self._speech.values():
            cache.close()

    def _listen(self, mic: np.ndarray) -> None:
        if self.muted:
            return
        if not self.listening:
            if self.echo is not None:
                mic = self.echo.clean(mic, self._played)  # learning the room even while gated
            if not self.barge_in:
                if not self._gated:
                    held = self.listener.reset()  # what was being said overlaps our own voice ...
                    if held is not None:
                        self._on_match(held)  # ... but a safety request already heard is not lost
                self._gated = True
                return
            self._gated = True  # barge-in: the context is over_speech()
        match = self.listener.feed(mic)
        if match is not None:
            self._on_match(match)

    def _handle(self, action: str) -> None:
        if action == "stop":
            self._on_match(Match("stop", "", "", 0.0, confidence=1.0))
            return
        muted = not self.muted if action == "toggle_mute" else action == "mute"
        if muted != self.muted:
            self.muted = muted
            self.listener.reset()
            self.emit("muted" if muted else "unmuted")

    def _remind(self) -> None:
        """A reminder that is due (the weekly check-in's, the daily one's): once, gently, only while
        nothing else is going on; one at a time."""
        if self.running() is not None or not self.listening:
            return
        now = self.clock()
        for when, name in self.reminders:
            if reminder_due(when, self.quiet_hours, now, self._reminded[name]):
                self._reminded[name] = now
                if self.history is not None:
                    self.history.mark(name, now)
                self.emit("reminder", which=name)
                self.player.play(self._earcons["return"])
                self.say(self.locale.lines[name])
                return

    def _on_match(self, match: Match) -> None:
        if match.intent is None:
            # The text may be the couple's talk: only a debug recording keeps it (see events.PRIVATE).
            self.emit("rejected", reason=match.reason, text=match.text)
            if match.could_be_a_command and (running := self.running()) is not None and running.awaiting_answer:
                self.player.chime(self._earcons["not_understood"])
            return
        self.emit("intent", name=match.intent, text=match.text, confidence=match.confidence)
        log.info("intent %s (confidence %.2f)", match.intent, match.confidence)
        outputs = self.commands.dispatch(match.intent)
        if outputs is None:
            self.emit("ignored", name=match.intent, reason="not valid now")
            return
        if any(output.stop_audio for output in outputs):
            self.player.stop()
        self.player.chime(self._earcons["understood"])
        self.apply(outputs, self.session)

    def start(self, script, at_step: int = 0, row: int | None = None, first: str | None = None) -> list[Output]:
        running = self.running()
        ended = running.end(self.frame, "replaced") if running else []
        if running is not None:
            self.apply(ended, running)
        if first is None:
            last = self.history.last_first() if self.history else None
            first = self.partners[1] if last == self.partners[0] else self.partners[0]
        session = Session(script, names(self.partners, first), self.locale.lines, self.frame, self._draw, at_step)
        if row is None and self.history is not None:
            row = self.history.start(script.id, script.title, first, self.clock())
        self._log_ids[id(session)] = row
        self.session = session
        if session.finished:  # resumed past its last step (the script was edited): end it in the log too
            self.apply(session.advance(Tick(self.frame, self.player.playing, 0)), session)
        return [Output(stop_audio=True)]

    def forget_tonight(self) -> list[Output]:
        if self.history is not None:
            forgotten = self.history.forget_since(start_of_today(self.clock()))
            log.info("forgot %d sessions from today", forgotten)
            self._log_ids = {key: None for key in self._log_ids}  # nothing more is written for them
        return [Output(say=self.locale.lines["forgotten"])]

    def change_speaking_rate(self, intent: str) -> list[Output]:
        step = self._rate_step + (-1 if intent == "slower" else 1)
        if not SPEECH_RATE_STEPS[0] <= step <= SPEECH_RATE_STEPS[1]:
            return []
        if step not in self._speech:
            base = self._speech[0]
            self._speech[step] = PromptCache(base.voice.scaled(1 + SPEECH_RATE_STEP * step), base.folder,
                                             base.delivery, base.memory)
        self._rate_step = step
        self.emit("pace", speech=round(1 + SPEECH_RATE_STEP * step, 2))
        return [Output(say=self.locale.lines["speech_slower" if intent == "slower" else "speech_faster"])]

    def _draw(self, step: Prompts) -> list[str]:
        deck = self.library.decks[step.deck]
        recent = self.history.recent_prompts(deck.name, step.avoid_recent) if self.history else set()
        fresh = [p for p in deck.prompts if Deck.key(p) not in recent]
        used = [p for p in deck.prompts if Deck.key(p) in recent]
        drawn = self._random.sample(fresh, min(step.count, len(fresh)))
        drawn += self._random.sample(used, step.count - len(drawn))  # only when the deck ran out
        if self.history is not None and self.session is not None:
            self.history.prompts(self._log_ids.get(id(self.session)), deck.name, [Deck.key(p) for p in drawn])
        return drawn

    def running(self) -> Session | None:
        return self.session if self.session is not None and not self.session.finished else None

    def _run_session(self) -> None:
        if (running := self.running()) is not None:
            tick = Tick(self.frame, self.player.playing, self.listener.quiet_frames)
            self.apply(running.advance(tick), running)

    def apply(self, outputs: list[Output], source: Session | None) -> None:
        for output in outputs:
            if output.event is not None:
                self._events.append(output.event)
                self._record(output.event, source)
                if output.event.type == "script_finished" and source is not self.suspended:
                    self._after_break(output.event)
            if output.tone is not None:
                self.player.play(self._earcons[output.tone])
            if output.say is not None:
                self.say(output.say)

    def _record(self, event: Event, session: Session | None) -> None:
        """Keep the session log in step with the session: no words, only what ran and when."""
        row = self._log_ids.get(id(session)) if session is not None else None
        if self.history is not None and row is not None:
            self.history.record(row, event.type, event.data, session.completed, self.clock())

    def _after_break(self, finished: Event) -> None:
        """A break that set an exercise aside has ended: offer to go back, or stop both."""
        reason = finished.data["reason"] if self.suspended is not None else None
        if reason == "completed":
            self.say(fill(self.locale.lines["break_offer"], {"title": self.suspended.script.title}))
        elif reason == "stopped":
            suspended, self.suspended = self.suspended, None
            self.apply(suspended.end(self.frame, "stopped"), suspended)

    def say(self, text: str) -> None:
        """Queue a line (the benchmarks play library lines this way)."""
        self.player.play(self.speech.line(text), label=text)  # never waits: uncached lines stream

    def emit(self, kind: str, **data: object) -> None:
        self._events.append(Event(self.frame, kind, data))
