"""`voice bench phrases`: how well the speech model tells each command phrase from all the others.

This is how a locale's commands are chosen. Every phrase of the locale's commands, or of a file of
candidates (the same form as a locale's `intents:`), is spoken by espeak-ng in each test voice and
rate, clean and at 10 dB SNR, and heard in the context its command belongs to, with every phrase in
the grammar. A phrase heard as another command is worse than one that is missed: a missed command
is said again, a wrong one acts (and a command heard as the safety request stops the exercise).
"""

from collections import Counter
from pathlib import Path

from ..config import Settings
from ..errors import ScriptError
from ..listen.intents import check_templates
from ..yamlfile import load_yaml, where
from .listening import Bench
from .speech import room_noise

CONDITIONS = {"clean": None, "10db": 10.0}
WEAKEST = 8  # phrases named in the summary


def load_candidates(path: Path) -> dict[str, list[str]]:
    """A YAML mapping of intent names to phrase templates, checked like a locale's `intents:`."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ScriptError(f"{path}:1:1: a candidates file maps intent names to lists of phrase templates")
    return check_templates(data, where(data))


def phrases(settings: Settings, candidates: Path | None = None, quick: bool = False) -> dict:
    """Per phrase: how often it was heard right, as which other command, and how often missed."""
    bench = Bench(settings, load_candidates(candidates) if candidates else None)
    said, intent_of = bench.spoken_commands(quick)
    noise = room_noise(30, bench.rng)
    conditions = {"clean": None} if quick else CONDITIONS
    tallies: dict[str, Counter] = {phrase: Counter() for phrase in intent_of}
    for snr in conditions.values():
        for utterance in said:
            intent = intent_of[utterance.text]
            heard = bench.hear(utterance, noise, snr, bench.context_of[intent])
            got = heard.match.intent if heard.match else None
            tallies[utterance.text]["right" if got == intent else got or "missed"] += 1
    unknown = set(bench.recognizer.unknown(bench.matcher.words))
    rows = []
    for phrase, tally in tallies.items():
        trials = sum(tally.values())
        rows.append({
            "phrase": phrase, "intent": intent_of[phrase], "right": tally["right"], "trials": trials,
            "rate": round(tally["right"] / trials, 3), "missed": tally["missed"],
            "heard_as": {k: v for k, v in tally.most_common() if k not in ("right", "missed")},
            "unknown_words": sorted(set(phrase.split()) & unknown),
        })
    rows.sort(key=lambda row: (row["rate"], -sum(row["heard_as"].values())))
    right, trials = sum(row["right"] for row in rows), sum(row["trials"] for row in rows)
    wrong = sum(sum(row["heard_as"].values()) for row in rows)
    result = {
        "benchmark": "phrases", "locale": settings.locale, "candidates": str(candidates) if candidates else None,
        "conditions": list(conditions), "voices": sorted({u.voice for u in said}),
        "rates": sorted({u.rate for u in said}), "overall": round(right / trials, 3),
        "heard_as_another_command": wrong, "trials": trials, "phrases": rows,
    }
    weakest = "; ".join(f"{row['phrase']} {row['right']}/{row['trials']}"
                        + (f" (as {', '.join(row['heard_as'])})" if row["heard_as"] else "")
                        + (" (unknown words)" if row["unknown_words"] else "") for row in rows[:WEAKEST])
    summary = (f"{right} of {trials} heard right ({result['overall']:.1%}), {wrong} as another command; "
               f"weakest: {weakest}")
    return {**result, "summary": summary}
