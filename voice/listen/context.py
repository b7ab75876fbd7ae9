"""What the speaker listens for at each moment: a small command set per step, not every phrase.

A smaller grammar gives Vosk fewer wrong places to put the couple's conversation, and lets a step
ignore commands that mean nothing there. A few intents are heard everywhere (ALWAYS_ON). During a
partner's turn only "done" and those are heard, and strictly: the couple is talking to each other.
"""

from dataclasses import dataclass

from ..policy import BREAK_INTENTS

ALWAYS_ON = frozenset({"safety", "stop", "pause", "calming_break"})
SESSION_ONLY = frozenset({"next", "done", "back", "repeat", "resume", "more_time"})
IN_SESSION = frozenset({"next", "done", "back", "repeat", "slower", "faster", "help", "long_break"})
WHILE_PAUSED = frozenset({"resume", "next", "done", "repeat", "help", "continue_session", "long_break"})
IN_TURN = frozenset({"done", "next", "repeat"})  # "repeat": hear the question again while answering it
OVER_SPEECH = frozenset({"safety", "stop", "pause"})
OVER_SPEECH_CONFIDENCE = 0.25  # measured: 0.5 lost 3 of 30 "stop"s at 0 dB; 0.25 gave no echo triggers


def starts_an_exercise(intent: str) -> bool:
    """Whether the intent is heard in none of an exercise's own command sets: a start phrase."""
    return intent not in ALWAYS_ON | SESSION_ONLY | IN_SESSION | WHILE_PAUSED


def starts_something(intent: str) -> bool:
    """Whether the intent starts an exercise or a break (policy.py): heard by mistake, it sets the
    speaker talking over the couple."""
    return starts_an_exercise(intent) or intent in BREAK_INTENTS


def interrupts(intent: str) -> bool:
    """Whether the intent ends an exercise or starts one or a break: a false one cuts into the
    couple's talk. A break too: at 6 dB SNR a tuning person's "I think we need a break for ..."
    was a calming break in 2 of 40 noise draws, confirmed by an open hearing 0.43-0.45 from "i need
    a break" ("i mean if they break for"), which a stop or a start's nearer limit turns away
    (issue 17's note)."""
    return intent == "stop" or starts_something(intent)


@dataclass(frozen=True)
class Context:
    name: str  # idle, session, paused, turn: for logs and benchmarks
    intents: frozenset[str]
    strict: bool = False  # exact phrases only, and a higher confidence
    min_confidence: float | None = None  # the n-best posterior floor; None: the default for strictness
    cross_checked: bool = True  # a command that can be one word must also be heard openly (listener.py)
    whole_phrase: bool = False  # no word of a phrase missing, swapped or added (a stray one at an edge aside)
    pause_before_start: bool = False  # a start phrase must follow a pause after the last words here (listener.py)
    # heard through the echo canceller, what it left of the speaker's voice beneath (hold.py)
    over_own_voice: bool = False


def idle(commands: frozenset[str], suspended: bool = False) -> Context:
    """No exercise running: anything that starts one, and the commands that make sense without one.
    The couple talk most here, so only a whole phrase counts, with at most a short stray word at an
    edge; not one with a word added, missing or heard as another, as Korean's max_cost allows
    elsewhere: "회사에서 너무 힘들었어" was heard as "체크인 나누기 이어서 하자", and "문제없어" as
    "번호 알려 줘" (상담 번호 알려 줘 starts the safety information; issue 17's note). And a start
    phrase counts only after a pause, not as a piece of a sentence. (Everyday words as decoys in
    idle's grammar, never acted on: Korean talk's false accepts there fell from 12 to 2 of the tuning
    half's 205 utterances, but the tuning voices' commands heard fell from 476 to 286 of 720, with
    the 204 words of that half the model knows; issue 17's note.)"""
    back_to_break = frozenset({"resume", "next"}) if suspended else frozenset()
    return Context("idle", (commands - SESSION_ONLY) | back_to_break | ALWAYS_ON, whole_phrase=True,
                   pause_before_start=True)


def session(step_accepts: frozenset[str]) -> Context:
    """An exercise is talking or waiting: its commands, plus what the current step listens for."""
    return Context("session", IN_SESSION | step_accepts | ALWAYS_ON)


def paused() -> Context:
    return Context("paused", WHILE_PAUSED | ALWAYS_ON)


def turn() -> Context:
    """A partner is speaking to the other: only "done", "repeat" and the always-on set, strictly.
    (Every other command as a decoy in the grammar, never acted on, took talk off these but cost
    "stop": people's held-out "stop" in a turn 51 -> 48 of 52; issue 17's note.)"""
    return Context("turn", IN_TURN | ALWAYS_ON, strict=True)


def over_speech() -> Context:
    """The speaker is talking (barge-in, through the echo canceller): only safety, stop and pause,
    strictly, so what is left of its own voice cannot become a command. (With every other command
    as a decoy, Korean talk over the speaker gave no false stop or safety, but "그만해" over the
    speaker's voice fell from 20/20 to 17/20 and 15/20 at 0 and -6 dB; issue 17's note.)"""
    return Context("speaking", OVER_SPEECH, strict=True, min_confidence=OVER_SPEECH_CONFIDENCE,
                   cross_checked=False, over_own_voice=True)
