"""One running exercise: steps as generators of frame-timed requests, and the spoken commands.

A pure state machine: it never touches audio. The engine tells it the time and whether the speaker
is still talking; it answers with lines to say and events to log.
"""

from collections.abc import Generator
from dataclasses import dataclass

from ..audio.frames import frames_for
from ..events import Event
from .script import Breathe, Pause, Say, Script, Step, Wait


@dataclass(frozen=True)
class Speak:
    text: str


@dataclass(frozen=True)
class Until:
    frame: int


@dataclass(frozen=True)
class AwaitNext:
    since: int  # frame the wait began
    silence_frames: int
    max_frames: int


Request = Speak | Until | AwaitNext
StepRun = Generator[Request, int, None]  # each yield returns the frame its request was satisfied in


@dataclass(frozen=True)
class Tick:
    frame: int
    speaking: bool  # the speaker is still playing something
    quiet_frames: int  # consecutive frames with no voice in the room


@dataclass(frozen=True)
class Output:
    """One thing for the engine to do: say a line, stop what is playing, or log an event."""

    say: str | None = None
    stop_audio: bool = False
    event: Event | None = None


def fill(text: str, names: dict[str, str]) -> str:
    for key, value in names.items():
        text = text.replace("{" + key + "}", value)
    return text


def run_step(step: Step, start: int, names: dict[str, str]) -> StepRun:
    """The requests one step makes, in order."""
    if isinstance(step, Say):
        spoken = yield Speak(fill(step.text, names))
        if step.pause:
            yield Until(spoken + frames_for(step.pause))
    elif isinstance(step, Pause):
        yield Until(start + frames_for(step.seconds))
    elif isinstance(step, Breathe):
        at = start
        for _ in range(step.cycles):
            for phase, seconds in step.phases():
                if cue := step.cues.get(phase):
                    yield Speak(fill(cue, names))  # starts exactly at frame `at`
                at += frames_for(seconds)
                yield Until(at)
    elif isinstance(step, Wait):
        yield AwaitNext(start, frames_for(step.silence), frames_for(step.max))


class Session:
    """Runs one script step by step and answers the in-script commands."""

    def __init__(self, script: Script, names: dict[str, str], lines: dict[str, str], frame: int) -> None:
        self.script, self.names, self.lines = script, names, lines
        self.index = -1
        self.paused = False
        self.finished = False
        self._run: StepRun | None = None
        self._request: Request | None = None
        self._issued_at = -1  # frame the current Speak request was handed to the engine
        self._next_heard = False
        started = Output(event=self._event(frame, "script_started", script=script.id, title=script.title))
        self._pending = [started, *self._start_step(0, frame)]

    def advance(self, tick: Tick) -> list[Output]:
        """Move through every request that is satisfied at this frame."""
        out, self._pending = self._pending, []
        while not self.finished and not self.paused:
            if self._request is None:
                out += self._start_step(self.index + 1, tick.frame)
                continue
            if isinstance(self._request, Speak) and self._issued_at < 0:
                self._issued_at = tick.frame
                out.append(Output(say=self._request.text))
                break
            if not self._satisfied(self._request, tick):
                break
            self._issued_at, self._next_heard = -1, False
            try:
                self._request = self._run.send(tick.frame)
            except StopIteration:
                self._request = None
        return out

    def command(self, intent: str, frame: int) -> list[Output]:
        """pause, resume, next, repeat or stop, said during the session."""
        if intent == "stop":
            return [Output(stop_audio=True), Output(say=self.lines["stopped"]), *self.end(frame, "stopped")]
        if intent == "pause" and not self.paused:
            self.paused = True
            return [Output(stop_audio=True), Output(event=self._event(frame, "paused")), Output(say=self.lines["paused"])]
        if intent in ("resume", "repeat") or (intent == "next" and self.paused):
            was_paused, self.paused = self.paused, False
            events = [Output(event=self._event(frame, "resumed"))] if was_paused else []
            return [Output(stop_audio=True), *events, *self._restart(frame)]
        if intent == "next":
            if isinstance(self._request, AwaitNext):
                self._next_heard = True
                return []
            return [Output(stop_audio=True), *self._start_step(self.index + 1, frame)]
        return []

    def _satisfied(self, request: Request, tick: Tick) -> bool:
        if isinstance(request, Speak):
            return tick.frame > self._issued_at and not tick.speaking
        if isinstance(request, Until):
            return tick.frame >= request.frame
        waited = tick.frame - request.since
        quiet = min(tick.quiet_frames, waited)
        return self._next_heard or quiet >= request.silence_frames or waited >= request.max_frames

    def _start_step(self, index: int, frame: int) -> list[Output]:
        if index >= len(self.script.steps):
            return self.end(frame, "completed")
        self.index = index
        step = self.script.steps[index]
        self._run = run_step(step, frame, self.names)
        self._request = next(self._run, None)
        self._issued_at, self._next_heard = -1, False
        return [Output(event=self._event(frame, "step_started", index=index, kind=type(step).__name__.lower()))]

    def _restart(self, frame: int) -> list[Output]:
        """Start the current step again; a wait goes back to the line that asked the question."""
        index = self.index
        steps = self.script.steps
        if index > 0 and isinstance(steps[index], Wait) and isinstance(steps[index - 1], Say):
            index -= 1
        return self._start_step(index, frame)

    def end(self, frame: int, reason: str) -> list[Output]:
        self.finished = True
        self._request = None
        return [Output(event=self._event(frame, "script_finished", script=self.script.id, reason=reason))]

    @staticmethod
    def _event(frame: int, name: str, **data: object) -> Event:
        return Event(frame, name, data)
