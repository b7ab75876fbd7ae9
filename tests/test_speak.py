"""Real pyttsx3 (espeak-ng) synthesis, the prompt cache, and frame-by-frame playback."""

import numpy as np
import pytest

from voice.audio.frames import FRAME_SAMPLES, RATE
from voice.errors import SpeechError
from voice.speak.cache import PromptCache
from voice.speak.player import Player
from voice.speak.tts import Pyttsx3Voice


@pytest.fixture(scope="module")
def english() -> Pyttsx3Voice:
    return Pyttsx3Voice("gmw/en-us", rate=150)


@pytest.mark.parametrize("voice, text, min_s, max_s", [
    ("gmw/en-us", "Breathe slowly, not deeply.", 1.0, 4.0),
    ("ko", "깊게 말고 천천히 쉬세요.", 1.0, 4.0),
])
def test_pyttsx3_really_speaks(voice, text, min_s, max_s):
    audio = Pyttsx3Voice(voice, rate=150).render(text)
    assert audio.dtype == np.int16
    assert min_s < len(audio) / RATE < max_s
    assert np.sqrt(np.mean(audio.astype(float) ** 2)) > 500  # speech, not silence


def test_longer_text_takes_longer(english):
    short = english.render("Next.")
    long = english.render("Tell your partner one thing they did this week that you appreciated.")
    assert len(long) > 3 * len(short)


def test_an_unknown_voice_is_named():
    with pytest.raises(SpeechError, match="espeak-ng has no voice 'xx-nope'"):
        Pyttsx3Voice("xx-nope")


def test_cache_renders_once_and_is_reused_across_instances(english, tmp_path):
    first = PromptCache(english, tmp_path)
    audio = first.audio("Thank you both.")
    assert (first.misses, first.hits) == (1, 0)
    assert first.path_for("Thank you both.").exists()
    second = PromptCache(english, tmp_path)  # a restart
    assert np.array_equal(second.audio("Thank you both."), audio)
    assert (second.misses, second.hits) == (0, 1)


def test_cache_key_changes_with_voice_settings(tmp_path):
    slow, fast = Pyttsx3Voice("gmw/en-us", rate=120), Pyttsx3Voice("gmw/en-us", rate=190)
    assert PromptCache(slow, tmp_path).path_for("Hi") != PromptCache(fast, tmp_path).path_for("Hi")
    assert len(slow.render("Take your time.")) > len(fast.render("Take your time."))


def test_damaged_cache_file_is_rendered_again(english, tmp_path):
    cache = PromptCache(english, tmp_path)
    cache.path_for("Well done.").parent.mkdir(parents=True, exist_ok=True)
    cache.path_for("Well done.").write_bytes(b"not a wav")
    assert len(cache.audio("Well done.")) > 0 and cache.misses == 1


def test_player_plays_clips_back_to_back_and_reports_starts():
    player = Player()
    player.play(np.ones(500, np.int16), "a")
    player.play(np.full(300, 2, np.int16), "b")
    first, started = player.next_frame()
    assert started == ["a"] and (first == 1).all()
    second, started = player.next_frame()
    assert started == ["b"] and list(second[:180]) == [1] * 180 and (second[180:] == 2).all()
    third, _ = player.next_frame()
    assert len(third) == FRAME_SAMPLES and (third[:160] == 2).all() and not third[160:].any()
    assert not player.playing
    player.play(np.ones(5000, np.int16))
    player.stop()
    assert not player.next_frame()[0].any()
