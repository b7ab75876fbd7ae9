"""`voice bench soak`: hours of a living room through the file driver, in frame time.

The input is written as a real WAV and read back by `run_files`, exactly as `voice run --input` does:
room noise, the couple's ordinary talk, and commands at random moments that start every script and
interrupt it (stop, pause, a break, slower, ...), or let it run out. The speaker must never raise,
never stay stuck (each session ends or waits for input), and keep its memory and cache bounded.
"""

import gc
import itertools
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from ..assemble import build_engine, load_library
from ..audio.file_driver import run_files
from ..audio.frames import RATE, frames_for, seconds_of
from ..audio.wavfile import WavWriter
from ..config import Settings
from ..engine import SPEECH_RATE_STEPS, Engine
from ..events import Event
from ..listen.intents import expand
from ..locale import Locale
from .listening import Bench
from .speech import LEAD_S, TAIL_S, espeak, ordinary_sentences, room_noise

TARGETS = {"rss_growth_mb": 10.0, "wall_minutes_for_8_hours": 15.0}
INTERRUPTIONS = ("stop", "pause", "resume", "next", "done", "back", "repeat", "slower", "faster",
                 "more_time", "help", "calming_break", "continue_session", "safety")
# Three of espeak-ng's Korean voices that together start every script at all of the soak's places, each
# one some script the other two do not (issue 17's note, with its Korean phrases): ko+m1 daily
# connection and reflection, ko+f2 the repair phrases (화해 한마디, no other voice), ko+f4 the
# introduction (자기소개) and feeling words. With ko+m3 for ko+f2, the repair phrases never started.
VOICES = ("ko+m1", "ko+f2", "ko+f4")
STUCK_S = 15 * 60  # never this long without listening: a speaker that talks on and on is stuck
# Where in each minute of room noise the pre-check says a phrase. Heard only at the start of each bed,
# espeak-ng's 상담 전화 알려 줘 passed, then was said six times in eight hours and never heard (with the
# listener's dither): one place per bed is not how the soak plays it.
CHECKED_AT_S = (0.0, 20.0, 40.0)


