"""Speaking benchmarks in frame time: the speaker's own voice fed back through a simulated room.

- `self_echo`: every line of the library plays while its echo reaches the microphone; any command
  the engine hears is a false trigger.
- `barge_in`: "stop" spoken over the speaker's voice at 0 and -6 dB relative to the echo; a hit is
  the speaker stopping.
- `first_audio`: wall time from asking for a line to its first audio, cached and uncached, per engine.
"""

import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..assemble import build_engine
from ..audio.frames import FRAME_SAMPLES, RATE, frames_for
from ..config import Settings
from ..engine import Engine
from ..listen.echo import EchoCanceller
from ..listen.echo_filters import DEFAULT
from ..listen.intents import expand
from ..locale import Locale
from ..speak.cache import PromptCache
from ..speak.voices import delivery_for, open_voice
from .room import Room, impulse_response, to_int16
from .speech import VOICES, espeak, room_noise

TARGETS = {"echo_false_triggers": 0, "barge_in_hits_of_10": 9, "uncached_first_audio_ms_piper": 150}
# (delay ms, attenuation dB): close, on a shelf, across the room, and through a sound card whose buffers
# hold the sound 300 ms, longer than the echo canceller's filter: the reference must be delayed to match.
ROOMS = ((5, 6.0), (20, 10.0), (50, 14.0), (300, 10.0))
NOISE_DBFS = -55.0
# The speaker's lines over 4 s that a quick run of the stop benchmarks says "stop" over. Finding every
# one rendered the whole library first: with Piper, minutes. `voice bench human --quick` with an empty
# prompt cache took 333 s here beside two other benchmarks, 284 of them for "stop" over the speaker's
# voice, and its test allows 300; with these six, 62 s and 17 (the canceller learned each room on them).
QUICK_LINES = 6
LONG_LINE = 4 * RATE  # samples: a line long enough to say "stop" over
LEVELS = {"+0db": 0.0, "-6db": -6.0}  # a partner's voice against the speaker's echo where they are


def _engine(settings: Settings, folder: Path, barge_in: bool, whole_library: bool = True) -> Engine:
    """The bundled library's engine with session data in `folder`, and the settings' own prompt
    cache: lines are keyed by engine, voice, rate and text, so lines already rendered are reused.
    `whole_library=False` (a quick run): each line is rendered when it is first needed, not all first."""
    settings = replace(settings, data_dir=folder / "data", barge_in=barge_in, scripts_dir=folder / "scripts")
    engine = build_engine(settings, recognize=True, prepare=whole_library)
    if whole_library:
        engine.speech.wait_prepared()  # the benchmark measures hearing, not rendering
    return engine


def _long_lines(engine: Engine, limit: int | None) -> list[str]:
    """The library's lines longer than LONG_LINE, in order: the first `limit` of them, or all."""
    found: list[str] = []
    for line in engine.lines():
        if limit is not None and len(found) >= limit:
            break
        if len(engine.speech.audio(line)) > LONG_LINE:
            found.append(line)
    return found


def _run(engine: Engine, room: Room, frames: int, noise: np.ndarray, speech: dict[int, np.ndarray] | None = None,
         until_quiet: bool = False) -> list:
    """Feed `frames` frames (or until the speaker has been silent and listening for a second):
    mic = echo + room noise + speech."""
    events, played, quiet = [], np.zeros(FRAME_SAMPLES, np.int16), 0
    for index in range(frames):
        mic = room.echo(played) + noise[(index * FRAME_SAMPLES) % (len(noise) - FRAME_SAMPLES):][:FRAME_SAMPLES]
        if speech and index in speech:
            mic = mic + speech[index]
        played, batch = engine.feed(to_int16(mic))
        events += batch
        quiet = quiet + 1 if engine.listening else 0
        if until_quiet and quiet > frames_for(1.0):
            break
    return events


def self_echo(settings: Settings, barge_in: bool = True, limit: int | None = None,
              canceller: str = DEFAULT, every_room: bool = True) -> dict:
    """Every library line (or the first `limit`) through each room: commands heard must be zero.
    Each room starts with a fresh echo canceller, not told the sound card's delay: it must find it.
    `every_room=False`: each line through one room (the rooms in turn), a quarter of the time."""
    rng = np.random.default_rng(5)
    noise = room_noise(30, rng, NOISE_DBFS)
    with tempfile.TemporaryDirectory(prefix="voice-echo-") as folder:
        engine = _engine(settings, Path(folder), barge_in, whole_library=limit is None)
        lines = engine.lines()[:limit]
        triggers = []
        plays = 0  # lines played, over all rooms
        for room_index, (delay, attenuation) in enumerate(ROOMS):
            room = Room(impulse_response(delay, attenuation, rng))
            if engine.echo is not None:  # each room is another home: the canceller starts knowing nothing
                engine.echo = EchoCanceller(linear=canceller)
            in_this_room = lines if every_room else lines[room_index :: len(ROOMS)]
            plays += len(in_this_room)
            for line in in_this_room:
                engine.say(line)
                events = _run(engine, room, frames_for(120), noise, until_quiet=True)
                triggers += [(line, e.data["name"]) for e in events if e.type == "intent"]
        seconds = engine.frame * FRAME_SAMPLES / RATE
        engine.close()
    return {"benchmark": "echo", "targets": TARGETS, "canceller": canceller, "lines": len(lines), "rooms": len(ROOMS),
            "plays": plays, "barge_in": barge_in, "false_triggers": len(triggers),
            "triggered_by": triggers[:10], "audio_minutes": round(seconds / 60, 1),
            "summary": f"{len(triggers)} commands heard from the speaker's own voice over {len(lines)} lines "
                       f"{'x' if every_room else 'shared among'} {len(ROOMS)} rooms (target 0)"}


