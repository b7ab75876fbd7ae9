"""What each action of the policy table (voice/policy.py) does to the engine's exercises.

The engine hears a command; `Commands.dispatch` asks the table what it means in the current state
and carries that out, returning what to say and play (None: deliberately nothing).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import policy
from .exercises.lines import help_line, menu_line, safety_line
from .exercises.requests import Output
from .exercises.session import Session
from .particles import fill
from .exercises.steps import step_kind
from .policy import BREAK_INTENTS, Action

if TYPE_CHECKING:
    from .engine import Engine

Handler = Callable[[str, Session | None], list[Output] | None]


class Commands:
    def __init__(self, engine: "Engine") -> None:
        self.engine = engine
        session = self._session
        self._handlers: dict[Action, Handler] = {
            Action.SAFETY: lambda intent, running: self.safety(),
            Action.HELP: lambda intent, running: [Output(say=help_line(running, engine.locale))],
            Action.MENU: lambda intent, running: [Output(say=menu_line(engine.library, engine.locale))],
            Action.START: self._start,
            Action.TAKE_BREAK: self._take_break,
            Action.ALREADY: self._already,
            Action.CONTINUE: lambda intent, running: self._continue(),
            Action.FORGET: lambda intent, running: engine.forget_tonight(),
            Action.SESSION: session,
            Action.ANSWER: session,
            Action.PACE: session,
            Action.RESUME: session,
            Action.RESUME_NEXT: session,
            Action.RESUME_BACK: session,
            Action.PAUSED_AGAIN: session,
            Action.RATE: lambda intent, running: engine.change_speaking_rate(intent),
            Action.STOP: self._stop,
            Action.STOP_IDLE: self._stop_idle,
            Action.NOT_RUNNING: lambda intent, running: self._line("not_running"),
            Action.SILENT: lambda intent, running: None,
        }
        assert set(self._handlers) == set(Action), "every action of the policy table has a handler"

    def state(self) -> policy.State:
        engine = self.engine
        running = engine.running()
        step = running.script.steps[running.index] if running is not None else None
        return policy.state_of(step_kind(step) if step is not None else None,
                               running is not None and running.paused, engine.suspended is not None)

    def dispatch(self, intent: str) -> list[Output] | None:
        """The table's action for this command in this state, carried out."""
        engine = self.engine
        running = engine.running()
        starts = frozenset(running.script.start_intents) if running is not None else frozenset()
        state = self.state()
        action = policy.decide(state, policy.category(intent, starts, frozenset(engine.library.options)))
        engine.emit("decided", intent=intent, state=state.value, action=action.name.lower())
        outputs = self._handlers[action](intent, running)
        if state == policy.State.BREATHE and outputs and any(output.say for output in outputs):
            outputs = [*outputs, *running.breathe_again(engine.frame)]  # the running session, if still breathing
        return outputs

    def safety(self) -> list[Output]:
        """Everything stops; the resources, "stopped" only if something was running (it may be a mishearing)."""
        engine = self.engine
        ran = [session for session in (engine.running(), engine.suspended) if session is not None]
        for session in ran:
            engine.apply(session.end(engine.frame, "safety"), session)
        engine.suspended = None
        return [Output(stop_audio=True), Output(say=safety_line(engine.locale, stopped=bool(ran)))]

    def _session(self, intent: str, running: Session | None) -> list[Output] | None:
        return running.command(intent, self.engine.frame)

    def _start(self, intent: str, running: Session | None) -> list[Output] | None:
        engine = self.engine
        if engine.library.refresh():  # edits to scripts are picked up between sessions
            engine.listener.set_phrases({**engine.locale.intents, **engine.library.phrases})
        script = engine.library.for_intent(intent)
        return engine.start(script) if script is not None else None

    def _take_break(self, intent: str, running: Session | None) -> list[Output] | None:
        """The exercise waits, paused, while the couple takes the break (from a break: the other break)."""
        engine = self.engine
        break_script = engine.library.for_intent(intent)
        if break_script is None or BREAK_INTENTS & set(running.script.start_intents):
            return self._start(intent, running)
        pause = running.command("pause", engine.frame) or []
        engine.apply([output for output in pause if output.event is not None], running)
        engine.suspended = running
        engine.session = None  # the paused exercise waits in `suspended`, it is not replaced
        return engine.start(break_script)

    def _continue(self) -> list[Output]:
        engine = self.engine
        lines = engine.locale.lines
        if engine.suspended is not None:
            if (running := engine.running()) is not None:  # the break, cut short
                engine.apply(running.end(engine.frame, "replaced"), running)
            session, engine.suspended = engine.suspended, None
            engine.session = session
            line = fill(lines["continuing"], {"title": session.script.title})
            return [Output(stop_audio=True), Output(say=line), *(session.command("resume", engine.frame) or [])]
        row = engine.history.resumable(engine.clock()) if engine.history else None
        script = engine.library.scripts.get(row.script) if row else None
        if row is None or script is None:
            return self._line("nothing_to_continue")
        engine.history.reopen(row.id)
        first = row.first if row.first in engine.partners else None
        outputs = engine.start(script, row.last_step, row.id, first)
        return [*outputs, Output(say=fill(lines["continuing"], {"title": script.title}))]

    def _stop(self, intent: str, running: Session | None) -> list[Output]:
        engine = self.engine
        if running is not None:
            return running.command("stop", engine.frame)
        stopped = engine.suspended.end(engine.frame, "stopped")  # the exercise set aside for a break
        engine.suspended = None
        return [Output(stop_audio=True), *self._line("stopped"), *stopped]

    def _stop_idle(self, intent: str, running: Session | None) -> list[Output]:
        """Quiet at once; only when nothing was sounding, a word that nothing is running."""
        return [Output(stop_audio=True)] if self.engine.player.playing else self._line("not_running")

    def _already(self, intent: str, running: Session | None) -> list[Output]:
        return [Output(say=fill(self.engine.locale.lines["already_running"], {"title": running.script.title}))]

    def _line(self, name: str) -> list[Output]:
        return [Output(say=self.engine.locale.lines[name])]
