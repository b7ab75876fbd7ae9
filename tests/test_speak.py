"""Speaking: both real engines, calm delivery, the background prompt cache and frame-by-frame playback."""

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ToneVoice

from voice.audio.frames import FRAME_SAMPLES, RATE
from voice.audio.wavfile import write_wav
from voice.errors import SpeechError
from voice.speak.cache import PromptCache, SpokenLine
from voice.speak.delivery import Delivery, split_sentences
from voice.speak.piper_voice import PiperVoice, piper_installed
from voice.speak.player import Player
from voice.speak.pyttsx3_voice import Pyttsx3Voice

needs_piper = pytest.mark.skipif(not piper_installed(), reason="the piper extra is not installed")


def level_dbfs(audio: np.ndarray) -> float:
    voiced = audio[np.abs(audio) > 327].astype(np.float64)
    return 20 * np.log10(np.sqrt(np.mean(voiced**2)) / 32768)


@pytest.fixture(scope="module")
def english() -> Pyttsx3Voice:
    return Pyttsx3Voice("gmw/en-us", rate=150)


@pytest.mark.parametrize("engine, voice, text", [
    ("pyttsx3", "gmw/en-us", "Breathe slowly, not deeply."),
    ("pyttsx3", "ko", "깊게 말고 천천히 쉬세요."),
    pytest.param("piper", "en_US-joe-medium", "Breathe slowly, not deeply.", marks=[needs_piper, pytest.mark.slow]),
])
def test_both_engines_really_speak_at_one_loudness(engine, voice, text):
    audio = np.concatenate(list(Delivery().sentences(Pyttsx3Voice(voice) if engine == "pyttsx3" else PiperVoice(voice), text)))
    assert 1.0 < len(audio) / RATE < 4.0  # a plausible length for four words
    assert abs(level_dbfs(audio) - Delivery().loudness_dbfs) < 1.5
    assert np.abs(audio[:8]).max() < 2000  # faded in: no click


def test_an_unknown_voice_is_named_with_the_fix():
    with pytest.raises(SpeechError, match="espeak-ng has no voice 'xx-nope'; run 'voice voices'"):
        Pyttsx3Voice("xx-nope")
    with pytest.raises(SpeechError, match="no Piper voice 'nope'") if piper_installed() else \
            pytest.raises(SpeechError, match="Piper is not installed"):
        PiperVoice("nope")


def test_pyttsx3_renders_are_whole_and_the_same_back_to_back(english):
    """pyttsx3's espeak driver returns before espeak finishes; a render must still be the whole
    line. espeak-ng carries state from line to line (one process rendered a sentence four times to
    four waveforms): each line is rendered by a fresh one, so twelve renders are one waveform."""
    text = "This line is said calmly, so that the two of you can breathe together."
    renders = [english.sentence(text) for _ in range(12)]
    assert all(np.array_equal(audio, renders[0]) for audio in renders)
    assert all(np.abs(audio[-100:]).max() <= 64 for audio in renders)  # each ends in its own silence, not cut


