"""What a heard command does in each state: a table per state, the way a state machine is written down.

The engine works out the state (what is running, and what its step is doing) and the command's
category, looks up the action here and carries it out; nothing else decides. Which commands are
*heard* at all in a state is the listener's business (voice/listen/context.py): during a partner's
turn, for example, only "done", "next" and the always-on set reach this table.
"""

from enum import Enum


class State(str, Enum):
    """Idle, paused, or the kind of step the running exercise is in. A break that set an exercise
    aside is in its own steps' states; "continue" goes back to the exercise, "stop" ends both."""

    IDLE = "idle"  # nothing running
    SET_ASIDE = "set aside"  # nothing running, an exercise set aside for a break that has ended
    SAY = "say"  # a step speaking a line, or the pause after it
    PAUSE = "pause"  # a silent pause step
    BREATHE = "breathe"
    WAIT = "wait"  # waiting for the couple to finish something together
    TURN = "turn"  # a partner is speaking to the other
    PROMPTS = "prompts"  # questions from a deck, asked and answered
    CHOICE = "choice"  # a question with spoken options
    TIMER = "timer"  # the long break's timer
    PAUSED = "paused"


class Action(str, Enum):
    SAFETY = "safety response"
    HELP = "what can I say, for this moment"
    MENU = "name the exercises and the words that start each"
    START = "start that exercise"
    TAKE_BREAK = "set the exercise aside, start the break"
    ALREADY = "say it is already running"
    CONTINUE = "continue the set-aside or interrupted exercise"
    FORGET = "forget tonight's log"
    SESSION = "the exercise's own command"
    ANSWER = "the step's answer"
    RESUME = "resume at the current step"
    RESUME_NEXT = "resume at the next step"
    RESUME_BACK = "resume at the step before"
    PAUSED_AGAIN = "say it is paused"
    PACE = "breathing pace"
    RATE = "speaking rate"
    STOP = "stop the exercise"
    STOP_IDLE = "stop any sound; if none, say nothing is running"
    NOT_RUNNING = "say nothing is running"
    SILENT = "nothing (deliberately)"


# The categories a command falls in; `start` is any intent that starts a script, `start_running` one
# that starts the script already running, `option` a choice's spoken option.
COMMANDS = ("safety", "help", "menu", "stop", "pause", "resume", "next", "done", "back", "repeat", "slower", "faster",
            "more_time", "break", "start", "start_running", "continue_session", "forget_tonight", "option")
BREAK_INTENTS = frozenset({"calming_break", "long_break"})

_ANYWHERE = {
    "safety": Action.SAFETY,
    "help": Action.HELP,
    "menu": Action.MENU,
    "continue_session": Action.CONTINUE,
    "forget_tonight": Action.FORGET,
    "start": Action.START,
    "start_running": Action.ALREADY,
}
_IN_EXERCISE = _ANYWHERE | {
    "stop": Action.STOP,
    "pause": Action.SESSION,
    "resume": Action.SILENT,  # nothing is paused; "resume" while running changes nothing
    "next": Action.SESSION,
    "done": Action.SESSION,
    "back": Action.SESSION,
    "repeat": Action.SESSION,
    "slower": Action.RATE,
    "faster": Action.RATE,
    "more_time": Action.SILENT,  # only the long break's timer gives more time; not heard elsewhere
    "break": Action.TAKE_BREAK,
    "option": Action.SILENT,  # another step's option; not heard outside its choice
}
_IDLE = _ANYWHERE | {
    "stop": Action.STOP_IDLE,
    "pause": Action.NOT_RUNNING,
    "resume": Action.NOT_RUNNING,
    "next": Action.NOT_RUNNING,
    "done": Action.NOT_RUNNING,
    "back": Action.NOT_RUNNING,
    "repeat": Action.NOT_RUNNING,
    "slower": Action.RATE,
    "faster": Action.RATE,
    "more_time": Action.SILENT,  # no timer runs: not heard
    "break": Action.START,
    "option": Action.SILENT,  # no question is asked: not heard
}

TABLE: dict[State, dict[str, Action]] = {
    State.IDLE: _IDLE,
    State.SET_ASIDE: _IDLE | {"resume": Action.CONTINUE, "next": Action.CONTINUE, "stop": Action.STOP},
    State.SAY: _IN_EXERCISE,
    State.PAUSE: _IN_EXERCISE,
    State.BREATHE: _IN_EXERCISE | {"slower": Action.PACE, "faster": Action.PACE},
    State.WAIT: _IN_EXERCISE | {"done": Action.ANSWER, "next": Action.ANSWER},
    State.TURN: _IN_EXERCISE | {"done": Action.ANSWER, "next": Action.ANSWER},
    State.PROMPTS: _IN_EXERCISE,
    State.CHOICE: _IN_EXERCISE | {"option": Action.ANSWER},
    State.TIMER: _IN_EXERCISE | {"more_time": Action.ANSWER},
    State.PAUSED: _IN_EXERCISE | {
        "pause": Action.PAUSED_AGAIN,
        "resume": Action.RESUME,
        "repeat": Action.RESUME,
        "next": Action.RESUME_NEXT,
        "done": Action.RESUME,  # English "resume" was heard as "done" 7 times in 35: it must not skip a step
        "back": Action.RESUME_BACK,
    },
}


STEP_STATES = {"say": State.SAY, "pause": State.PAUSE, "breathe": State.BREATHE, "wait": State.WAIT,
               "turn": State.TURN, "prompts": State.PROMPTS, "choose": State.CHOICE, "timer": State.TIMER}


def state_of(step_kind: str | None, paused: bool, set_aside: bool) -> State:
    """The state: `step_kind` of the running exercise's step (None when nothing runs)."""
    if step_kind is None:
        return State.SET_ASIDE if set_aside else State.IDLE
    return State.PAUSED if paused else STEP_STATES[step_kind]


def decide(state: State, command: str) -> Action:
    """The action for a command category in a state (a KeyError is a hole in the table: a bug)."""
    return TABLE[state][command]


def category(intent: str, running_starts: frozenset[str], options: frozenset[str]) -> str:
    """The table's column for an intent: itself for a command, else what kind of starter it is."""
    if intent in COMMANDS:
        return intent
    if intent in options:
        return "option"
    if intent in running_starts:
        return "start_running"
    return "break" if intent in BREAK_INTENTS else "start"


def markdown() -> str:
    """The table as scripts/README.md shows it (a test keeps the two the same)."""
    states = list(State)
    name = {action: action.name.lower().replace("_", " ") for action in Action}
    rows = ["| command | " + " | ".join(state.value for state in states) + " |",
            "|---|" + "---|" * len(states)]
    rows += [f"| {command} | " + " | ".join(name[decide(state, command)] for state in states) + " |"
             for command in COMMANDS]
    legend = [f"**{name[action]}**: {action.value}" for action in Action]
    return "\n".join(rows) + "\n\n" + "; ".join(legend) + "."
