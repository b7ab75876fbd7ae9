"""How long a script runs for a typical couple: its program walked from the first step to the end,
each step timed, over every branch of its choices (the shortest and the longest way through).

Lines take their words at the speaker's pace; a turn or a prompt answer takes TURN_SHARE of its soft
limit and the quiet that ends it; a wait, its silence; breathing and timers, exactly what they are.
`voice validate` warns when a script's stated `minutes` is more than a third outside that range.
"""

import re

from .steps import Breathe, Choose, Jump, Pause, Prompts, Say, Step, Swap, Timer, Turn, Wait

WORDS_PER_SECOND = 2.5  # English at the speaker's default rate (150 words a minute)
SYLLABLES_PER_SECOND = 4.5  # Korean, espeak-ng and Piper alike
TURN_SHARE = 0.5  # of a turn's soft limit: people stop well before the reminder, mostly
OFF_BY = 1 / 3  # stated minutes further than this (relative) from the estimate get a warning
SLACK_MINUTES = 0.5  # ... and further than this
GAP_S = 0.5  # between two steps


def spoken_seconds(text: str) -> float:
    syllables = len(re.findall(r"[\uac00-\ud7a3]", text))
    words = len(re.findall(r"[A-Za-z0-9']+", text))
    return syllables / SYLLABLES_PER_SECOND + words / WORDS_PER_SECOND


def step_seconds(step: Step) -> float:
    if isinstance(step, Say):
        return spoken_seconds(step.text) + step.pause
    if isinstance(step, Pause):
        return step.seconds
    if isinstance(step, Breathe):
        return step.cycles * sum(seconds for _, seconds in step.phases)
    if isinstance(step, Wait):
        return step.silence
    if isinstance(step, Turn):
        return spoken_seconds(step.prompt) + TURN_SHARE * step.soft_limit + step.silence
    if isinstance(step, Prompts):
        answers = 2 if step.answer == "each" else 1
        question = 8.0  # a drawn question, said
        return step.count * (question + answers * (TURN_SHARE * step.soft_limit + step.silence))
    if isinstance(step, Choose):
        return spoken_seconds(step.ask) + step.silence
    if isinstance(step, Timer):
        return spoken_seconds(step.start) + step.minutes * 60 + spoken_seconds(step.back)
    return 0.0


def typical_minutes(steps: tuple[Step, ...]) -> tuple[float, float]:
    """The shortest and the longest way through the program, in minutes."""
    memo: dict[int, tuple[float, float]] = {}

    def span(index: int, path: frozenset[int]) -> tuple[float, float]:
        if not 0 <= index < len(steps) or index in path:  # the end (or, defensively, a loop)
            return 0.0, 0.0
        if index in memo:
            return memo[index]
        step = steps[index]
        path = path | {index}
        if isinstance(step, Jump):
            found = span(step.target, path)
        elif isinstance(step, Choose):
            here = step_seconds(step) + GAP_S
            ways = [span(target, path) for target in {option.target for option in step.options} | {step.otherwise}]
            found = here + min(w[0] for w in ways), here + max(w[1] for w in ways)
        else:
            here = 0.0 if isinstance(step, Swap) else step_seconds(step) + GAP_S
            rest = span(index + 1, path)
            found = here + rest[0], here + rest[1]
        memo[index] = found
        return found

    shortest, longest = span(0, frozenset())
    return shortest / 60, longest / 60


def stated_off(stated: float, shortest: float, longest: float) -> bool:
    """A stated length more than a third below the shortest way through, or above the longest
    (and by more than half a minute: a one-minute script is not off by its seconds)."""
    if stated <= 0:
        return False
    return stated < shortest - max(shortest * OFF_BY, SLACK_MINUTES) or stated > longest + max(longest * OFF_BY,
                                                                                                SLACK_MINUTES)