def test_sentences_get_pauses_longer_after_a_question():
    assert split_sentences("Ready? Let's begin. Say “next.” Then rest…") == [
        "Ready?", "Let's begin.", "Say “next.”", "Then rest…"]
    delivery = Delivery(sentence_pause_ms=300, question_pause_ms=700)
    voice = ToneVoice()
    asked, told = [list(delivery.sentences(voice, text)) for text in ("Ready? Go.", "Ready. Go.")]
    assert len(asked[0]) - len(told[0]) == RATE * 400 // 1000
    assert not asked[0][-RATE * 700 // 1000:].any() and len(asked[1]) == len(told[1])


def test_cache_renders_once_and_is_reused_across_restarts(english, tmp_path):
    first = PromptCache(english, tmp_path)
    audio = first.audio("Thank you both.")
    assert (first.misses, first.hits) == (1, 0)
    first.wait_prepared()  # stored once it has played
    assert first.path_for("Thank you both.").exists()
    first.close()
    second = PromptCache(english, tmp_path)  # a restart
    line = second.line("Thank you both.")
    assert line.complete and np.array_equal(line.audio(), audio)
    assert (second.misses, second.hits) == (0, 1)


def test_cache_key_changes_with_voice_and_delivery(tmp_path):
    slow, fast = Pyttsx3Voice("gmw/en-us", rate=120), Pyttsx3Voice("gmw/en-us", rate=190)
    assert PromptCache(slow, tmp_path).path_for("Hi") != PromptCache(fast, tmp_path).path_for("Hi")
    assert PromptCache(slow, tmp_path).path_for("Hi") != PromptCache(slow, tmp_path, Delivery(volume=0.5)).path_for("Hi")
    assert len(slow.sentence("Take your time.")) > len(fast.sentence("Take your time."))


def test_damaged_cache_file_is_rendered_again(english, tmp_path):
    cache = PromptCache(english, tmp_path)
    cache.path_for("Well done.").parent.mkdir(parents=True, exist_ok=True)
    cache.path_for("Well done.").write_bytes(b"not a wav")
    assert len(cache.audio("Well done.")) > 0 and cache.misses == 1


@pytest.mark.parametrize("damage", ["truncated", "fifo", "device", pytest.param("an hour long", marks=pytest.mark.slow),
                                    "unsealed"])
def test_a_cached_line_plays_only_if_it_is_what_was_stored(damage, tmp_path):
    """Anything but the sealed file the cache wrote is rendered again, whole, and never hangs."""
    text = "Well done. Take a breath."
    first = PromptCache(ToneVoice(), tmp_path)
    whole = first.audio(text)
    first.wait_prepared()  # stored once the line has played
    cache = PromptCache(ToneVoice(), tmp_path)
    path = cache.path_for(text)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    elif damage == "fifo":
        path.unlink()
        os.mkfifo(path)
    elif damage == "device":
        path.unlink()
        path.symlink_to("/dev/zero")
    elif damage == "an hour long":
        write_wav(path, np.full(RATE * 3600, 500, np.int16))
    else:
        Path(f"{path}.seal").unlink()
    assert np.array_equal(cache.audio(text), whole) and cache.misses == 1
    cache.wait_prepared()
    assert PromptCache(ToneVoice(), tmp_path).line(text).complete  # and it is stored whole again


class SlowVoice(ToneVoice):
    """A voice that takes 50 ms a sentence and records the order it was asked for sentences. It
    renders nothing until its `gate` opens (or 2 s have passed): what returns before the gate opens
    did not wait for it, on a machine of any speed."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []
        self.gate = threading.Event()

    def sentence(self, text: str) -> np.ndarray:
        if not self.gate.wait(timeout=2):
            self.gate.set()
        self.order.append(text)
        time.sleep(0.05)
        return super().sentence(text)


def test_preparation_runs_in_the_background_and_a_spoken_line_overtakes_it(tmp_path):
    voice = SlowVoice()
    cache = PromptCache(voice, tmp_path)
    lines = [f"Prepared line {n}. It has two sentences." for n in range(10)]
    cache.prepare(lines)
    assert not voice.gate.is_set()  # start-up does not wait
    voice.gate.set()
    time.sleep(0.12)
    spoken = cache.line("Asked for now. Second sentence.")
    assert not spoken.complete  # uncached: it streams
    first = spoken.read(0, FRAME_SAMPLES, wait=True)
    assert len(first) == FRAME_SAMPLES and not spoken.complete  # the first sentence plays before the rest renders
    assert voice.order.index("Asked for now.") <= 4  # ahead of the prepared lines still queued
    cache.wait_prepared()
    assert all(cache.line(line).complete for line in lines) and cache.line("Asked for now. Second sentence.").complete
    cache.close()


def test_a_line_that_cannot_be_rendered_is_an_error_not_a_hang(tmp_path):
    class Broken(ToneVoice):
        def sentence(self, text: str) -> np.ndarray:
            raise RuntimeError("no voice today")

    cache = PromptCache(Broken(), tmp_path)
    with pytest.raises(SpeechError, match="could not speak 'Hello.'"):
        cache.audio("Hello.")
    player = Player(wait=True)
    player.play(cache.line("Hello again."), "Hello again.")
    player.next_frame()
    assert not player.playing and player.errors
    cache.close()


def test_player_plays_clips_back_to_back_and_reports_starts():
    player = Player()
    player.play(np.ones(500, np.int16), "a")
    player.play(np.full(300, 2, np.int16), "b")
    first, started = player.next_frame()
    assert started == ["a"] and first.all()
    _, started = player.next_frame()
    assert started == ["b"]
    third, _ = player.next_frame()  # 800 samples in all: 160 of "b" are left
    assert (third[:160] == 2).all() and not third[160:].any() and not player.playing
    player.play(np.ones(5000, np.int16))
    player.stop()
    assert not player.next_frame()[0].any()


def test_earcons_mix_over_speech_instead_of_delaying_it():
    player = Player()
    player.play(np.full(FRAME_SAMPLES * 3, 100, np.int16), "line")
    player.chime(np.full(FRAME_SAMPLES * 2, 50, np.int16))
    frame, started = player.next_frame()
    assert started == ["line"] and (frame == 150).all()


def test_live_player_plays_what_has_rendered_and_never_waits():
    line = SpokenLine("streaming")
    player = Player(wait=False)
    player.play(line, "streaming")
    line.add(np.full(FRAME_SAMPLES // 2, 7, np.int16))
    frame, started = player.next_frame()
    assert started == ["streaming"] and (frame[: FRAME_SAMPLES // 2] == 7).all() and not frame[FRAME_SAMPLES // 2:].any()
    assert player.playing  # still rendering: the line is not over
    line.add(np.full(FRAME_SAMPLES, 9, np.int16))
    line.finish()
    frame, _ = player.next_frame()  # the rest follows on from where the first frame stopped
    assert (frame == 9).all() and not player.playing


@pytest.mark.slow
def test_a_crashed_or_hung_espeak_worker_is_restarted_and_the_line_still_comes(monkeypatch):
    """espeak-ng runs in its own process: a native crash (SIGSEGV) or a hang costs a restart, not the speaker."""
    from voice.speak import pyttsx3_voice

    voice = Pyttsx3Voice("gmw/en-us")
    worker = pyttsx3_voice._Worker.get()
    restarts, whole = worker.restarts, voice.sentence("Take a breath.")
    same = lambda audio: np.array_equal(audio, whole)  # each line by a fresh espeak-ng
    os.kill(worker._process.pid, signal.SIGSEGV)
    assert same(voice.sentence("Take a breath.")) and worker.restarts == restarts + 1
    monkeypatch.setattr(pyttsx3_voice, "RENDER_TIMEOUT_S", 1.0)
    os.kill(worker._process.pid, signal.SIGSTOP)
    assert same(voice.sentence("Take a breath.")) and worker.restarts == restarts + 2
    folder = worker._folder
    worker.close()  # at exit: the worker ends and its temporary folder goes
    assert worker._process is None and not Path(folder).exists()
    assert same(voice.sentence("Take a breath."))  # and it starts again when asked


def test_held_lines_render_first_in_the_background_and_stay_in_memory(tmp_path):
    voice = SlowVoice()
    cache = PromptCache(voice, tmp_path)
    cache.prepare([f"Prepared line {n}." for n in range(5)])
    cache.hold(["Call for help now. Again, call for help."])
    assert not voice.gate.is_set()  # start-up does not wait for it
    voice.gate.set()
    cache.wait_held()
    assert voice.order.index("Call for help now.") <= 1  # ahead of the preparation queued before it
    held = cache.memory.held["Call for help now. Again, call for help."]
    cache.memory.budget = 0  # the bounded memory lets everything go ...
    cache.memory.put(tmp_path / "other", np.zeros(10, np.int16))
    assert cache.line("Call for help now. Again, call for help.").audio() is held  # ... but a held line
    cache.close()
