"""The same input gives the same run: events and the speaker's audio, byte for byte, with the machine
busy with other work.

What made runs differ: both voices carry state from one sentence to the next (espeak-ng's synthesizer,
Piper's noise generator, seeded at random when the model loads), so a line's audio depended on which
lines happened to render before it, and the background preparation raced the frames. Now Piper's seed
is fixed, each line is rendered by a fresh espeak-ng that has settled before it starts
(pyttsx3_worker.py), and the file driver lets preparation finish before the first frame.

Korean runs with a fresh prompt cache each time, so every line of the library is rendered again (by
espeak-ng) and the preparation races the frames; both runs must render every line alike. English
shares the test session's prompt cache: its library is 286 lines of Piper, 11 minutes a run on a busy
CI machine, so Piper's own renders are checked on a sample of the library's lines instead, in two
fresh processes.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from conftest import run_voice

from voice.audio.frames import RATE
from voice.audio.wavfile import write_wav
from voice.bench.speech import espeak, room_noise
from voice.speak.piper_voice import piper_installed

pytestmark = pytest.mark.slow
needs_piper = pytest.mark.skipif(not piper_installed(), reason="the piper extra is not installed")

TALK = {"en": [(1, "start our check in"), (9, "stop"), (16, "start our check in"), (30, "pause")],
        "ko": [(1, "체크인 하자"), (9, "그만해"), (16, "체크인 하자"), (30, "잠깐 멈춰")]}
VOICE = {"en": "en-us", "ko": "ko+f2"}


@contextmanager
def busy_machine() -> Iterator[None]:
    """Two processes spinning, one per core of the test machine."""
    spinners = [subprocess.Popen(["python3", "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.parametrize("locale, fresh_cache", [("ko", True), ("en", False)])
def test_the_same_input_gives_the_same_events_and_audio_on_a_busy_machine(tmp_path, shared_cache, locale,
                                                                        fresh_cache):
    if not fresh_cache:  # the library rendered before the machine gets busy (if no test has rendered it yet)
        prepared = run_voice("prepare", "--locale", locale, env=_folders(tmp_path / "prepare", shared_cache),
                             timeout=900)
        assert prepared.returncode == 0, prepared.stderr
    rng = np.random.default_rng(3)
    room = room_noise(40, rng, -55.0).astype(np.float64)
    for second, phrase in TALK[locale]:
        said = espeak(phrase, VOICE[locale], 150)
        room[second * RATE: second * RATE + len(said)] += said
    write_wav(tmp_path / "in.wav", np.clip(room, -32768, 32767).astype(np.int16))
    with busy_machine():
        results = [_run(tmp_path / "in.wav", locale, tmp_path / f"run{run}", None if fresh_cache else shared_cache)
                   for run in range(2)]
    if fresh_cache:  # every line of the library, not only those played, and the one that differs named
        rendered = [_rendered(tmp_path / f"run{run}") for run in range(2)]
        differing = sorted(name for name, audio in rendered[0].items() if rendered[1].get(name) != audio)
        assert len(rendered[0]) > 100 and not differing, f"lines rendered differently: {differing}"
    first_events, first_audio = results[0]
    assert any(e["type"] == "intent" for e in first_events) and any(e["type"] == "said" for e in first_events)
    for events, audio in results[1:]:
        assert events == first_events
        assert audio == first_audio


def _run(microphone: Path, locale: str, folder: Path, cache: Path | None) -> tuple[list[dict], bytes]:
    """The file driver over `microphone` with fresh folders (nothing logged; with no `cache`, nothing
    cached either): its events and the speaker's audio."""
    folder.mkdir()
    done = run_voice("run", "--locale", locale, "--input", str(microphone), "--output", str(folder / "out.wav"),
                     "--events", str(folder / "events.jsonl"), env=_folders(folder, cache), timeout=900)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    return events, (folder / "out.wav").read_bytes()


def _rendered(folder: Path) -> dict[str, bytes]:
    """Every line a run rendered into its own prompt cache: file name -> the file."""
    return {path.name: path.read_bytes() for path in (folder / "cache").rglob("*.wav")}


def _folders(folder: Path, cache: Path | None) -> dict:
    """A run's own config and data folders, none of the user's; its prompt cache is `cache` or its own."""
    return {"XDG_CACHE_HOME": str(cache or folder / "cache"), "XDG_DATA_HOME": str(folder / "data"),
            "XDG_CONFIG_HOME": str(folder / "config"), "VOICE_SYSTEM_CONFIG": str(folder / "none.yaml")}


RENDER = """import sys
from voice.speak.piper_voice import PiperVoice
voice = PiperVoice()
for line in sys.argv[1:]:
    sys.stdout.buffer.write(voice.sentence(line).tobytes())
"""


@needs_piper
def test_piper_renders_the_same_lines_in_the_same_order_to_the_same_audio_in_every_process(isolated):
    """Every 24th line of the English library, rendered by Piper in two fresh processes on a busy machine."""
    from voice.assemble import load_library
    from voice.config import Settings
    from voice.exercises.lines import every_line
    from voice.locale import Locale

    locale = Locale.load("en")
    settings = Settings(locale="en")
    lines = every_line(load_library(settings, locale), locale, locale.default_partners)[::24]
    with busy_machine():
        renders = [subprocess.run([sys.executable, "-c", RENDER, *lines], capture_output=True, timeout=300)
                   for _ in range(2)]
    assert all(render.returncode == 0 for render in renders), renders[0].stderr.decode()[-2000:]
    assert len(lines) >= 10 and len(renders[0].stdout) > len(lines) * RATE  # about a second a line at least
    assert renders[0].stdout == renders[1].stdout

