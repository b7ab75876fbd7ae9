"""`voice bench pauses`: how long people pause inside a sentence, against how long a safety request
waits for the quiet after it (listen/hold.py).

A request is acted on only once its sentence has ended: speech coming back within the hold makes it
a sentence's start ("I need help ... with the dishes"), not a request. So the hold must outlast the
pauses people make inside a sentence, and every real request waits that long for its answer.

- people (English only: ../shared/speech/en-talk, split by speaker): each pause the endpointer
  finds inside a recording of one sentence, in each room tone; the share the hold joins, and the
  pauses' spread;
- voices (every voice of each set): each request followed, after a pause, by the rest of its
  sentence, heard in idle in a quiet room (every crisis message is a false one), and said over the
  speaker's own voice through the echo canceller, in the barge-in benchmark's rooms
  (`speaking.said_over_speech`), where what the canceller leaves of that voice is heard too; and
  each request alone, the time from the end of its speech to its answer (what the hold costs).
"""

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..audio.frames import FRAME_MS, RATE, split_frames
from ..config import Settings
from ..listen import context
from ..listen.endpoint import Endpointer
from ..listen.hold import HOLD_FRAMES
from ..listen.second_look import SAFETY
from .human import read_clip, talk_clips
from .listening import Bench, percentiles
from .rooms import ROOM_TONE, in_room
from .speaking import ROOMS, said_over_speech
from .speech import paused_requests
from .voices import VOICE_SETS, available, speak

TARGETS = {"pauses_joined": 0.95, "continued_safety": 0}
# Sources whose every recording is one sentence, read or spoken (en-talk/SOURCES.md); the others
# hold several sentences, and a pause between two is not one inside a sentence.
ONE_SENTENCE_SOURCES = ("commonvoice", "vctk", "ljspeech", "cmuarctic")
PAUSES_S = (0.3, 0.5, 0.7)  # between a request and its sentence's rest, said by the test voices
OVER_SPEECH_PAUSE_S = 0.5  # ... and said over the speaker's voice (4 rooms x 2 levels a sentence)


def pauses(settings: Settings, quick: bool = False) -> dict:
    locale = settings.locale
    result: dict = {"benchmark": "pauses", "locale": locale, "targets": TARGETS,
                    "hold_ms": HOLD_FRAMES * FRAME_MS, "people": {}, "voices": {}}
    bench = Bench(settings)
    rng = np.random.default_rng(11)
    for part in ("tuning", "held-out"):
        if locale == "en":  # the recordings of people are English
            clips = one_sentence_clips(part)[: 6 if quick else None]
            result["people"][part] = _people(clips, rng)
        voices = available(VOICE_SETS[locale][part])[: 1 if quick else None]
        pairs = paused_requests(locale)[: 2 if quick else None]
        result["voices"][part] = _voices(bench, voices, pairs, rng)
        rooms = 1 if quick else len(ROOMS)
        result["voices"][part]["over_speech"] = _over_speech(settings, voices, pairs, rooms)
    result["summary"] = _summary(result)
    return result


def one_sentence_clips(part: str) -> list[Path]:
    """The talk recordings of `part`'s speakers that hold one sentence each."""
    return [clip for clip in talk_clips(part)
            if clip.parent.name.split("_")[0] in ONE_SENTENCE_SOURCES]


def pauses_in(audio: np.ndarray) -> Iterator[int]:
    """Each pause the endpointer finds in `audio`: frames from an utterance's end to the frame the
    next one starts (as the hold counts them: speech in the HOLD_FRAMES-th frame still joins)."""
    endpointer = Endpointer()
    since_end: int | None = None
    for frame in split_frames(audio):
        segment = endpointer.feed(frame)
        if segment.ended:
            since_end = 0
        elif since_end is not None:
            since_end += 1
            if segment.frames:
                yield since_end
                since_end = None


def _people(clips: list[Path], rng: np.random.Generator) -> dict:
    rooms = {}
    every: list[int] = []
    for room in ROOM_TONE:
        found = [pause for clip in clips
                 for pause in pauses_in(in_room(read_clip(clip), room, rng))]
        every += found
        rooms[room.name] = _spread(found)
    return {"clips": len(clips), "rooms": rooms, "all_rooms": _spread(every)}


