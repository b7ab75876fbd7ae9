"""`voice bench accuracy`: commands heard right, and everyday talk never taken for one, per voice set
(tuning, held-out) and per room condition. The held-out figures are the headline.

Each command's phrases (the shortest wording of each template; the locale's commands and the
scripts' start phrases, as the speaker listens) are spoken by every voice of a set and heard in the
command's own context, in each room condition, and once more a fifth slower in a quiet room. The
set's half of the talk corpus (voice/bench/talk.yaml: sentences and short everyday utterances) is
heard in idle, in a session and in a partner's turn, in a quiet room and at 6 dB SNR (a television
on while the couple talk); every intent it yields is a false accept, and those that start an
exercise or a break, end one, or give the safety response are counted apart. The time from the end
of speech to the answer is given for the reverberant rooms apart too: there the room's echo of the
voice outlasts it.
"""

from collections import Counter

import numpy as np

from ..audio.frames import FRAME_MS, RATE
from ..config import Settings
from ..listen import context
from ..listen.intents import EXACT_INTENTS, Match, expand
from .listening import Bench, noise_false_accepts, percentiles, why_missed
from .rooms import AT_6DB, CONDITIONS, ROOM_TONE, SLOWER_TALKER, Condition, in_room
from .speech import talk
from .voices import BASE_RATE, VOICE_SETS, available, speak

TARGETS = {"en": {"accuracy_room_tone": 0.97, "accuracy_6db": 0.90},
           "ko": {"accuracy_room_tone": 0.90, "start_phrases_room_tone": 0.95, "safety_on_talk": 0}}
MISSES_SHOWN = 12  # of each headline figure's misses, the most common this many as heard


def accuracy(settings: Settings, quick: bool = False) -> dict:
    bench = Bench(settings)
    locale = settings.locale
    phrases = [(min(expand(template), key=len), intent) for intent, templates in bench.matcher.templates.items()
               for template in templates]
    if quick:
        phrases = phrases[:6]
    # quick: a quiet room and a reverberant one, so each latency figure is checked (tests)
    quick_rooms = (CONDITIONS[0], CONDITIONS[1], CONDITIONS[3], AT_6DB, SLOWER_TALKER)
    conditions = quick_rooms if quick else (*CONDITIONS, SLOWER_TALKER)
    result: dict = {"benchmark": "accuracy", "locale": locale, "targets": TARGETS.get(locale, {}),
                    "phrases": len(phrases), "conditions": [c.name for c in conditions], "sets": {}}
    for name, voices in VOICE_SETS[locale].items():
        voices = available(voices)[: 1 if quick else None]
        commands = _commands(bench, phrases, voices, conditions)
        in_quiet = _talk(bench, _talk_part(locale, name, quick), voices, ROOM_TONE[0],
                         np.random.default_rng(9))
        result["sets"][name] = {"voices": list(voices), **commands, "talk": in_quiet}
    result["false_accepts_noise"] = noise_false_accepts(bench, minutes=1 if quick else 10)  # clatter, idle
    # Last, so that every figure before is heard as it was before these were (the recognizer carries
    # what it learnt of a voice from one utterance to the next).
    for name, figures in result["sets"].items():
        figures["talk_at_6db"] = _talk(bench, _talk_part(locale, name, quick),
                                       tuple(figures["voices"]), AT_6DB, np.random.default_rng(10))
    result["summary"] = _summary(result)
    return result


def _commands(bench: Bench, phrases: list[tuple[str, str]], voices: tuple[str, ...],
              conditions: tuple[Condition, ...]) -> dict:
    rng = np.random.default_rng(7)
    by_condition: dict[str, float] = {}
    confused, starts = Counter(), Counter()  # wrong commands; starters right or missed in room tone
    missed: dict[str, Counter] = {"room_tone": Counter(), "at_6db": Counter()}  # why, per headline figure
    heard_as: dict[str, Counter] = {"room_tone": Counter(), "at_6db": Counter()}  # each miss, as heard
    # By whether the room is reverberant: there the room's echo of the voice outlasts it, and the
    # answer waits for it to fade (endpoint.FADED_DB).
    latencies: dict[bool, list[float]] = {False: [], True: []}
    held: list[float] = []  # safety and forgetting wait for the quiet after them (hold.HOLD_FRAMES)
    compute: list[float] = []
    voice_right, voice_trials = Counter(), Counter()  # by (voice, room): is a set's figure one voice or all?
    for condition in conditions:
        right = trials = 0
        room = _room(condition)
        for voice in voices:
            for phrase, intent in phrases:
                speech = speak(phrase, voice, condition.words_a_minute or BASE_RATE)
                heard = bench.first_heard(in_room(speech, condition, rng), speech, bench.context_of[intent])
                got = heard.match.intent if heard.match else None
                trials += 1
                right += got == intent
                if room is not None:
                    voice_trials[voice, room] += 1
                    voice_right[voice, room] += got == intent
                if intent in bench.starters and condition in ROOM_TONE:
                    starts["right" if got == intent else "missed"] += 1
                if got == intent:
                    reverberant = condition.reverb_ms > 0
                    answered = held if intent in EXACT_INTENTS else latencies[reverberant]
                    answered.append((heard.frame + 1) * FRAME_MS)
                    compute.append(heard.compute_ms)
                elif got is not None:
                    confused[f"{intent} -> {got}"] += 1
                if got != intent and room is not None:
                    missed[room][why_missed(heard.match, intent)] += 1
                    heard_as[room][_as_heard(phrase, heard.match, intent)] += 1
        by_condition[condition.name] = round(right / max(trials, 1), 3)
    in_tone = [by_condition[c.name] for c in conditions if c in ROOM_TONE]
    return {
        "accuracy": by_condition,
        "accuracy_room_tone": round(float(np.mean(in_tone)), 3) if in_tone else None,
        "by_voice": {voice: {room: round(voice_right[voice, room] / tried, 3)
                             for (name, room), tried in voice_trials.items() if name == voice} for voice in voices},
        "start_phrases_room_tone": round(starts["right"] / max(sum(starts.values()), 1), 3),
        "most_confused": confused.most_common(10),
        "missed_because": {room: dict(kinds.most_common()) for room, kinds in missed.items()},
        "misses_heard_as": {room: dict(misses.most_common(MISSES_SHOWN)) for room, misses in heard_as.items()},
        "latency_ms": percentiles(latencies[False] + latencies[True]),
        "latency_ms_not_reverberant": percentiles(latencies[False]),
        "latency_ms_reverberant": percentiles(latencies[True]),
        "safety_latency_ms": percentiles(held), "compute_ms": percentiles(compute),
    }


