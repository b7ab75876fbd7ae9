"""`voice bench human --locale en`: real people's speech (../shared/speech/, read in place, never
copied), split by speaker into a tuning half and a held-out half.

- "stop" said by people, heard in a session in each room tone, in a noisy room, and over the
  speaker's own voice;
- every other recorded word (yes, no, go, up, down, left, right, on, off and the unknown words) and
  the ordinary talk clips, heard in a quiet room and in a noisy one (the talk over several draws of
  its noise), in idle, in a session and in a partner's turn: every intent is a false accept; a stop,
  a safety response, a start or a break is a disruptive one.

Speech Commands v0.02 (Warden 2018), LibriSpeech, Common Voice, AMI, VCTK, LJ Speech, CMU ARCTIC,
LibriVox: see ../shared/speech/README.md for licences and attribution.
"""

import csv
import os
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import soundfile

from ..audio.frames import FRAME_MS, RATE
from ..config import Settings
from ..errors import VoiceError
from ..listen import context
from ..listen.echo_filters import DEFAULT
from .listening import Bench
from .rooms import AT_6DB, ROOM_TONE, Condition, in_room
from .speaking import QUICK_LINES, stop_over_speech

TARGETS = {"stop_in_session": 0.95, "stop_over_speech": 0.90, "disruptive_false_accepts": 0,
           "false_accepts_per_hour": 1.0}
QUIET = ROOM_TONE[0]
NOISY = AT_6DB  # the room 6 dB under the voice (a dishwasher, a fan on high): louder than room tone
# Where people's other words and talk are heard: the quietest room and a noisy one (every room tone
# would make the benchmark's longest part five times as long)
TALK_ROOMS = (QUIET, NOISY)
# The talk clips are heard in the noisy room over this many draws of its noise, not one: at 6 dB SNR
# a tuning person's "A cold dip restores health and zest" was "end the session" in 18 of 40 draws,
# and the bench's single draw had missed it (issue 17's note). The first draw is the bench's own, as
# before; the others come from generators of their own, so every other figure stays what it was
# (`voice bench human --draws N` hears more).
NOISY_TALK_DRAWS = 3
OVER_SPEECH_CLIPS = 20  # held-out "stop" recordings said over the speaker's voice (x 4 rooms x 2 levels)


def speech_dir() -> Path:
    """../shared/speech beside the checkout, or $VOICE_SPEECH_DIR."""
    folder = Path(os.environ.get("VOICE_SPEECH_DIR") or Path(__file__).resolve().parents[3] / "shared" / "speech")
    if not (folder / "en-commands").is_dir():
        raise VoiceError(f"no recordings of people in {folder}; put the shared speech set there "
                         "or set VOICE_SPEECH_DIR to its folder")
    return folder


def half(speaker: str) -> str:
    """A speaker's half, the same on every machine: tuning or held-out."""
    return "tuning" if zlib.crc32(speaker.encode()) % 2 == 0 else "held-out"


def command_clips(part: str, folder: Path | None = None) -> dict[str, list[Path]]:
    """Recorded words of the speakers of `part`, by word (`_unknown_` holds other words)."""
    root = (folder or speech_dir()) / "en-commands"
    return {word.name: sorted(p for p in word.glob("*.flac") if half(p.name.split("_nohash_")[0]) == part)
            for word in sorted(root.iterdir()) if word.is_dir()}


def talk_clips(part: str, folder: Path | None = None) -> list[Path]:
    """Ordinary sentences of the speakers of `part` (en-talk/manifest.csv)."""
    root = (folder or speech_dir()) / "en-talk"
    with open(root / "manifest.csv", newline="", encoding="utf-8") as manifest:
        rows = list(csv.DictReader(manifest))
    return [root / row["path"] for row in rows if half(f"{row['source']}/{row['speaker']}") == part]


def read_clip(path: Path) -> np.ndarray:
    audio, rate = soundfile.read(path, dtype="int16", always_2d=True)
    if rate != RATE:
        raise VoiceError(f"{path} is {rate} Hz; the shared recordings are 16 kHz")
    return audio[:, 0]


def human(settings: Settings, quick: bool = False, draws: int = NOISY_TALK_DRAWS) -> dict:
    """People's "stop" in a session, in every room tone and at 6 dB SNR, and their other words and
    talk in idle, a session and a turn; talk in the noisy room over `draws` draws of its noise."""
    if settings.locale != "en":
        raise VoiceError("the recordings of people are English; run 'voice bench human --locale en'")
    bench = Bench(settings)
    rng = np.random.default_rng(5)
    result: dict = {"benchmark": "human", "locale": "en", "targets": TARGETS, "parts": {},
                    "room": f"other words and talk: {QUIET.name} and {NOISY.name}; 'stop' in a session: "
                            f"every room tone, and {NOISY.name}"}
    for part in ("tuning", "held-out"):
        words = command_clips(part)
        stops = words.pop("stop")
        others = [clip for clip_list in words.values() for clip in clip_list]
        sentences = talk_clips(part)
        if quick:
            stops, others, sentences = stops[:5], others[:10], sentences[:3]
        figures = {"speakers": len({p.name.split("_nohash_")[0] for p in stops + others}),
                   "stop_in_session": _stops(bench, stops, ROOM_TONE, rng),
                   "stop_in_noise": _stops(bench, stops, (NOISY,), rng)}
        figures["other_words"] = _false_accepts(bench, others, rng)
        figures["talk"] = _false_accepts(bench, sentences, rng, draws_in_noise=draws)
        result["parts"][part] = figures
    result["stop_over_speech_held_out"] = stop_over_people(settings, quick)
    result["summary"] = _summary(result)
    return result


