"""Every command in every state has a defined answer: the policy table (voice/policy.py) walked
through the real engine, in both locales.

Each state is reached as a couple would reach it (a script holding every kind of step, resumed at
that step by "continue our check-in"; a pause; a break that set the exercise aside), then each
command category is said and what the engine did is checked against the table.
"""

import pytest
from conftest import ToneVoice

from voice import policy
from voice.audio.frames import SILENT_FRAME, frames_for
from voice.engine import Engine
from voice.exercises.history import SessionLog
from voice.exercises.library import Library, bundled_scripts_dir
from voice.exercises.lines import safety_line
from voice.listen.intents import IntentMatcher, expand
from voice.listen.listener import Listener
from voice.locale import Locale
from voice.policy import COMMANDS, Action, State
from voice.speak.cache import PromptCache

NOW = 1_790_000_000.0
REPO_README = bundled_scripts_dir() / "README.md"
MATRIX = {
    "en": ("Say one thing.", "Take a moment together. Say done when you're ready.", "Your turn.",
           "Pick one or two.", "one", "two", "See you soon.", "Time to come back."),
    "ko": ("한 가지 말해 주세요.", "함께 생각해 보세요.", "말해 주세요.", "하나 또는 둘 중에 골라 주세요.",
           "하나", "둘", "이따 봐요.", "다시 모여요."),
}
KIND_OF = {State.SAY: "say", State.PAUSE: "pause", State.BREATHE: "breathe", State.WAIT: "wait",
           State.TURN: "turn", State.PROMPTS: "prompts", State.CHOICE: "choose", State.TIMER: "timer"}


def matrix_script(folder, code: str) -> None:
    """A user script (and deck) with every kind of step, started by the breathing exercise's phrase (the
    introduction's, which it used before, belongs to the speaker's own script alone)."""
    say, wait, turn, ask, one, two, gone, back = MATRIX[code]
    (folder / code / "decks").mkdir(parents=True)
    (folder / code / "decks" / "matrix.yaml").write_text(
        f"deck: matrix\ntitle: Matrix\nprompts:\n  - '{say}'\n  - '{ask}'\n", encoding="utf-8")
    (folder / code / "matrix.yaml").write_text(f"""id: matrix
title: matrix
locale: {code}
minutes: 30
start_intents: [breathing]
steps:
  - say: "{say}"
    pause: 10
  - pause: 30
  - breathe: {{inhale: 5, exhale: 5, cycles: 6}}
  - say: "{wait}"
  - wait: {{silence: 20, max: 120}}
  - turn: {{who: first, prompt: "{turn}", soft_limit: 60, hard_limit: 90}}
  - prompts: {{deck: matrix, count: 1}}
  - choose:
      ask: "{ask}"
      options:
        one: {{phrases: ["{one}"], steps: [{{say: "{say}"}}]}}
        two: {{phrases: ["{two}"], steps: [{{say: "{say}"}}]}}
  - timer: {{minutes: 20, start: "{gone}", back: "{back}"}}
""", encoding="utf-8")


class Room:
    def __init__(self, tmp_path, code: str) -> None:
        matrix_script(tmp_path / "scripts", code)
        self.locale = Locale.load(code)
        self.library = Library([bundled_scripts_dir(), tmp_path / "scripts"], code, self.locale.intents)
        assert "matrix" in self.library.scripts, self.library.problems
        self.log = SessionLog(tmp_path / "sessions.db")
        self.engine = Engine(self.locale, self.library, PromptCache(ToneVoice(), tmp_path / "cache"),
                             Listener(IntentMatcher(self.locale.intents, self.locale.max_cost)), ("Alex", "Sam"), self.log,
                             clock=lambda: NOW, seed=1)
        self.events: list = []

    def run(self, frames: int) -> None:
        for _ in range(frames):
            self.events += self.engine.feed(SILENT_FRAME)[1]

    def until(self, done, limit: int = frames_for(300)) -> None:
        for _ in range(limit):
            if done():
                return
            self.run(1)
        raise AssertionError("never reached")

    def hear(self, intent: str) -> list:
        self.until(lambda: self.engine.listening)
        before = len(self.events)
        self.engine.hear_text(self.phrase(intent))
        self.run(frames_for(3))
        return self.events[before:]

    def phrase(self, intent: str) -> str:
        templates = self.locale.intents.get(intent) or self.library.options[intent]
        return min(expand(templates[0]), key=len)

    def at_step(self, kind: str) -> None:
        """The matrix script, cut off at its `kind` step and continued, as after a power cut."""
        script = self.library.scripts["matrix"]
        index = next(i for i, step in enumerate(script.steps) if type(step).__name__.lower() == kind)
        row = self.log.start("matrix", "matrix", "Alex", NOW - 60)
        self.log.step(row, index, index)
        self.log.interrupt_open(NOW - 30)
        self.hear("continue_session")