def _spread(pauses_found: list[int]) -> dict:
    """The share of the pauses the hold joins, and their spread (None of either without pauses)."""
    if not pauses_found:
        return {"pauses": 0, "joined": None}
    frames = np.array(pauses_found)
    return {"pauses": len(pauses_found), "joined": round(float(np.mean(frames <= HOLD_FRAMES)), 3),
            **{f"p{q}_ms": int(np.percentile(frames, q)) * FRAME_MS for q in (50, 90, 95, 99)}}


def _voices(bench: Bench, voices: tuple[str, ...], pairs: list[tuple[str, str]],
            rng: np.random.Generator) -> dict:
    quiet = ROOM_TONE[0]
    idle = context.idle(bench.intents)
    crises: dict[str, list[str]] = {f"{pause_s * 1000:.0f}_ms": [] for pause_s in PAUSES_S}
    waits: list[float] = []
    missed: list[str] = []
    for voice in voices:
        for request, rest in pairs:
            said = speak(request, voice)
            alone = bench.first_heard(in_room(said, quiet, rng), said, idle)
            if alone.match is not None and alone.match.intent == SAFETY:
                waits.append(alone.frame * FRAME_MS)
            else:
                missed.append(f"{voice}: {request}")
            for pause_s, crisis in zip(PAUSES_S, crises.values()):
                pause = np.zeros(int(pause_s * RATE), np.int16)
                sentence = np.concatenate([said, pause, speak(rest, voice)])
                heard = bench.listen(in_room(sentence, quiet, rng), idle)
                if any(h.match.intent == SAFETY for h in heard):
                    crisis.append(f"{voice}: {request} ... {rest}")
    return {"voices": list(voices), "continued": len(voices) * len(pairs),
            "continued_safety": {pause: len(crisis) for pause, crisis in crises.items()},
            "examples": {pause: crisis[:6] for pause, crisis in crises.items() if crisis},
            "requests": len(voices) * len(pairs), "requests_missed": missed,
            "answer_after_speech_ms": percentiles(waits)}


def _over_speech(settings: Settings, voices: tuple[str, ...], pairs: list[tuple[str, str]],
                 rooms: int) -> dict:
    """Each request, OVER_SPEECH_PAUSE_S, then its sentence's rest, said over the speaker's voice
    in the first `rooms` of the barge-in benchmark's: how many gave the crisis message, and
    which."""
    cases = [(request, rest, voice) for request, rest in pairs for voice in voices]
    pause = np.zeros(int(OVER_SPEECH_PAUSE_S * RATE), np.int16)
    said = [np.concatenate([speak(request, voice), pause, speak(rest, voice)])
            for request, rest, voice in cases]
    names = [f"{request} ... {rest} ({voice})" for request, rest, voice in cases]
    trials = said_over_speech(settings, said, rooms=rooms)
    crises = [f"room {trial['room'] + 1}, {trial['level']}: {names[trial['utterance']]}"
              for trial in trials if SAFETY in trial["heard"]]
    return {"pause_ms": int(OVER_SPEECH_PAUSE_S * 1000), "trials": len(trials),
            "safety": len(crises), "examples": crises[:8]}


def _summary(result: dict) -> str:
    parts = []
    for part in ("tuning", "held-out"):
        voices = result["voices"][part]
        crises = ", ".join(f"{p} {n}" for p, n in voices["continued_safety"].items())
        answer = voices["answer_after_speech_ms"]
        over = voices["over_speech"]
        people = result["people"].get(part, {}).get("all_rooms")
        heard = (f"people's pauses in a sentence joined {people['joined']:.1%} of "
                 f"{people['pauses']} (p95 {people['p95_ms']} ms); " if people and people["pauses"]
                 else "")
        parts.append(f"{part}: {heard}request + pause + its "
                     f"sentence's rest, crisis messages of {voices['continued']}: {crises}, over "
                     f"the speaker's voice ({over['pause_ms']} ms) {over['safety']} of "
                     f"{over['trials']}; a "
                     f"request's answer p50/p95 {answer['p50']}/{answer['p95']} ms after its "
                     "speech")
    return f"hold {result['hold_ms']} ms; " + "; ".join(parts)
