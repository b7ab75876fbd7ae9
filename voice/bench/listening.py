"""The listening bench (a real Vosk listener) and the latency and idle benchmarks. Audio time is frames;
wall time is measured only as compute cost."""

import resource
import time
from dataclasses import dataclass, replace

import numpy as np

from ..assemble import build_engine, listener_for, load_library, recognizer_for
from ..audio.frames import FRAME_MS, RATE, frames_for, split_frames
from ..config import Settings
from ..listen import context
from ..listen.context import Context
from ..listen.intents import EXACT_INTENTS, IntentMatcher, Match, expand
from ..listen.recognizer import GrammarRecognizer
from ..locale import Locale
from .speech import LEAD_S, RATES, Utterance, mix, ordinary_sentences, room_noise, utterances

TARGETS = {"algorithmic_p95_ms": 250, "compute_ms_per_command": 30, "idle_cpu_percent": 3.0, "peak_rss_mb": 400}
NOISY_SNR = 20.0  # the room-noise condition of the latency benchmark
PACED_EVERY = 6  # of the latency benchmark's commands, heard again at the pace of live audio


@dataclass(frozen=True)
class Heard:
    match: Match | None  # None: nothing was heard at all
    frame: int  # the frame it was decided in (by `hear`: counted from the end of speech)
    compute_ms: float  # wall time spent on the frames from the end of speech to that decision
    late_ms: float = 0.0  # fed at live pace (`listen(paced=True)`): how long after its frame came in


def why_missed(match: Match | None, intent: str) -> str:
    """Why `intent` was not heard, as a kind to count: another command, or the rejection's reason
    without its figures and with the command's own name as "it" ("unsure: next at confidence 0.21"
    is "unsure", "next not confirmed: open vocabulary heard 'the'" is "it not confirmed")."""
    if match is None:
        return "nothing heard"
    if match.intent is not None:
        return "heard as another command"
    return match.reason.replace(intent, "it").split(" (")[0].split(":")[0]