def barge_in(settings: Settings, trials: int = 10, canceller: str = DEFAULT, line_limit: int | None = None) -> dict:
    """Every phrase of "stop" (the shortest is the hardest), each through `stop_over_speech`."""
    locale = Locale.load(settings.locale)
    phrases = [phrase for template in locale.intents["stop"] for phrase in expand(template)]
    results = {phrase: stop_over_speech(settings, phrase, trials, canceller=canceller, line_limit=line_limit)
               for phrase in phrases}
    summary = "; ".join(f"'{phrase}' {r['summary']}" for phrase, r in results.items())
    return {"benchmark": "bargein", "targets": TARGETS, "canceller": canceller, **results,
            "summary": f"stop over the speaker's voice: {summary} (target 9 of 10)"}


def stop_over_speech(settings: Settings, phrase: str, trials: int = 10, clips: list[np.ndarray] | None = None,
                     canceller: str = DEFAULT, line_limit: int | None = None) -> dict:
    """"stop" said over the speaker's voice, at 0 and -6 dB relative to its echo, `trials` times at
    each level in each room. Each room starts with a fresh echo canceller, which first hears lines
    until it has learned the room (`EchoCanceller.ready`), as it would in its first minute on the shelf.
    `clips`: recordings of people saying it (taken in turn) instead of espeak-ng. `line_limit`: over
    the library's first this many long lines, not all (a quick run)."""
    rng = np.random.default_rng(11)
    voices = VOICES[settings.locale]
    noise = room_noise(30, rng, NOISE_DBFS)
    results = {level: {"hits": 0, "trials": 0, "other_commands": 0, "missed_by_room": [0] * len(ROOMS),
                        "heard_instead": Counter(), "latencies": []} for level in ("+0db", "-6db")}
    with tempfile.TemporaryDirectory(prefix="voice-bargein-") as folder:
        engine = _engine(settings, Path(folder), barge_in=True, whole_library=line_limit is None)
        lines = _long_lines(engine, line_limit)
        for room_index, (delay, attenuation) in enumerate(ROOMS):
            response = impulse_response(delay, attenuation, rng)
            room = _learnt_room(engine, lines, response, canceller, noise)
            for trial in range(trials):
                for level, relative_db in LEVELS.items():
                    line = lines[int(rng.integers(len(lines)))]
                    said = clips[(room_index * trials + trial) % len(clips)] if clips else None
                    if said is None:
                        said = espeak(phrase, voices[trial % len(voices)], 150)
                    events, after_speech = _said_over(engine, room, noise, line, said, relative_db,
                                                      rng)
                    heard = [e for e in events if e.type == "intent"]
                    result = results[level]
                    result["trials"] += 1
                    result["other_commands"] += sum(e.data["name"] != "stop" for e in heard)
                    if heard and heard[0].data["name"] == "stop":
                        result["hits"] += 1
                        result["latencies"].append((heard[0].frame - after_speech) * 20)
                    else:
                        result["missed_by_room"][room_index] += 1
                        rejected = [e.data["reason"].split(" (")[0] for e in events if e.type == "rejected"]
                        result["heard_instead"].update([e.data["name"] for e in heard] or rejected[-1:] or ["nothing"])
        engine.close()
    for result in results.values():
        latencies = result.pop("latencies")
        result["ms_after_speech_p50"] = float(np.median(latencies)) if latencies else None
    summary = ", ".join(f"{k} {v['hits']}/{v['trials']}" for k, v in results.items())
    return {"rooms": len(ROOMS), **results, "summary": summary}


def said_over_speech(settings: Settings, said: list[np.ndarray], rooms: int = len(ROOMS),
                     line_limit: int = QUICK_LINES) -> list[dict]:
    """Each utterance of `said` spoken over one of the library's first `line_limit` long lines, at
    each of LEVELS relative to its echo, in each of the first `rooms` ROOMS, as `stop_over_speech`
    says "stop": per room, utterance and level, the commands the engine heard (`heard`) and the
    reason it gave for the last utterance it turned away (`rejected`)."""
    rng = np.random.default_rng(11)
    noise = room_noise(30, rng, NOISE_DBFS)
    trials = []
    with tempfile.TemporaryDirectory(prefix="voice-overspeech-") as folder:
        engine = _engine(settings, Path(folder), barge_in=True, whole_library=False)
        lines = _long_lines(engine, line_limit)
        for room_index, (delay, attenuation) in enumerate(ROOMS[:rooms]):
            response = impulse_response(delay, attenuation, rng)
            room = _learnt_room(engine, lines, response, DEFAULT, noise)
            for index, audio in enumerate(said):
                for level, relative_db in LEVELS.items():
                    line = lines[int(rng.integers(len(lines)))]
                    events, _ = _said_over(engine, room, noise, line, audio, relative_db, rng)
                    rejected = [e.data["reason"] for e in events if e.type == "rejected"]
                    trials.append({"room": room_index, "utterance": index, "level": level,
                                   "heard": [e.data["name"] for e in events if e.type == "intent"],
                                   "rejected": rejected[-1] if rejected else None})
        engine.close()
    return trials


