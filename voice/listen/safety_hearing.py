"""How a locale makes sure that a safety request it heard was one: the settings, each measured
(the locale's yaml says with what), that safety_check.py follows. A missed request and
talk that starts the crisis message both cost the couple, and each model errs its own way."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SafetyHearing:
    """`second_look_phrases`: what a request's second look hears it among (the locale's commands
    and everyday words: `Locale.second_look`); empty: every phrase listened for.
    `everyday_words`: those of them that are talk, never a stray word beside a request
    (`second_look.second_look`). `noisy_confidence`: the n-best confidence a request must reach in
    a noisy room (None: as anywhere); the second look then decides (`second_look.looks_again`).
    `second_look_in_quiet`: every request heard in a quiet room gets the second look, in every
    context. `heard_openly_in_quiet`: a request heard in a quiet room, where the open recognizer
    listens too, stands only if it heard it (`OpenCheck.safety_verdict`)."""

    second_look_phrases: tuple[str, ...] = ()
    everyday_words: frozenset[str] = frozenset()
    noisy_confidence: float | None = None
    second_look_in_quiet: bool = False
    heard_openly_in_quiet: bool = False
