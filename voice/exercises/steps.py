"""The typed steps a script is validated into, and the breathing patterns with their safety limits.

A loaded script is a flat program: `include` is inlined and `choose` becomes a `Choose` step whose
options jump to their branches, so a position in a session is one step index (easy to log and resume).
"""

from dataclasses import dataclass, field

PHASES = ("inhale", "top_up", "hold_in", "exhale", "hold_out")  # in the order they happen

# Named patterns (content-guide.md): seconds per phase, and the suggested length.
PATTERNS: dict[str, dict[str, float]] = {
    "resonance": {"inhale": 5, "exhale": 5},  # 6 breaths a minute, no holds
    "cyclic_sigh": {"inhale": 3, "top_up": 1, "exhale": 6},  # a second short inhale, a long exhale
    "box": {"inhale": 4, "hold_in": 4, "exhale": 4, "hold_out": 4},
    "4-7-8": {"inhale": 4, "hold_in": 7, "exhale": 8},
}
MAX_HOLD_S = 7.0  # longer breath holds are breath retention, which the guide rules out
MIN_EXHALE_S = 2.0
MIN_INHALE_S = 1.0  # a top-up may be 1 s; a first inhale shorter than this is gasping
MAX_CYCLES_478 = 8
FIRST_TIME_CYCLES_478 = 4
MAX_BREATHING_MINUTES = 20.0
PACE_STEP = 0.15  # "slower" / "faster" change breathing phases by 15 %
PACE_RANGE = (0.75, 1.35)  # two steps either way


@dataclass(frozen=True)
class Say:
    text: str
    pause: float = 0.0  # seconds of quiet after the line


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Breathe:
    pattern: str  # a name from PATTERNS, or "custom"
    phases: tuple[tuple[str, float], ...]  # (phase, seconds) in order, zero-length phases left out
    cycles: int
    cues: str = "both"  # "voice", "tones" or "both"
    voice_cycles: int = 3  # with "both": words for the first cycles, then tones alone
    words: dict[str, str] = field(default_factory=dict)  # phase -> spoken cue, over the locale's

    @property
    def cycle_seconds(self) -> float:
        return sum(seconds for _, seconds in self.phases)


def paced(phase: str, seconds: float, pace: float) -> float:
    """A phase's length at a pace, kept inside the safe limits whatever the pace."""
    scaled = seconds * pace
    if phase.startswith("hold"):
        return min(scaled, MAX_HOLD_S)
    return max(scaled, MIN_EXHALE_S if phase == "exhale" else MIN_INHALE_S)


@dataclass(frozen=True)
class Wait:
    """Wait for "next", or until nobody has spoken for `silence` seconds, or at most `max` seconds."""

    silence: float = 10.0
    max: float = 300.0


@dataclass(frozen=True)
class Turn:
    """One partner speaks; `{speaker}` and `{listener}` name who speaks and who listens."""

    who: str  # "first" or "second" (this session's order), "partner_a" or "partner_b"
    prompt: str
    soft_limit: float = 120.0  # seconds: a gentle reminder at the next pause
    hard_limit: float = 240.0  # seconds: the turn ends at the next pause
    silence: float = 15.0  # seconds of quiet that end the turn


@dataclass(frozen=True)
class Prompts:
    """Draw prompts from a deck; after each, every partner answers in a turn (or both together)."""

    deck: str
    count: int = 1
    avoid_recent: int = 10  # never a prompt drawn in the last this-many sessions
    answer: str = "each"  # "each" or "together"
    soft_limit: float = 90.0
    hard_limit: float = 180.0
    silence: float = 15.0
    at: str = field(default="", compare=False, repr=False)  # file:line:column, for the deck check


@dataclass(frozen=True)
class Option:
    name: str
    intent: str  # the intent its phrases are heard as: "option:<name>"
    phrases: tuple[str, ...]  # phrase templates
    target: int  # step index of the branch


@dataclass(frozen=True)
class Choose:
    ask: str
    options: tuple[Option, ...]
    otherwise: int  # step index when nobody answers
    silence: float = 20.0
    at: str = ""  # file:line of the choice, for problems found later (`voice validate`)


@dataclass(frozen=True)
class Jump:
    """End of a branch: go on after the `choose` (never spoken, never a step of its own)."""

    target: int


@dataclass(frozen=True)
class Swap:
    """From here on, tonight's first and second trade places (the hurt partner speaks first in a
    repair). Takes no time, never a step of its own, like a jump."""


@dataclass(frozen=True)
class Timer:
    """A long break: the couple goes apart; a chime and a line call them back, and "I need more
    time" gives them more."""

    minutes: float
    start: str
    back: str  # said when the time is up
    more_minutes: float = 10.0
    max_extensions: int = 6
    silence: float = 60.0  # after the return line, go on when nobody answers


Step = Say | Pause | Breathe | Wait | Turn | Prompts | Choose | Jump | Swap | Timer


def step_kind(step: Step) -> str:
    return type(step).__name__.lower()

