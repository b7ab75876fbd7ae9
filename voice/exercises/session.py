"""One running exercise: each step a generator of frame-timed requests, and the in-script commands.

A pure state machine: it never touches audio or a clock. The engine tells it the frame and whether
the speaker is still talking; it answers with lines to say, tones to play and events to log.
"""

from collections.abc import Callable, Generator

from ..audio.frames import frames_for
from ..events import Event
from ..particles import fill
from .program import Script
from .requests import Listen, Note, Output, Quiet, Request, Result, Speak, StepRun, Tick, Tone, Until
from .steps import (
    PACE_RANGE, PACE_STEP, Breathe, Choose, Jump, Pause, Prompts, Say, Step, Swap, Timer, Turn, Wait, paced,
    step_kind,
)

PAUSE_FRAMES = frames_for(1.0)  # a pause in someone's speech: the moment for a gentle reminder
FIRST_WORDS_FRAMES = frames_for(45.0)  # a turn or a wait ends on silence only after this, before any words
HARD_LIMIT_GRACE = frames_for(15)  # after a turn's hard limit, wait this long at most for a pause
NEVER = 1 << 40
CALLS_BACK = 3  # the long break calls the couple back this many times before it ends unanswered
DONE = frozenset({"done", "next"})


class Session:
    """Runs one script step by step and answers the commands said during it."""

    def __init__(self, script: Script, names: dict[str, str], lines: dict[str, str], frame: int,
                 draw: Callable[[Prompts], list[str]], start: int = 0) -> None:
        self.script, self.names, self.lines, self.draw = script, names, lines, draw
        self.index = -1
        self.paused = False
        self.finished = False
        self.pace = 1.0  # breathing pace: above 1 is slower
        self.history: list[int] = []  # steps started, for "back"
        self.completed = 0  # steps run to their end
        self._run: StepRun | None = None
        self._request: Request | None = None
        self._issued_at = -1  # frame the current Speak was handed to the engine
        self._heard: str | None = None  # an intent delivered to the current Listen
        self._goto: int | None = None  # where a choice sends the session next
        self._drawn: dict[int, list[str]] = {}  # prompts drawn per step, kept for "repeat"
        self._asking = 0  # which of a prompts step's questions is being asked or answered
        self._answering = 0  # and which partner is answering it (0: first)
        self._noted_breathing = False
        self._breaths = 0  # cycles of the current breathing step begun
        started = Output(event=Event(frame, "script_started", {"script": script.id, "title": script.title,
                                                              "first": names["first"], "at_step": start}))
        self._pending = [started, *self._start_step(self._resumable(min(start, len(script.steps) - 1)), frame)]

    @property
    def accepts(self) -> frozenset[str]:
        """What the current step is listening for, beyond the commands valid everywhere."""
        if self.paused or self.finished:
            return frozenset()
        step = self.script.steps[self.index]
        options = frozenset(o.intent for o in step.options) if isinstance(step, Choose) else frozenset()
        return options | (self._request.accepts if isinstance(self._request, Listen) else frozenset())

    @property
    def awaiting_answer(self) -> bool:
        """A choice was just asked: short unclear speech now was most likely meant for the speaker.
        (Not while paused: a couple often pauses to talk to each other.)"""
        return (not self.paused and isinstance(self._request, Listen)
                and isinstance(self.script.steps[self.index], Choose))

    @property
    def breathing(self) -> bool:
        return 0 <= self.index < len(self.script.steps) and isinstance(self.script.steps[self.index], Breathe)

    def advance(self, tick: Tick) -> list[Output]:
        """Move through every request that is satisfied at this frame."""
        out, self._pending = self._pending, []
        while not self.finished and not self.paused:
            if self._request is None:
                out += self._start_step(self._after(), tick.frame)
                continue
            request = self._request
            if isinstance(request, Speak) and self._issued_at < 0:
                self._issued_at = tick.frame
                out.append(Output(say=request.text))
                if request.wait:
                    break
            elif isinstance(request, Tone):
                out.append(Output(tone=request.name))
            elif isinstance(request, Note):
                out.append(Output(event=Event(tick.frame, request.kind, request.data)))
            result = self._result(request, tick)
            if result is None:
                break
            self._issued_at = -1
            if isinstance(request, Listen):
                self._heard = None  # consumed; an answer given early (during a question) waits for it
            try:
                self._request = self._run.send(result)
            except StopIteration:
                self._request = None
                self.completed += 1
        return out

    def command(self, intent: str, frame: int) -> list[Output] | None:
        """A command said during the session; None when it means nothing here."""
        if intent == "stop":
            return [Output(stop_audio=True), Output(say=self.lines["stopped"]), *self.end(frame, "stopped")]
        if intent == "pause":
            if self.paused:
                return [Output(say=self.lines["paused"])]  # still paused: say so, and how to go on
            self.paused = True
            return [Output(stop_audio=True), Output(event=Event(frame, "paused", {})),
                    Output(say=self.lines["paused"])]
        if self.paused and intent in ("resume", "repeat", "next", "done", "back"):
            self.paused = False
            target = {"next": self._after, "done": self._after, "back": self._previous}.get(intent)
            return [Output(stop_audio=True), Output(event=Event(frame, "resumed", {})),
                    *self._start_step(target() if target else self._resumable(self.index), frame)]
        if intent in self.accepts:
            self._heard = intent
            return []
        if intent in ("next", "done"):
            step = self.script.steps[self.index]
            target = step.otherwise if isinstance(step, Choose) else self._after()
            return [Output(stop_audio=True), *self._start_step(target, frame)]
        if intent == "repeat":
            return [Output(stop_audio=True), *self._start_step(self._resumable(self.index), frame)]
        if intent == "back":
            return [Output(stop_audio=True), *self._start_step(self._previous(), frame)]
        if intent in ("slower", "faster") and self.breathing:
            return self._change_pace(intent, frame)
        return None

    def end(self, frame: int, reason: str) -> list[Output]:
        self.finished = True
        self._request = None
        return [Output(event=Event(frame, "script_finished", {"script": self.script.id, "reason": reason,
                                                             "steps_completed": self.completed}))]

    def _result(self, request: Request, tick: Tick) -> Result | None:
        """The outcome of a request at this frame, or None while it is still pending."""
        if isinstance(request, Speak):
            done = not request.wait or (tick.frame > self._issued_at and not tick.speaking)
            return Result(tick.frame) if done else None
        if isinstance(request, Until):
            return Result(tick.frame) if tick.frame >= request.frame else None
        if isinstance(request, Quiet):
            return None if tick.speaking else Result(tick.frame)
        if isinstance(request, Listen):
            if self._heard is not None:
                return Result(tick.frame, self._heard)
            if tick.speaking:
                return None
            quiet = min(tick.quiet_frames, tick.frame - request.since)
            spoken = tick.quiet_frames < tick.frame - request.since  # a voice since the request began
            enough = request.silence_frames if spoken else max(request.silence_frames, request.first_words_frames)
            if quiet >= enough:
                return Result(tick.frame, "silence")
            return Result(tick.frame, "timeout") if tick.frame >= request.until else None
        return Result(tick.frame)

    def _start_step(self, index: int, frame: int) -> list[Output]:
        steps = self.script.steps
        while 0 <= index < len(steps) and isinstance(steps[index], (Jump, Swap)):
            if isinstance(steps[index], Swap):
                self._swap_order()
            index = steps[index].target if isinstance(steps[index], Jump) else index + 1
        if index >= len(steps):
            return self.end(frame, "completed")
        if index != self.index:
            self._asking = self._answering = 0  # a new step; "repeat" and a resume keep the question
        self.index, self._goto = index, None
        self.history.append(index)
        step = steps[index]
        self._run = self._steps(step, frame)
        self._request = next(self._run, None)
        self._issued_at, self._heard = -1, None
        return [Output(event=Event(frame, "step_started", {"index": index, "kind": step_kind(step)}))]

    def _after(self) -> int:
        return self._goto if self._goto is not None else self.index + 1

    def _resumable(self, index: int) -> int:
        """Where to start again: a wait goes back to the line that asked the question."""
        steps = self.script.steps
        if 0 < index < len(steps) and isinstance(steps[index], Wait) and isinstance(steps[index - 1], Say):
            return index - 1
        return max(index, 0)

    def _previous(self) -> int:
        history = self.history[:-1]
        self.history = []
        while history and isinstance(self.script.steps[history[-1]], (Pause, Wait)) and len(history) > 1:
            history.pop()
        target = history.pop() if history else self.index
        self.history = history
        return self._resumable(target)

    def _change_pace(self, intent: str, frame: int) -> list[Output]:
        low, high = PACE_RANGE
        pace = self.pace * (1 + PACE_STEP) if intent == "slower" else self.pace / (1 + PACE_STEP)
        if not low <= round(pace, 3) <= high:
            return [Output(say=self.lines["slowest" if intent == "slower" else "fastest"])]
        self.pace = pace
        return [Output(event=Event(frame, "pace", {"breathing": round(pace, 3)}))]

    def _swap_order(self) -> None:
        self.names = {**self.names, "first": self.names["second"], "second": self.names["first"]}

    def _names(self, who: str) -> dict[str, str]:
        speaker = self.names[who]
        listener = self.names["partner_b" if speaker == self.names["partner_a"] else "partner_a"]
        return {**self.names, "speaker": speaker, "listener": listener}

    def _steps(self, step: Step, start: int) -> StepRun:
        """The requests one step makes, in order."""
        if isinstance(step, Say):
            spoken = yield Speak(fill(step.text, self.names))
            if step.pause:
                yield Until(spoken.frame + frames_for(step.pause))
        elif isinstance(step, Pause):
            yield Until(start + frames_for(step.seconds))
        elif isinstance(step, Breathe):
            self._breaths = 0
            yield from self._breathe(step)
        elif isinstance(step, Wait):
            yield Listen(DONE, start, frames_for(step.silence), start + frames_for(step.max), FIRST_WORDS_FRAMES)
        elif isinstance(step, Turn):
            yield from self._turn(step)
        elif isinstance(step, Prompts):
            yield from self._prompts(step)
        elif isinstance(step, Choose):
            yield from self._choose(step)
        elif isinstance(step, Timer):
            yield from self._timer(step)

    def _breathe(self, step: Breathe, begun: int = 0) -> StepRun:
        """Cues on exact frames from the first, which waits for the speaker to be quiet."""
        at = (yield Quiet()).frame
        if not self._noted_breathing:  # once per session, before the first breath
            self._noted_breathing = True
            at = (yield Speak(self.lines["breathing_note"])).frame
            at = (yield Until(at + frames_for(1.0))).frame
        words = {phase: self.lines[f"breathe_{phase}"] for phase, _ in step.phases} | step.words
        for cycle in range(begun, step.cycles):
            self._breaths = cycle
            spoken = step.cues == "voice" or step.cues == "both" and cycle < step.voice_cycles
            for phase, seconds in step.phases:
                yield Note("breath", {"phase": phase, "cycle": cycle + 1})
                if spoken:
                    yield Speak(fill(words[phase], self.names), wait=False)  # starts exactly at frame `at`
                else:
                    yield Tone("hold" if phase.startswith("hold") else "exhale" if phase == "exhale" else "inhale")
                at += frames_for(paced(phase, seconds, self.pace))
                yield Until(at)

    def breathe_again(self, frame: int) -> list[Output]:
        """A line was said over the breathing ("what can I say"): the breath in progress is dropped
        and the next begins, from its first phase, once that line is over. Never mid-rhythm."""
        if self.paused or self.finished or not self.breathing:
            return []
        self._run = self._breathe(self.script.steps[self.index], self._breaths)
        self._request = next(self._run)
        self._issued_at, self._heard = -1, None
        return [Output(event=Event(frame, "breathing_resumed", {"cycle": self._breaths + 1}))]

    def _turn(self, turn: Turn) -> StepRun:
        names = self._names(turn.who)
        yield Tone("turn")
        began = (yield Speak(fill(turn.prompt, names))).frame
        heard = yield Listen(DONE, began, frames_for(turn.silence), began + frames_for(turn.soft_limit),
                             FIRST_WORDS_FRAMES)
        if heard.heard != "timeout":
            return
        heard = yield Listen(DONE, heard.frame, PAUSE_FRAMES, began + frames_for(turn.hard_limit))
        if heard.heard in DONE:
            return
        if heard.heard == "silence":  # past the soft limit, at a pause: a gentle reminder
            at = (yield Speak(fill(self.lines["turn_soft"], names))).frame
            heard = yield Listen(DONE, at, frames_for(turn.silence), began + frames_for(turn.hard_limit))
            if heard.heard != "timeout":
                return
        heard = yield Listen(DONE, heard.frame, PAUSE_FRAMES, heard.frame + HARD_LIMIT_GRACE)
        if heard.heard not in DONE:
            yield Speak(fill(self.lines["turn_over"], names))

    def _prompts(self, step: Prompts) -> StepRun:
        if self.index not in self._drawn:
            self._drawn[self.index] = self.draw(step)
            yield Note("prompts_drawn", {"deck": step.deck, "count": len(self._drawn[self.index])})
        drawn = self._drawn[self.index]
        for number in range(self._asking, len(drawn)):
            self._asking = number
            asked = (yield Speak(fill(drawn[number], self.names))).frame
            if step.answer == "together":
                yield Listen(DONE, asked, frames_for(step.silence), asked + frames_for(step.hard_limit),
                             FIRST_WORDS_FRAMES)
                continue
            answers = (("first", "prompt_first"), ("second", "prompt_second"))
            for turn in range(self._answering, len(answers)):  # after "repeat", the same partner answers
                self._answering = turn
                who, line = answers[turn]
                yield from self._turn(Turn(who, self.lines[line], step.soft_limit, step.hard_limit, step.silence))
            self._answering = 0

    def _choose(self, step: Choose) -> StepRun:
        accepts = frozenset(option.intent for option in step.options)
        for _ in range(2):  # ask, and ask once more if nobody answered
            asked = (yield Speak(fill(step.ask, self.names))).frame
            yield Tone("listening")  # the question is over: the answer is awaited now
            heard = yield Listen(accepts, asked, frames_for(step.silence), asked + frames_for(step.silence))
            chosen = next((o for o in step.options if o.intent == heard.heard), None)
            if chosen is not None:
                self._goto = chosen.target
                return
        self._goto = step.otherwise

    def _call_back(self, step: Timer) -> Generator[Request, Result, Result]:
        """The chime and the line that call the couple back, until a voice answers: the exercise
        goes on only once someone is there. Nobody after CALLS_BACK calls: it ends quietly."""
        for _ in range(CALLS_BACK):
            yield Tone("return")
            asked = (yield Speak(fill(step.back, self.names))).frame
            heard = yield Listen(frozenset({"more_time"}) | DONE | {"resume"}, asked, frames_for(3.0),
                                 asked + frames_for(step.silence), first_words_frames=NEVER)
            if heard.heard != "timeout":  # an answer, or someone spoke and paused
                return heard
        self._goto = len(self.script.steps)  # the room stayed empty: no "welcome back" to nobody
        return heard

    def _timer(self, step: Timer) -> StepRun:
        more = frozenset({"more_time"})
        at = (yield Speak(fill(step.start, self.names))).frame
        end = at + frames_for(step.minutes * 60)
        extensions = 0
        while True:
            heard = yield Listen(more, at, NEVER, end)
            at = heard.frame
            if heard.heard != "more_time":
                heard = yield from self._call_back(step)
                if heard.heard != "more_time":
                    return
            if extensions >= step.max_extensions:
                yield Speak(self.lines["no_more_time"])
                return
            extensions += 1
            # More time adds to what is left, never shortens the break: asked a minute into twenty,
            # the chime comes in twenty-nine minutes, and the line says so.
            end = max(end, at) + frames_for(step.more_minutes * 60)
            minutes = round((end - at) / frames_for(60))
            at = (yield Speak(self.lines["more_time"].replace("{minutes}", f"{minutes:g}"))).frame
