"""Noise suppression before the recognizer: WebRTC's takes a room's noise down and leaves speech, and
the listener uses it only when the room is noisy. Fast: espeak-ng speech, no Vosk (the recognizer
here only keeps what it is given); test_listening measures it through real Vosk."""

import numpy as np

from voice.audio.frames import RATE, split_frames
from voice.bench.speech import espeak, room_noise
from voice.listen.denoise import Denoiser
from voice.listen.intents import IntentMatcher
from voice.listen.listener import NOISY_FLOOR_DB, Listener


def db(samples: np.ndarray) -> float:
    return 10 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-9)


def test_the_rooms_noise_goes_down_and_speech_stays():
    speech = espeak("잠깐 쉬자. 오늘 하루는 어땠어?", "ko+f2", 150)
    lead = 2 * RATE
    noise = room_noise((lead + len(speech)) / RATE + 0.5, np.random.default_rng(1), level_dbfs=-30.0)
    mixed = noise.astype(np.float64)
    mixed[lead : lead + len(speech)] += speech
    mixed = np.clip(mixed, -32768, 32767).astype(np.int16)
    denoiser = Denoiser()
    out = np.concatenate([denoiser(frame) for frame in split_frames(mixed)])
    quiet = slice(RATE, lead)  # the second second of noise alone: it has learned the room
    assert db(mixed[quiet]) - db(out[quiet]) > 10
    voiced = slice(lead, lead + len(speech))
    assert abs(db(mixed[voiced]) - db(out[voiced])) < 2


class KeepsWhatItHears:
    """In Vosk's place: the frames it is given, so what the listener passes on can be compared."""

    def __init__(self) -> None:
        self.frames: list[np.ndarray] = []

    def use(self, phrases: list[str]) -> None:
        pass

    def accept(self, frame: np.ndarray) -> None:
        self.frames.append(frame)

    def partial(self) -> str:
        return ""

    def finish(self) -> tuple[list[str], list[float], list[list]]:
        return [""], [0.0], [[]]


def heard_by_the_recognizer(noise_dbfs: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The frames that reached the recognizer, and the microphone's own frames."""
    speech = espeak("잠깐 쉬자", "ko+f2", 150)
    mic = room_noise(3.0 + len(speech) / RATE, np.random.default_rng(2), level_dbfs=noise_dbfs).astype(np.float64)
    mic[2 * RATE : 2 * RATE + len(speech)] += speech
    frames = split_frames(np.clip(mic, -32768, 32767).astype(np.int16))
    recognizer = KeepsWhatItHears()
    listener = Listener(IntentMatcher({"calming_break": ["잠깐 쉬자"]}), recognizer)
    for frame in frames:
        listener.feed(frame)
    return recognizer.frames, frames


def from_the_microphone(frame: np.ndarray, microphone: list[np.ndarray]) -> bool:
    """One of the microphone's frames, but for the dither (voice/listen/dither.py: a few steps at most)."""
    return any(np.abs(frame.astype(int) - mic).max() <= 6 for mic in microphone)


def test_a_quiet_room_reaches_the_recognizer_as_it_is():
    assert NOISY_FLOOR_DB > -55.0
    heard, microphone = heard_by_the_recognizer(-55.0)
    assert len(heard) > 20 and all(from_the_microphone(frame, microphone) for frame in heard)


def test_a_noisy_room_reaches_the_recognizer_noise_suppressed():
    heard, microphone = heard_by_the_recognizer(-30.0)
    assert len(heard) > 20 and not any(from_the_microphone(frame, microphone) for frame in heard)