class Bench:
    """A real Vosk listener for one locale, with the command set each intent is valid in."""

    def __init__(self, settings: Settings, intents: dict[str, list[str]] | None = None) -> None:
        """`intents`: phrase templates to measure instead of the speaker's own: the locale's commands
        and the scripts' start phrases, as the speaker listens in idle (engine.py). Hearing the
        locale's commands alone, the benches missed what the scripts' words do to them: espeak-ng's
        숨 쉬기 was 서운함 쉬기 (서운함 풀기 starts a script), and 도움이 필요해 in a partner's turn
        도움이 귀 계속해 (issue 17's note)."""
        self.locale = Locale.load(settings.locale)
        if intents is None:
            intents = {**self.locale.intents, **load_library(settings, self.locale).starts}
        self.matcher = IntentMatcher(intents, self.locale.max_cost, self.locale.min_confidence,
                                     self.locale.intent_confidence)
        self.recognizer: GrammarRecognizer = recognizer_for(settings, self.locale, self.matcher)
        self.intents = frozenset(self.matcher.templates)  # every intent listened for somewhere
        self.starters = frozenset(filter(context.starts_an_exercise, self.intents))
        # A false accept of these is never fine: it starts something, ends it, or gives the crisis
        # message.
        self.disruptive = frozenset(
            intent for intent in self.intents
            if intent in ("safety", "stop") or context.starts_something(intent))
        candidates = [context.idle(self.intents), context.session(frozenset({"more_time"})), context.paused()]
        self.context_of = {intent: next(c for c in candidates if intent in c.intents) for intent in self.intents}
        self.rng = np.random.default_rng(7)
        self.denoise = True  # noise suppression in noisy rooms, as the speaker listens

    def commands(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(phrase, intent) for every phrase of every command, or the first phrase of `limit` commands."""
        if limit is not None:
            return [(expand(templates[0])[0], intent) for intent, templates in self.matcher.templates.items()][:limit]
        return [(phrase, intent) for intent, templates in self.matcher.templates.items()
                for template in templates for phrase in expand(template)]

    def listen(self, audio: np.ndarray, in_context: Context, speech_end: int = 0, paced: bool = False) -> list[Heard]:
        """Every decision a fresh listener makes over `audio`, accepted or rejected. `paced`: each
        frame is fed when it would come in live, FRAME_MS after the one before, so work the listener
        does off the engine's thread (the open recognizer's) overlaps the audio as it does live."""
        listener = listener_for(self.locale, self.matcher, self.recognizer, self.denoise)
        listener.follow(lambda: in_context)
        decisions, compute = [], 0.0
        began = time.perf_counter()
        for index, frame in enumerate(split_frames(audio)):
            arrives = began + (index + 1) * FRAME_MS / 1000  # the frame is whole at its end
            if paced:
                time.sleep(max(0.0, arrives - time.perf_counter()))
            started = time.perf_counter()
            match = listener.feed(frame)
            ended = time.perf_counter()
            if index >= speech_end:
                compute += ended - started
            if match is not None:
                decisions.append(Heard(match, index, compute * 1000, (ended - arrives) * 1000 if paced else 0.0))
        return decisions

    def spoken_commands(self, quick: bool) -> tuple[list[Utterance], dict[str, str]]:
        """Every command phrase (a few when `quick`) in each voice and rate, and each phrase's intent."""
        commands = self.commands(limit=6 if quick else None)
        voices, rates = (1, (150,)) if quick else (3, RATES)
        return utterances([phrase for phrase, _ in commands], self.locale.code, voices, rates), dict(commands)

    def hear(self, utterance: Utterance, noise: np.ndarray, snr: float | None, in_context: Context,
             paced: bool = False) -> Heard:
        """The first accepted intent of one utterance in room noise at `snr`, else its last rejection."""
        return self.first_heard(mix(utterance.audio, noise, snr), utterance.audio, in_context, paced)

    def first_heard(self, microphone: np.ndarray, speech: np.ndarray, in_context: Context,
                    paced: bool = False) -> Heard:
        """The first accepted intent in `microphone` (`speech` after LEAD_S of room sound), else the
        last rejection; its frame counted from the end of the speech."""
        speech_end = frames_for(LEAD_S) + len(split_frames(speech))
        decisions = self.listen(microphone, in_context, speech_end, paced)
        accepted = [decision for decision in decisions if decision.match.intent is not None]
        first = (accepted or decisions or [Heard(None, -1, 0.0)])[0 if accepted else -1]
        return replace(first, frame=first.frame - speech_end)


def latency(settings: Settings, quick: bool = False) -> dict:
    """Frames from the end of each spoken command to the frame that answers it, and the compute spent."""
    bench = Bench(settings)
    said, intent_of = bench.spoken_commands(quick)
    noise = room_noise(30, bench.rng)
    algorithmic, compute, per_command = [], [], {}
    held = []  # safety and forgetting wait for the quiet after them (hold.HOLD_FRAMES)
    for snr in (None, NOISY_SNR):  # in silence, in room noise
        for utterance in said:
            intent = intent_of[utterance.text]
            heard = bench.hear(utterance, noise, snr, bench.context_of[intent])
            if heard.match is None or heard.match.intent != intent:
                continue
            ms = (heard.frame + 1) * FRAME_MS  # the answer plays from the end of the deciding frame
            (held if intent in EXACT_INTENTS else algorithmic).append(ms)
            compute.append(heard.compute_ms)
            per_command.setdefault(intent, []).append(ms)
    # Unpaced, the frames come faster than the open recognizer's thread decodes them, and the answer
    # waits for its backlog; live, that work was done while the words were said.
    late = []
    for utterance in said[::PACED_EVERY]:
        intent = intent_of[utterance.text]
        heard = bench.hear(utterance, noise, NOISY_SNR, bench.context_of[intent], paced=True)
        if heard.match is not None and heard.match.intent == intent:
            late.append(heard.late_ms)
    result = {
        "benchmark": "latency", "locale": settings.locale, "utterances": 2 * len(said),
        "recognized": len(algorithmic) + len(held),
        "algorithmic_ms": percentiles(algorithmic), "safety_ms": percentiles(held), "compute_ms": percentiles(compute),
        "live_answer_wait_ms": percentiles(late),
        "per_command_algorithmic_ms": {k: percentiles(v) for k, v in sorted(per_command.items())},
        "targets": {k: TARGETS[k] for k in ("algorithmic_p95_ms", "compute_ms_per_command")},
    }
    summary = (f"{result['recognized']} of {result['utterances']} commands recognized; end of speech to "
               f"answer p50 {result['algorithmic_ms']['p50']} ms, p95 {result['algorithmic_ms']['p95']} ms "
               f"(target {TARGETS['algorithmic_p95_ms']}; safety, held on purpose: p95 {result['safety_ms']['p95']} ms); "
               f"at live pace the answer waits for compute p50 {result['live_answer_wait_ms']['p50']} ms, "
               f"p95 {result['live_answer_wait_ms']['p95']} ms ({result['live_answer_wait_ms']['n']} commands; "
               f"target {TARGETS['compute_ms_per_command']}); compute summed from the end of speech, unpaced "
               f"(the open recognizer's backlog of the whole utterance with it): p95 {result['compute_ms']['p95']} ms")
    return {**result, "summary": summary}