def stop_over_people(settings: Settings, quick: bool = False, canceller: str = DEFAULT) -> dict:
    """Held-out people's "stop" over the speaker's voice, through the echo canceller `canceller`
    (`voice bench bargein --people`)."""
    held_out = command_clips("held-out")["stop"][: 2 if quick else OVER_SPEECH_CLIPS]
    return stop_over_speech(settings, "stop", trials=1 if quick else len(held_out) // 4 or 1,
                            clips=[read_clip(path) for path in held_out], canceller=canceller,
                            line_limit=QUICK_LINES if quick else None)


def _stops(bench: Bench, clips: list[Path], conditions: tuple[Condition, ...], rng) -> dict:
    """People's "stop" in a session, in each of `conditions`: a living room is quiet one evening and has
    the fan on the next, and "stop" must work in both."""
    heard_as: Counter = Counter()
    missed: Counter = Counter()  # by clip: a few recordings (cut short, clipped) can set the figure
    latencies: list[float] = []
    rooms: dict[str, dict] = {}
    listening = context.session(frozenset())
    recordings = [read_clip(path) for path in clips]
    for room in conditions:
        hits = 0
        for path, speech in zip(clips, recordings):
            heard = bench.first_heard(in_room(speech, room, rng), speech, listening)
            if heard.match is not None and heard.match.intent == "stop":
                hits += 1
                latencies.append((heard.frame + 1) * FRAME_MS)
                continue
            missed[path.name] += 1
            if heard.match is None:
                heard_as["nothing heard"] += 1
            else:
                heard_as[heard.match.intent or heard.match.reason.split(" (")[0]] += 1
        rooms[room.name] = {"hits": hits, "rate": round(hits / max(len(clips), 1), 3)}
    hits = sum(room["hits"] for room in rooms.values())
    trials = len(clips) * len(conditions)
    return {"hits": hits, "clips": len(clips), "trials": trials, "rate": round(hits / max(trials, 1), 3),
            "rooms": rooms, "missed_as": dict(heard_as.most_common()), "missed_clips": dict(missed.most_common(10)),
            "ms_after_clip_p50": float(np.median(latencies)) if latencies else None}


def _false_accepts(bench: Bench, clips: list[Path], rng: np.random.Generator, draws_in_noise: int = 1) -> dict:
    """Every intent heard in `clips`, in idle, a session and a turn, in each of TALK_ROOMS (the noisy
    one over `draws_in_noise` draws of its noise), with the clips and words that gave them (so a
    false stop can be heard again)."""
    audio = [read_clip(path) for path in clips]
    hours = sum(len(a) for a in audio) / RATE / 3600
    out: dict = {"clips": len(clips), "speech_hours": round(hours, 4), "rooms": {}}
    for room in TALK_ROOMS:
        figures = out["rooms"][room.name] = {}
        for name, listening in (("idle", context.idle(bench.intents)), ("session", context.session(frozenset())),
                                ("turn", context.turn())):
            accepted = Counter()
            examples = []
            draws = _noise_draws(rng, name, draws_in_noise if room is NOISY else 1)
            for draw, noise in enumerate(draws):
                for path, speech in zip(clips, audio):
                    for heard in bench.listen(in_room(speech, room, noise), listening):
                        if heard.match.intent is not None:
                            accepted[heard.match.intent] += 1
                            examples.append(f"{path.parent.name}/{path.name}: '{heard.match.text}' -> "
                                            f"{heard.match.intent}" + (f" (noise draw {draw + 1})" if draw else ""))
            total = sum(accepted.values())
            figures[name] = {"false_accepts": total, "draws": len(draws),
                             "per_hour": round(total / (hours * len(draws)), 1) if hours else None,
                             "disruptive": sum(n for intent, n in accepted.items()
                                               if intent in bench.disruptive),
                             "by_intent": dict(accepted.most_common()),
                             "examples": examples[:12]}
    return out


def _noise_draws(rng: np.random.Generator, listening: str, draws: int) -> list[np.random.Generator]:
    """The bench's own generator for the first draw, then generators of their own, one a draw and
    context (the same on every run)."""
    return [rng, *(np.random.default_rng([draw, zlib.crc32(listening.encode())]) for draw in range(1, draws))]


def _summary(result: dict) -> str:
    parts = []
    for part, figures in result["parts"].items():
        stop = figures["stop_in_session"]
        accepts = "; ".join(
            f"{kind} in {room}{_over_draws(heard)} "
            + ", ".join(f"{ctx} {heard[ctx]['false_accepts']} ({heard[ctx]['disruptive']} disruptive)"
                        for ctx in ("idle", "session", "turn"))
            for kind in ("other_words", "talk") for room, heard in figures[kind]["rooms"].items())
        worst = min(stop["rooms"].items(), key=lambda room: room[1]["hits"])
        noise = figures["stop_in_noise"]
        parts.append(f"{part}: stop in a session {stop['hits']}/{stop['trials']} over {len(stop['rooms'])} room tones "
                     f"(fewest: {worst[1]['hits']}/{stop['clips']}, {worst[0]}), {noise['hits']}/{noise['trials']} "
                     f"in {NOISY.name}; false accepts {accepts}")
    over = result["stop_over_speech_held_out"]
    return " | ".join(parts) + f" | held-out stop over the speaker's voice: {over['summary']}"


def _over_draws(heard: dict) -> str:
    draws = heard["idle"]["draws"]
    return f" over {draws} noise draws" if draws > 1 else ""