class Room:
    """The soak's audio, minute by minute: a noise bed, talk, and spoken commands, seeded."""

    def __init__(self, settings: Settings, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.noise = [room_noise(60, self.rng) for _ in range(4)]
        self.talk = [espeak(text, voice) for text in ordinary_sentences(settings.locale)[:12] for voice in VOICES]
        locale = Locale.load(settings.locale)
        library = load_library(settings, locale)
        starts = {intent: library.for_intent(intent).id for script in library.scripts.values()
                  for intent in script.start_intents}  # every script, by the words that start it
        self.commands = spoken_commands(settings, self.noise, {**locale.intents, **library.starts}, starts)
        self.starts = [intent for intent in starts if intent in self.commands]
        self.startable = sorted({starts[intent] for intent in self.starts})  # espeak's voice is heard starting them
        self.unheard = sorted({*starts, *INTERRUPTIONS} - set(self.commands))
        self.interruptions = [intent for intent in INTERRUPTIONS if intent in self.commands]
        self.schedule: Counter = Counter()
        self.left_running = False  # the last session was left to run: it may still be going

    def bed(self, seconds: float) -> np.ndarray:
        """Room noise of any length, cut from the pre-made minutes at random offsets."""
        minute = self.noise[int(self.rng.integers(len(self.noise)))]
        out = np.resize(np.roll(minute, int(self.rng.integers(len(minute)))), int(seconds * RATE))
        return out.astype(np.int32)

    def say(self, audio: np.ndarray, gap_s: tuple[float, float]) -> np.ndarray:
        """An utterance over the room, then a pause drawn from `gap_s`."""
        seconds = len(audio) / RATE + float(self.rng.uniform(*gap_s))
        out = self.bed(seconds)
        out[: len(audio)] += audio
        return out

    def episode(self) -> np.ndarray:
        """A few quiet minutes, a stretch of talk, or a session: started, interrupted or left to run."""
        kind = self.rng.choice(["quiet", "talk", "session", "session"])
        self.schedule[kind] += 1
        if kind == "quiet":
            return self.bed(float(self.rng.uniform(60, 600)))
        if kind == "talk":
            return np.concatenate([self.say(self.talk[int(self.rng.integers(len(self.talk)))], (2, 8))
                                   for _ in range(int(self.rng.integers(5, 25)))])
        start = self.starts[self.schedule["session"] % len(self.starts)]
        parts = []
        if self.left_running:  # a start is not listened for in a session: the couple end it first
            self.schedule["stop"] += 1
            parts.append(self.say(self.spoken("stop"), (3, 8)))
        # said again a few seconds on, as a person would if unheard (over the first line if it was heard)
        parts += [self.say(self.spoken(start), (3, 8)), self.say(self.spoken(start), (5, 40))]
        for _ in range(int(self.rng.integers(0, 8))):
            if self.rng.random() < 0.5:
                parts.append(self.say(self.talk[int(self.rng.integers(len(self.talk)))], (1, 30)))
            intent = self.interruptions[int(self.rng.integers(len(self.interruptions)))]
            self.schedule[intent] += 1
            parts.append(self.say(self.spoken(intent), (2, 90)))
        self.left_running = self.rng.random() >= 0.5
        if not self.left_running:  # cut short: "stop", said again as a person would if unheard
            self.schedule["stop"] += 2
            parts += [self.say(self.spoken("stop"), (3, 8)), self.say(self.spoken("stop"), (10, 60))]
        return np.concatenate(parts)

    def spoken(self, intent: str) -> np.ndarray:
        choices = self.commands[intent]
        return choices[int(self.rng.integers(len(choices)))]

    def write(self, path: Path, hours: float) -> float:
        """Episodes until `hours` are written; returns the seconds written."""
        writer = WavWriter(path)
        written = 0
        try:
            while written < hours * 3600 * RATE:
                audio = np.clip(self.episode(), -32768, 32767).astype(np.int16)
                writer.write(audio)
                written += len(audio)
        finally:
            writer.close()
        return written / RATE


def spoken_commands(settings: Settings, beds: list[np.ndarray], templates: dict[str, list[str]],
                    starts: dict[str, str]) -> dict[str, list[np.ndarray]]:
    """Each command (`templates`: the locale's and the scripts' own start phrases) as espeak-ng says
    it, in the phrasings and voices the recognizer takes for that command over every one of the
    room's `beds` at each of CHECKED_AT_S, as the soak plays it at random places: the soak is about
    running for hours, accuracy is `voice bench accuracy`'s. (Checked in digital silence, 자기소개 in
    ko+m3's voice was kept, and over the room it was never heard: the introduction never started.)"""
    bench = Bench(settings, templates)
    places = [bed[int(at * RATE):] for bed in beds for at in CHECKED_AT_S]  # each bed, cut where a phrase is said
    commands: dict[str, list[np.ndarray]] = {}
    for intent in (*starts, *INTERRUPTIONS):
        for template in templates.get(intent, ()):  # an interruption the locale lacks has none
            for phrase, voice in itertools.product(expand(template), VOICES):
                audio = espeak(phrase, voice)
                if all(heard_as(bench, audio, place, intent) for place in places):
                    commands.setdefault(intent, []).append(audio)
    return commands


def heard_as(bench: Bench, speech: np.ndarray, bed: np.ndarray, intent: str) -> bool:
    """Whether `speech`, said over the start of `bed` after LEAD_S, is heard as `intent` (the bed is
    cut where the phrase is to be said)."""
    lead = int(LEAD_S * RATE)
    microphone = bed[: lead + len(speech) + int(TAIL_S * RATE)].astype(np.int32)
    microphone[lead : lead + len(speech)] += speech
    heard = bench.first_heard(np.clip(microphone, -32768, 32767).astype(np.int16), speech, bench.context_of[intent])
    return heard.match is not None and heard.match.intent == intent


class Watch:
    """What the soak checks as it runs: events, listening gaps, memory and cache, per audio hour."""

    def __init__(self, engine: Engine, cache: Path) -> None:
        self.engine, self.cache = engine, cache
        self.counts: Counter = Counter()
        self.started: Counter = Counter()
        self.finished: Counter = Counter()
        self.errors: list[str] = []
        self.last_listening = 0
        self.longest_not_listening = 0
        self.hours: list[dict] = []
        self._wall = time.perf_counter()

    def __call__(self, events: list[Event]) -> None:
        engine = self.engine
        for event in events:
            self.counts[event.type] += 1
            if event.type == "script_started":
                self.started[event.data["script"]] += 1
            elif event.type == "script_finished":
                self.finished[f"{event.data['script']}: {event.data['reason']}"] += 1
            elif event.type == "error":
                self.errors.append(event.data["message"])
        if engine.listening:
            self.last_listening = engine.frame
        self.longest_not_listening = max(self.longest_not_listening, engine.frame - self.last_listening)
        if engine.frame % frames_for(3600) == 0:
            self.sample()

    def sample(self) -> None:
        files = [p for p in self.cache.rglob("*") if p.is_file()]
        self.hours.append({"hour": round(seconds_of(self.engine.frame) / 3600, 2), "rss_mb": round(rss_mb(), 1),
                           "cache_files": len(files), "cache_mb": round(sum(p.stat().st_size for p in files) / 1e6, 2),
                           "wall_s": round(time.perf_counter() - self._wall, 1)})


def rss_mb() -> float:
    """Resident memory now (not the peak): what would grow if something leaked."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def soak(settings: Settings, hours: float = 8.0, seed: int = 5) -> dict:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="voice-soak-") as folder:
        room = Room(settings, seed)
        gc.collect()  # the calibration's recognizer is gone before memory is measured
        audio_s = room.write(Path(folder) / "room.wav", hours)
        generated_s = time.perf_counter() - started
        engine = build_engine(settings, recognize=True)
        engine.speech.wait_prepared()  # the library rendered: later cache growth is what the soak adds
        watch = Watch(engine, engine.speech.folder)
        rates = SPEECH_RATE_STEPS[1] - SPEECH_RATE_STEPS[0] + 1
        cache_bound = rates * len(set(engine.lines()))  # every line at every speaking rate, at most
        watch.sample()
        running = time.perf_counter()
        try:
            frames = run_files(engine, Path(folder) / "room.wav", Path(folder) / "speaker.wav", watch)
        finally:
            engine.close()
        watch.sample()
    wall_s = time.perf_counter() - running
    first, last = watch.hours[0], watch.hours[-1]
    warm = watch.hours[1] if len(watch.hours) > 2 else first  # after an hour: every script has run once
    result = {
        "benchmark": "soak", "locale": settings.locale, "audio_hours": round(audio_s / 3600, 2),
        "frames": frames, "wall_minutes": round(wall_s / 60, 2), "input_generation_s": round(generated_s, 1),
        "episodes": dict(room.schedule), "commands_spoken": sorted(room.commands),
        "commands_never_recognized": room.unheard, "scripts_startable": room.startable,
        "events": dict(watch.counts), "scripts_started": dict(watch.started),
        "scripts_finished": dict(watch.finished), "errors": watch.errors[:10],
        "idle_at_end": engine.idle, "longest_not_listening_s": round(seconds_of(watch.longest_not_listening), 1),
        "rss_mb_start": first["rss_mb"], "rss_mb_after_first_hour": warm["rss_mb"], "rss_mb_end": last["rss_mb"],
        "rss_growth_mb": round(last["rss_mb"] - warm["rss_mb"], 1),
        "cache_files": last["cache_files"], "cache_mb": last["cache_mb"],
        "cache_files_added": last["cache_files"] - first["cache_files"], "cache_bound_files": cache_bound,
        "per_hour": watch.hours,
        "targets": TARGETS,
    }
    result["stuck"] = not result["idle_at_end"] or result["longest_not_listening_s"] > STUCK_S
    summary = (f"{result['audio_hours']} h of room audio in {result['wall_minutes']} min "
               f"(target < {TARGETS['wall_minutes_for_8_hours']} for 8 h); {sum(watch.started.values())} sessions "
               f"started, {watch.counts['intent']} commands heard, {len(watch.errors)} errors; RSS "
               f"{result['rss_mb_after_first_hour']} -> {result['rss_mb_end']} MB "
               f"{'after the first hour' if warm is not first else 'from the start (under 2 h)'} "
               f"(growth {result['rss_growth_mb']} MB, target < {TARGETS['rss_growth_mb']}); cache "
               f"{result['cache_files']} files, {result['cache_mb']} MB; stuck: {result['stuck']}")
    return {**result, "summary": summary}