def reach(tmp_path, code: str, state: State) -> Room:
    room = Room(tmp_path, code)
    if state in KIND_OF:
        room.at_step(KIND_OF[state])
    elif state == State.PAUSED:
        room.at_step("say")
        room.hear("pause")
    elif state == State.SET_ASIDE:
        room.at_step("say")
        room.hear("calming_break")
        room.until(lambda: any(e.type == "script_finished" and e.data["reason"] == "completed"
                               for e in room.events), frames_for(600))
    room.until(lambda: room.engine.listening and room.engine.commands.state() == state)
    return room


def intent_for(room: Room, command: str) -> str | None:
    """A real intent of the category `command` in this state, or None where none can be said."""
    running = room.engine.running()
    starts = set(running.script.start_intents) if running else set()
    if command in room.locale.intents:
        return command
    if command == "start_running":
        return next(iter(starts), None)
    if command == "option":
        return "option:one"
    if command == "break":
        return "calming_break"
    return next(intent for intent in room.locale.intents if intent not in COMMANDS and intent not in starts
                and intent not in policy.BREAK_INTENTS and room.library.for_intent(intent) is not None)


def did(room: Room, action: Action, events: list) -> bool:
    """What each action must be seen to do."""
    kinds = {event.type for event in events}
    said = [event.data["text"] for event in events if event.type == "said"]
    lines = room.locale.lines
    return {
        Action.SAFETY: any(text == safety_line(room.locale, stopped=text != safety_line(room.locale, False))
                           for text in said),
        Action.HELP: bool(said),
        Action.START: "script_started" in kinds,
        Action.TAKE_BREAK: "script_started" in kinds and room.engine.suspended is not None,
        Action.ALREADY: any(text.startswith(lines["already_running"].split("{")[0]) for text in said),
        Action.CONTINUE: bool(said),
        Action.FORGET: lines["forgotten"] in said,
        Action.RATE: "pace" in kinds,
        Action.STOP: any(e.type == "script_finished" and e.data["reason"] == "stopped" for e in events),
        Action.STOP_IDLE: lines["not_running"] in said,
        Action.NOT_RUNNING: lines["not_running"] in said,
        Action.SILENT: "ignored" in kinds and not said,
        Action.PAUSED_AGAIN: lines["paused"] in said,
        Action.RESUME: "resumed" in kinds,
        Action.RESUME_NEXT: "resumed" in kinds and "step_started" in kinds,
        Action.RESUME_BACK: "resumed" in kinds and "step_started" in kinds,
    }.get(action, bool(kinds & {"said", "step_started", "paused", "pace", "script_finished"}))


def test_the_table_is_complete():
    for state in State:
        assert set(policy.TABLE[state]) == set(COMMANDS), state


def test_scripts_readme_shows_the_table_as_it_is():
    assert policy.markdown() in REPO_README.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("code", ["en", "ko"])
def test_every_command_in_every_state_does_what_the_table_says(tmp_path, code):
    walked, unheard = 0, []
    for state in State:
        for command in COMMANDS:
            folder = tmp_path / f"{state.name}-{command}"
            room = reach(folder, code, state)
            intent = intent_for(room, command)
            if intent is None:
                assert state in (State.IDLE, State.SET_ASIDE) and command == "start_running"
                continue
            events = room.hear(intent)
            decided = [e.data for e in events if e.type == "decided"]
            if not decided:  # not listened for in this state (voice/listen/context.py)
                assert any(e.type == "rejected" for e in events), (state, command)
                unheard.append((state.value, command))
                continue
            expected = policy.decide(state, command)
            assert decided[0]["action"] == expected.name.lower(), (state, command, decided)
            assert did(room, expected, events), (state, command, expected, events)
            walked += 1
            room.engine.close()
    for state in State:  # the safety request and "stop" are heard everywhere
        assert (state.value, "safety") not in unheard and (state.value, "stop") not in unheard
    print(f"{code}: {walked} cells carried out as the table says; not listened for: {len(unheard)}")


def test_only_what_ends_an_exercise_or_starts_one_or_a_break_interrupts():
    """The commands whose false accept cuts into the couple's talk, and so meet the open recognizer's
    stricter check (crosscheck.INTERRUPTING_ALTERNATIVES)."""
    from voice.listen.context import interrupts

    assert interrupts("stop") and interrupts("start_checkin") and interrupts("breathing")
    assert interrupts("calming_break") and interrupts("long_break")
    for intent in ("next", "done", "back", "pause", "resume", "help", "repeat", "slower", "safety"):
        assert not interrupts(intent), intent