def _as_heard(phrase: str, match: Match | None, intent: str) -> str:
    """One miss as heard: "'move on' as 'move on': it not confirmed", "'빠르게' as '느리게': slower"."""
    text = match.text if match is not None else ""
    why = match.intent if match is not None and match.intent is not None else why_missed(match, intent)
    return f"'{phrase}' as '{text}': {why}"


def _room(condition: Condition) -> str | None:
    """Which of a set's two headline figures `condition` counts in, if either."""
    if condition in ROOM_TONE:
        return "room_tone"
    return "at_6db" if condition == AT_6DB else None


def _talk_part(locale: str, voice_set: str, quick: bool) -> dict[str, list[str]]:
    """The voice set's half of the talk corpus (`quick`: five of each kind)."""
    part = talk(locale, voice_set)
    return {kind: texts[:5] for kind, texts in part.items()} if quick else part


def _talk(bench: Bench, texts: dict[str, list[str]], voices: tuple[str, ...], room: Condition,
          rng: np.random.Generator) -> dict:
    """The talk heard in idle, in a session and in a turn, each utterance in one voice of the set,
    in `room`."""
    said = [(kind, text, speak(text, voices[i % len(voices)])) for kind, part in texts.items()
            for i, text in enumerate(part)]
    hours = sum(len(audio) for _, _, audio in said) / RATE / 3600
    out = {"room": room.name, "utterances": {kind: len(part) for kind, part in texts.items()},
           "speech_hours": round(hours, 4)}
    for name, listening in (("idle", context.idle(bench.intents)), ("session", context.session(frozenset())),
                            ("turn", context.turn())):
        accepted = Counter()
        examples = []
        for kind, text, audio in said:
            for heard in bench.listen(in_room(audio, room, rng), listening):
                if heard.match.intent is not None:
                    accepted[heard.match.intent] += 1
                    examples.append(f"{text} -> {heard.match.intent}")
        disruptive = sum(n for intent, n in accepted.items() if intent in bench.disruptive)
        out[name] = {"false_accepts": sum(accepted.values()), "per_hour": round(sum(accepted.values()) / hours, 1),
                     "disruptive": disruptive, "safety": accepted["safety"], "by_intent": dict(accepted),
                     "examples": examples[:12]}
    return out


def _weakest(figures: dict) -> str:
    """The set's voice heard worst at 6 dB SNR, with its figure."""
    at_6db = {voice: rooms["at_6db"] for voice, rooms in figures["by_voice"].items() if "at_6db" in rooms}
    if not at_6db:
        return "not measured"
    voice = min(at_6db, key=at_6db.get)
    return f"{voice} {at_6db[voice]:.1%}"


def _top(kinds: dict[str, int], shown: int = 3) -> str:
    """The commonest kinds of miss: "it not confirmed 38, too far from any phrase 7, unsure 3"."""
    return ", ".join(f"{kind} {count}" for kind, count in list(kinds.items())[:shown]) or "none"


def _talk_figures(heard: dict) -> str:
    """"idle 4.2 (0 disruptive, 0 safety), session 0.0 (...), turn ..."."""
    return ", ".join(f"{ctx} {heard[ctx]['per_hour']} ({heard[ctx]['disruptive']} disruptive, "
                     f"{heard[ctx]['safety']} safety)" for ctx in ("idle", "session", "turn"))


def _summary(result: dict) -> str:
    parts = []
    for name, figures in result["sets"].items():
        parts.append(
            f"{name} ({len(figures['voices'])} voices): room tone {figures['accuracy_room_tone']:.1%}, "
            f"6 dB {figures['accuracy'].get(AT_6DB.name, float('nan')):.1%}, "
            f"digital silence {figures['accuracy'][CONDITIONS[0].name]:.1%}, "
            f"slower talker {figures['accuracy'][SLOWER_TALKER.name]:.1%}, "
            f"start phrases {figures['start_phrases_room_tone']:.1%}, weakest voice at 6 dB {_weakest(figures)}, "
            f"missed in room tone: {_top(figures['missed_because']['room_tone'])}; "
            f"talk false accepts per hour in a quiet room {_talk_figures(figures['talk'])}, "
            f"at 6 dB {_talk_figures(figures['talk_at_6db'])}"
            f"; latency p95 {figures['latency_ms']['p95']} ms (not reverberant "
            f"{figures['latency_ms_not_reverberant']['p95']}, reverberant rooms "
            f"{figures['latency_ms_reverberant']['p95']}; safety, held on purpose: "
            f"{figures['safety_latency_ms']['p95']} ms), compute unpaced p95 {figures['compute_ms']['p95']} ms "
            "(with the open recognizer's backlog; live compute: voice bench latency)")
    noise = result["false_accepts_noise"]
    return f"{result['locale']}: " + " | ".join(parts) + f" | room noise with clatter: {noise['per_hour']} per hour"