def idle(settings: Settings, minutes: float = 60.0) -> dict:
    """CPU and memory of the whole engine listening to a quiet room with some talk now and then."""
    engine = build_engine(settings, recognize=True)
    rng = np.random.default_rng(11)
    talk = utterances(ordinary_sentences(settings.locale)[:10], settings.locale, voices=1, rates=(150,))
    frames = intents = 0
    cpu_started = time.process_time()
    for minute in range(max(1, round(minutes))):
        audio = room_noise(60, rng).astype(np.int32)
        if minute % 2 == 1:  # a sentence of conversation every other minute
            speech = talk[minute % len(talk)].audio
            at = int(rng.integers(0, len(audio) - len(speech)))
            audio[at : at + len(speech)] += speech // 3
        for frame in split_frames(np.clip(audio, -32768, 32767).astype(np.int16)):
            _, events = engine.feed(frame)
            intents += sum(event.type == "intent" for event in events)
            frames += 1
    cpu = time.process_time() - cpu_started
    engine.close()
    audio_s = frames * FRAME_MS / 1000
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "idle", "locale": settings.locale, "audio_seconds": audio_s, "cpu_seconds": round(cpu, 2),
        "cpu_seconds_per_audio_second": round(cpu / audio_s, 5), "cpu_percent_of_one_core": round(100 * cpu / audio_s, 2),
        "peak_rss_mb": round(rss_mb, 1), "intents_triggered": intents,
        "targets": {k: TARGETS[k] for k in ("idle_cpu_percent", "peak_rss_mb")},
    }
    summary = (f"{audio_s / 60:.0f} min of room sound: {result['cpu_percent_of_one_core']} % of one core "
               f"(target ≤ {TARGETS['idle_cpu_percent']}), peak RSS {result['peak_rss_mb']} MB "
               f"(target ≤ {TARGETS['peak_rss_mb']}), {intents} intents triggered")
    return {**result, "summary": summary}


def noise_false_accepts(bench: Bench, minutes: float) -> dict:
    """Room noise with clatter (doors, dishes: short loud bursts) in the idle command set."""
    audio = room_noise(minutes * 60, bench.rng).astype(np.float64)
    for at in bench.rng.integers(0, len(audio) - RATE, size=int(minutes * 6)):
        burst = bench.rng.standard_normal(RATE // 4) * np.exp(-np.arange(RATE // 4) / 800) * 6000
        audio[at : at + len(burst)] += burst
    audio = np.clip(audio, -32768, 32767).astype(np.int16)
    decisions = bench.listen(audio, context.idle(bench.intents))
    accepts = sum(heard.match.intent is not None for heard in decisions)
    return {"accepts": accepts, "noise_hours": round(minutes / 60, 3), "per_hour": round(accepts * 60 / minutes, 1)}


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    return {"p50": round(float(np.percentile(values, 50)), 1), "p95": round(float(np.percentile(values, 95)), 1),
            "n": len(values)}
