"""Shared test helpers: synthesized utterances, ALSA file-plugin devices, a frame-exact test voice."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from voice.audio.frames import RATE
from voice.audio.wavfile import write_wav
from voice.bench import speech as bench_speech
from voice.exercises.history import SessionLog

REPO = Path(__file__).resolve().parent.parent

# Fuzzing depth: "dev" for a quick run, "ci" (make test, so CI) 2,000 examples per test, "fuzz" (make fuzz)
# 20,000. Choose with pytest --hypothesis-profile NAME.
for name, examples in (("dev", 300), ("ci", 2000), ("fuzz", 20000)):
    settings.register_profile(name, max_examples=examples, deadline=None,
                              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile("dev")
VOICE = [sys.executable, "-m", "voice"]


def espeak(text: str, voice: str = "ko+f2", speed: int = 150) -> np.ndarray:
    """Real speech from espeak-ng, trimmed of its own leading and trailing silence, at 16 kHz."""
    return bench_speech.espeak(text, voice, speed)


def utterance_wav(path: Path, speech: np.ndarray, before_s: float = 1.0, after_s: float = 3.0) -> float:
    """Write silence, speech, silence; return the second at which the speech ends."""
    silence = lambda s: np.zeros(int(s * RATE), np.int16)  # noqa: E731
    write_wav(path, np.concatenate([silence(before_s), speech, silence(after_s)]))
    return before_s + len(speech) / RATE


def english_locale_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of en.yaml in `tmp_path` with `old` written as `new` (to test what a bad edit gets)."""
    from voice.locale import LOCALES_DIR

    text = (LOCALES_DIR / "en.yaml").read_text(encoding="utf-8")
    assert old in text, old
    edited = tmp_path / "en.yaml"
    edited.write_text(text.replace(old, new), encoding="utf-8")
    return edited


def run_voice(*args: str, env: dict | None = None, stdin: str | None = None, timeout: float = 300,
              prefix: tuple[str, ...] = ()):
    return subprocess.run([*prefix, *VOICE, *args], capture_output=True, text=True, input=stdin,
                          timeout=timeout, cwd=REPO, env={**os.environ, **(env or {})})


@pytest.fixture
def no_network(tmp_path) -> Iterator[dict]:
    """Environment for `run_voice` in which Python refuses every socket and logs each attempt."""
    log = tmp_path / "network-attempts.log"
    yield {"PYTHONPATH": str(REPO / "tests" / "no_network"), "VOICE_TEST_NETWORK_LOG": str(log)}
    attempts = log.read_text().split("\n\n") if log.exists() else []
    # vosk imports requests for its model downloader; urllib3 then probes for IPv6 support by
    # binding a socket to ::1 at import time. It never connects, and fails quietly when refused.
    unexpected = [a for a in attempts if a.strip() and "in _has_ipv6" not in a]
    assert not unexpected, "the speaker tried to use the network:\n" + "\n".join(unexpected)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    """One prompt cache for the whole run: lines are keyed by their content and stored whole or not at
    all, so sharing is safe, and the library's few hundred lines are rendered once instead of once per
    test. pytest-xdist's workers share it too (their temporary folders sit side by side)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / "cache"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def isolated(tmp_path, monkeypatch, shared_cache) -> dict:
    """Own config and data folders, so no test reads or writes the user's."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_CACHE_HOME": str(shared_cache),
           "XDG_DATA_HOME": str(tmp_path / "data"), "VOICE_SYSTEM_CONFIG": str(tmp_path / "etc" / "config.yaml"),
           "XDG_RUNTIME_DIR": str(tmp_path / "run")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # As on any day after the first: the live tests listen at once instead of hearing the first-run
    # introduction (tested on its own, with a fresh data folder).
    log = SessionLog(tmp_path / "data" / "voice" / "sessions.db")
    log.mark("introduced", 1.0)
    log.close()
    return env


MIC_SILENT_TAIL_S = 1.0


def mic_says(mic: Path, samples: np.ndarray) -> None:
    """Give a file-plugin microphone its input, followed by a second of silence.

    Once its infile runs out, ALSA's `file` plugin over `null` hands back the last buffer it filled,
    again and again, and an infile that was empty from the start gives uninitialised memory: loud
    noise (measured: -8 dBFS), which Korean's idle listener once heard as a calming break. The
    silent tail makes what loops silence, longer than any buffer the live driver asks for.
    """
    tail = np.zeros(int(MIC_SILENT_TAIL_S * RATE), np.int16)
    mic.write_bytes(np.concatenate([samples.astype(np.int16), tail]).astype("<i2").tobytes())


def margin_by_its_own_floor(monkeypatch) -> None:
    """The endpointer's voiced margin as its own noise-suppressed floor chose it, before the
    listener told it whether the room is loud (endpoint.LOUD_ROOM_DB): tests put it back to show
    what the listener's word changed."""
    from voice.listen.endpoint import Endpointer

    feed = Endpointer.feed

    def by_its_own_floor(endpointer, frame, loud_room=None):
        return feed(endpointer, frame)

    monkeypatch.setattr(Endpointer, "feed", by_its_own_floor)


@pytest.fixture
def second_looks(monkeypatch) -> list:
    """The safety requests the listener looks at a second time (`SafetyCheck._second_look`)."""
    from voice.listen.safety_check import SafetyCheck

    looked: list = []
    look = SafetyCheck._second_look

    def second_look(self, match, *heard):
        looked.append(match)
        return look(self, match, *heard)

    monkeypatch.setattr(SafetyCheck, "_second_look", second_look)
    return looked


@pytest.fixture
def alsa_devices(tmp_path) -> dict:
    """Real ALSA capture and playback devices backed by raw files (the `file` plugin).

    The microphone hears silence until a test gives it something to say with `mic_says`.
    """
    home = tmp_path / "home"
    home.mkdir()
    mic_says(tmp_path / "mic.raw", np.zeros(0, np.int16))  # a capture device is listed only when its infile exists
    (home / ".asoundrc").write_text(
        f'pcm.testmic {{ type file slave.pcm "null" file "{tmp_path}/unused.raw" '
        f'infile "{tmp_path}/mic.raw" format "raw" }}\n'
        f'pcm.testspk {{ type file slave.pcm "null" file "{tmp_path}/speaker.raw" format "raw" }}\n'
    )
    return {"HOME": str(home), "mic": tmp_path / "mic.raw", "speaker": tmp_path / "speaker.raw"}


class ToneVoice:
    """A frame-exact stand-in voice for the pure-engine unit tests: 50 ms of tone per character.

    Real synthesis is tested with pyttsx3 in test_speak.py and through the CLI tests.
    """

    engine = "tone"

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self.cache_key = f"tone|{speed}"

    def sentence(self, text: str) -> np.ndarray:
        t = np.arange(int(len(text) * RATE / 20 / self.speed)) / RATE
        return (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)

    def scaled(self, factor: float) -> "ToneVoice":
        return ToneVoice(self.speed * factor)