def _learnt_room(engine: Engine, lines: list[str], response: np.ndarray, canceller: str,
                 noise: np.ndarray) -> Room:
    """A room with a fresh echo canceller, which first hears lines until it has learned the room
    (`EchoCanceller.ready`), as it would in its first minute on the shelf."""
    room = Room(response)
    engine.echo = EchoCanceller(linear=canceller)
    for line in lines:
        if engine.barge_in:
            break
        engine.say(line)
        _run(engine, room, frames_for(120), noise, until_quiet=True)
    return room


def _said_over(engine: Engine, room: Room, noise: np.ndarray, line: str, said: np.ndarray,
               relative_db: float, rng: np.random.Generator) -> tuple[list, int]:
    """`said` spoken over `line`, `relative_db` against its echo, 0.5-2.5 s into it: the engine's
    events, and the frame the speech ended in. The speaker is then stopped and left to fall
    quiet."""
    speech = said.astype(np.float64)
    level = _echo_level(engine, line, room) * 10 ** (relative_db / 20)
    speech *= level / np.sqrt(np.mean(speech**2))
    at = frames_for(rng.uniform(0.5, 2.5))
    frames = {at + i: chunk for i, chunk in enumerate(_frames(speech))}
    engine.say(line)
    after_speech = engine.frame + at + len(frames)
    events = _run(engine, room, at + frames_for(3), noise, frames)
    engine.player.stop()
    _run(engine, room, frames_for(120), noise, until_quiet=True)
    return events, after_speech


def _echo_level(engine: Engine, line: str, room: Room) -> float:
    """The RMS of the line's echo where the voice is (what 0 dB is relative to)."""
    audio = engine.speech.audio(line).astype(np.float64)
    echo = np.convolve(audio, room.response)[: len(audio)]
    voiced = echo[np.abs(echo) > np.abs(echo).max() * 0.05]
    return float(np.sqrt(np.mean(voiced**2)))


def _frames(samples: np.ndarray) -> list[np.ndarray]:
    padded = np.concatenate([samples, np.zeros(-len(samples) % FRAME_SAMPLES)])
    return list(padded.reshape(-1, FRAME_SAMPLES))


def first_audio(settings: Settings, lines: int = 10) -> dict:
    """Milliseconds from asking for a line to its first audio: cached (from disk) and uncached."""
    results = {}
    texts = [f"Take a moment, number {n}, and notice how your body feels. Then say next when you're ready."
             for n in range(lines)]
    for engine_name in ("pyttsx3", "piper"):
        with tempfile.TemporaryDirectory(prefix="voice-first-") as folder:
            chosen = replace(settings, tts_engine=engine_name, locale="en")
            try:
                voice = open_voice(chosen, Locale.load("en"))
            except Exception as error:  # Piper not installed: report, do not fail the benchmark
                results[engine_name] = {"error": str(error)}
                continue
            cache = PromptCache(voice, Path(folder), delivery_for(chosen))
            cache.audio("Warming up.")  # model load is start-up, not first audio
            uncached, cached = [], []
            for text in texts:
                started = time.perf_counter()
                cache.line(text).read(0, FRAME_SAMPLES, wait=True)
                uncached.append((time.perf_counter() - started) * 1000)
                cache.audio(text)
            cache.close()
            fresh = PromptCache(voice, Path(folder), delivery_for(chosen))  # a restart: from disk
            for text in texts:
                started = time.perf_counter()
                fresh.line(text).read(0, FRAME_SAMPLES, wait=True)
                cached.append((time.perf_counter() - started) * 1000)
            fresh.close()
            files = list(Path(folder).glob("*.wav"))
            results[engine_name] = {
                "uncached_ms_p50": round(float(np.median(uncached)), 1),
                "uncached_ms_max": round(max(uncached), 1),
                "cached_ms_p50": round(float(np.median(cached)), 2), "cached_ms_max": round(max(cached), 2),
                "kb_per_line": round(sum(f.stat().st_size for f in files) / len(files) / 1024, 1)}
    summary = "; ".join(f"{name}: uncached {r['uncached_ms_p50']} ms, cached {r['cached_ms_p50']} ms"
                        for name, r in results.items() if "error" not in r)
    return {"benchmark": "firstaudio", "targets": TARGETS, **results,
            "summary": f"first audio {summary} (target uncached Piper <= 150 ms)"}
